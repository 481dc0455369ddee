#!/usr/bin/env bash
# Builds the browser widget: cargo (wasm32, size-tuned release profile) → wasm-bindgen
# (--target web) → wasm-opt -Oz (npm binaryen) → esbuild --minify on the JS glue, in
# target/widget/pkg; then publishes into www/ (all build output, git-ignored):
#   www/pkg/tamara_widget_bg-<version>.wasm, www/pkg/tamara_widget-<version>.js
#       content-addressed (<version>: the first 16 hex of the SHA-256 of both files), so www/_headers
#       can let browsers cache them for a year without asking again (`immutable`);
#   www/pkg/manifest.json  {version, wasm, glue} for tools (the bench, tests);
#   www/tamara-checkout.js the snippet storefronts embed, from crates/tamara-widget/js/ with the
#       versioned paths written in and minified (esbuild); a stable URL, cached briefly (_headers);
#   www/tamara-checkout-<sha>.js the same bytes under a content-addressed name (<sha>: the first
#       16 hex of its SHA-256), for storefronts that pin a version with Subresource Integrity:
#       <script type="module" src=".../tamara-checkout-<sha>.js" integrity="sha384-…" crossorigin>
#       (manifest.json's "snippet" and "integrity"; printed at the end of every run).
# Prints raw and gzipped sizes.
# Skips the work when no input changed since the last build (FORCE=1 rebuilds anyway).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/env.sh

CRATE=tamara-widget
# Intermediate output (unversioned names); the published files go to www/pkg and www/.
OUT="$ROOT/target/widget/pkg"
PUB="$ROOT/www/pkg"
SNIPPET_SRC="crates/$CRATE/js/tamara-checkout.js"
SNIPPET="$ROOT/www/tamara-checkout.js"
# A target dir of its own: the path remapping below changes RUSTFLAGS, which would otherwise make
# this build and the Worker's / the tests' builds in target/ rebuild each other's dependencies.
TARGET_DIR="${WIDGET_TARGET_DIR:-$ROOT/target/widget}"
WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/release/tamara_widget.wasm"
STAMP="$TARGET_DIR/.widget-build-stamp"

# Inputs: the crate's sources and manifest, the workspace manifest/lock, this script.
inputs_sum() {
  {
    find "crates/$CRATE/src" "crates/$CRATE/js" "crates/$CRATE/Cargo.toml" -type f -print0 | sort -z | xargs -0 sha256sum
    sha256sum Cargo.toml Cargo.lock scripts/build-widget.sh
    wasm-bindgen --version
  } | sha256sum | cut -d' ' -f1
}

# A field of www/pkg/manifest.json (written below, one line: {"version":…,"wasm":…,"glue":…}).
manifest() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" "$PUB/manifest.json" 2>/dev/null; }

SUM="$(inputs_sum)"
if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SUM" ] && [ -f "$SNIPPET" ] \
   && [ -n "$(manifest wasm)" ] && [ -f "$ROOT/www/$(manifest wasm)" ] && [ -f "$ROOT/www/$(manifest glue)" ] \
   && [ -n "$(manifest snippet)" ] && [ -f "$ROOT/www/$(manifest snippet)" ]; then
  echo "build-widget: inputs unchanged, keeping www/pkg and www/tamara-checkout.js (FORCE=1 to rebuild)"
else
  echo "build-widget: cargo build -p $CRATE --target wasm32-unknown-unknown --release"
  # Panic locations embed source paths (`/root/.cargo/registry/src/index…/js-sys-0.3.107/src/…`):
  # remapped to short relative ones (about 1.5 KB less in the wasm).
  REMAP="--remap-path-prefix=$ROOT/="
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
    REMAP="$REMAP --remap-path-prefix=$dir="
  done
  CARGO_TARGET_DIR="$TARGET_DIR" RUSTFLAGS="${RUSTFLAGS:-} $REMAP" \
    cargo build -p "$CRATE" --lib --target wasm32-unknown-unknown --release
  rm -rf "$OUT"
  echo "build-widget: wasm-bindgen --target web --out-dir target/widget/pkg"
  wasm-bindgen --target web --no-typescript --omit-default-module-path --encode-into always \
    --out-dir "$OUT" "$WASM_IN"
  # --low-memory-unused: Rust puts its 1 MiB stack at the bottom of memory, growing down, so the
  # low 1 KiB is only ever the deepest stack; this lets wasm-opt fold constant offsets into
  # loads and stores (as Emscripten does by default).
  echo "build-widget: wasm-opt -Oz --converge --low-memory-unused"
  "$WASM_OPT_BIN" -Oz --converge --low-memory-unused --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    -o "$OUT/tamara_widget_bg.opt.wasm" "$OUT/tamara_widget_bg.wasm"
  mv "$OUT/tamara_widget_bg.opt.wasm" "$OUT/tamara_widget_bg.wasm"
  # wasm-bindgen names every import and export after its Rust path plus a 16-hex hash
  # (`__wbg_setAttribute_f75317b2b5cabfb4`), once in the wasm and once in the glue: about 8 KB
  # that gzip cannot shrink. wasm-opt renames them to one or two letters and prints the mapping;
  # the same renaming is applied to the glue (its import object keys and `wasm.NAME` uses).
  echo "build-widget: wasm-opt --minify-imports-and-exports-and-modules (+ the same in the glue)"
  "$WASM_OPT_BIN" --minify-imports-and-exports-and-modules --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    -o "$OUT/tamara_widget_bg.min.wasm" "$OUT/tamara_widget_bg.wasm" > "$OUT/.names.json"
  node --input-type=module - "$OUT/.names.json" "$OUT/tamara_widget.js" <<'JS'
