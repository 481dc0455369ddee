#!/usr/bin/env bash
# Builds the browser widget: cargo (wasm32, size-tuned release profile) → wasm-bindgen
# (--target web, into www/pkg/) → wasm-opt -Oz (npm binaryen) → esbuild --minify on the JS glue.
# Prints raw and gzipped sizes.
# Skips the work when no input changed since the last build (FORCE=1 rebuilds anyway).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/env.sh

CRATE=tamara-widget
OUT="$ROOT/www/pkg"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/release/tamara_widget.wasm"
STAMP="$OUT/.build-stamp"

# Inputs: the crate's sources and manifest, the workspace manifest/lock, this script.
inputs_sum() {
  {
    find "crates/$CRATE/src" "crates/$CRATE/Cargo.toml" -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock scripts/build-widget.sh
    wasm-bindgen --version
  } | sha256sum | cut -d' ' -f1
}

SUM="$(inputs_sum)"
if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SUM" ] \
   && [ -f "$OUT/tamara_widget_bg.wasm" ] && [ -f "$OUT/tamara_widget.js" ]; then
  echo "build-widget: inputs unchanged, keeping $OUT (FORCE=1 to rebuild)"
else
  echo "build-widget: cargo build -p $CRATE --target wasm32-unknown-unknown --release"
  cargo build -p "$CRATE" --lib --target wasm32-unknown-unknown --release
  mkdir -p "$OUT"
  echo "build-widget: wasm-bindgen --target web --out-dir www/pkg"
  wasm-bindgen --target web --no-typescript --out-dir "$OUT" "$WASM_IN"
  echo "build-widget: wasm-opt -Oz --converge"
  "$WASM_OPT_BIN" -Oz --converge --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$OUT/tamara_widget_bg.opt.wasm" "$OUT/tamara_widget_bg.wasm"
  mv "$OUT/tamara_widget_bg.opt.wasm" "$OUT/tamara_widget_bg.wasm"
  echo "build-widget: esbuild --minify (JS glue)"
  "$ESBUILD_BIN" "$OUT/tamara_widget.js" --minify --format=esm --target=es2022 --log-level=warning \
    --outfile="$OUT/tamara_widget.min.js"
  mv "$OUT/tamara_widget.min.js" "$OUT/tamara_widget.js"
  echo "$SUM" > "$STAMP"
fi

# Sizes (bytes): raw and gzip -9 of the wasm, the JS glue and the custom-element snippet.
size_of() { stat -c %s "$1"; }
gz_of() { gzip -9 -c "$1" | wc -c; }
WASM="$OUT/tamara_widget_bg.wasm"; GLUE="$OUT/tamara_widget.js"; SNIPPET="$ROOT/www/tamara-checkout.js"
printf '%-32s %10s %10s\n' file raw gzip
TOTAL_RAW=0; TOTAL_GZ=0
for f in "$WASM" "$GLUE" "$SNIPPET"; do
  [ -f "$f" ] || continue
  r=$(size_of "$f"); g=$(gz_of "$f")
  TOTAL_RAW=$((TOTAL_RAW + r)); TOTAL_GZ=$((TOTAL_GZ + g))
  printf '%-32s %10d %10d\n' "${f#"$ROOT"/}" "$r" "$g"
done
printf '%-32s %10d %10d\n' total "$TOTAL_RAW" "$TOTAL_GZ"