import { readFileSync, writeFileSync } from "node:fs";
const [names, gluePath] = process.argv.slice(2);
const map = JSON.parse(readFileSync(names, "utf8"));
let glue = readFileSync(gluePath, "utf8");
const count = (re) => (glue.match(re) ?? []).length;
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) throw new Error(`expected one import module, got ${[...modules]}`);
const [module] = modules;
const quoted = JSON.stringify(module);
if (count(new RegExp(`${quoted.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:`, "g")) !== 1) throw new Error(`import module ${quoted} not found once`);
glue = glue.replace(`${quoted}:`, `"a":`);
for (const [, name, short] of map.imports) {
  const key = new RegExp(`^(\\s+)${name}: function`, "m");
  if (!key.test(glue)) throw new Error(`import ${name} not found in the glue`);
  glue = glue.replace(key, `$1${JSON.stringify(short)}: function`);
}
for (const [name, short] of map.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${name}\\b`, "g"), `wasm[${JSON.stringify(short)}]`);
}
const left = glue.match(/\bwasm\.[A-Za-z_$][\w$]*/g);
if (left) throw new Error(`glue still uses ${[...new Set(left)]}`);
writeFileSync(gluePath, glue);
JS
  mv "$OUT/tamara_widget_bg.min.wasm" "$OUT/tamara_widget_bg.wasm"
  rm -f "$OUT/.names.json"
  # Bundled from an entry that re-exports only what tamara-checkout.js uses (`default` = init,
  # `mount`), so esbuild drops the rest (`initSync`, …) while minifying.
  echo "build-widget: esbuild --bundle --minify (JS glue: init + mount)"
  printf 'export { default, mount } from "./tamara_widget.js";\n' > "$OUT/.entry.js"
  "$ESBUILD_BIN" "$OUT/.entry.js" --bundle --minify --format=esm --target=es2022 --log-level=warning \
    --outfile="$OUT/tamara_widget.min.js"
  rm -f "$OUT/.entry.js"
  mv "$OUT/tamara_widget.min.js" "$OUT/tamara_widget.js"

  # Publish: versioned file names (old versions removed), the manifest, the snippet.
  VERSION="$(cat "$OUT/tamara_widget_bg.wasm" "$OUT/tamara_widget.js" | sha256sum | cut -c1-16)"
  WASM_NAME="tamara_widget_bg-$VERSION.wasm"; GLUE_NAME="tamara_widget-$VERSION.js"
  rm -rf "$PUB"; mkdir -p "$PUB"
  cp "$OUT/tamara_widget_bg.wasm" "$PUB/$WASM_NAME"
  cp "$OUT/tamara_widget.js" "$PUB/$GLUE_NAME"
  echo "build-widget: esbuild --minify $SNIPPET_SRC -> www/tamara-checkout.js (widget $VERSION)"
  "$ESBUILD_BIN" "$SNIPPET_SRC" --minify --format=esm --target=es2022 --log-level=warning \
    --define:TAMARA_GLUE="\"./pkg/$GLUE_NAME\"" --define:TAMARA_WASM="\"./pkg/$WASM_NAME\"" \
    --banner:js="// <tamara-checkout> widget $VERSION. Source and documentation: crates/tamara-widget/js/tamara-checkout.js" \
    --outfile="$SNIPPET"
  if grep -q 'TAMARA_GLUE\|TAMARA_WASM' "$SNIPPET"; then
    echo "build-widget: the snippet still names TAMARA_GLUE / TAMARA_WASM" >&2; exit 1
  fi
  # The pinned copy: same bytes, content-addressed name, and its SRI hash (sha384, base64).
  SNIPPET_SHA="$(sha256sum "$SNIPPET" | cut -c1-16)"
  PINNED_NAME="tamara-checkout-$SNIPPET_SHA.js"
  rm -f "$ROOT"/www/tamara-checkout-*.js
  cp "$SNIPPET" "$ROOT/www/$PINNED_NAME"
  INTEGRITY="sha384-$(node -e 'process.stdout.write(require("node:crypto").createHash("sha384").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$SNIPPET")"
  printf '{"version":"%s","wasm":"pkg/%s","glue":"pkg/%s","snippet":"%s","integrity":"%s"}\n' \
    "$VERSION" "$WASM_NAME" "$GLUE_NAME" "$PINNED_NAME" "$INTEGRITY" > "$PUB/manifest.json"
  mkdir -p "$(dirname "$STAMP")"; echo "$SUM" > "$STAMP"
fi

# Sizes (bytes): raw and gzip -9 of the wasm, the JS glue and the custom-element snippet.
size_of() { stat -c %s "$1"; }
gz_of() { gzip -9 -c "$1" | wc -c; }
WASM="$ROOT/www/$(manifest wasm)"; GLUE="$ROOT/www/$(manifest glue)"
printf '%-32s %10s %10s\n' file raw gzip
TOTAL_RAW=0; TOTAL_GZ=0
for f in "$WASM" "$GLUE" "$SNIPPET"; do
  [ -f "$f" ] || continue
  r=$(size_of "$f"); g=$(gz_of "$f")
  TOTAL_RAW=$((TOTAL_RAW + r)); TOTAL_GZ=$((TOTAL_GZ + g))
  printf '%-32s %10d %10d\n' "${f#"$ROOT"/}" "$r" "$g"
done
printf '%-32s %10d %10d\n' total "$TOTAL_RAW" "$TOTAL_GZ"
echo
echo "Pinned snippet (same bytes as /tamara-checkout.js; Subresource Integrity):"
echo "  <script type=\"module\" src=\"https://YOUR-WORKER/$(manifest snippet)\" integrity=\"$(manifest integrity)\" crossorigin=\"anonymous\"></script>"
