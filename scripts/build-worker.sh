#!/usr/bin/env bash
# Builds the Worker (crates/tamara-worker) with worker-build, offline: worker-build is pointed at
# the pinned wasm-bindgen, wasm-opt and esbuild by scripts/env.sh. Output:
# crates/tamara-worker/build/index.js + index_bg.wasm (wrangler.toml `main`).
# Used by wrangler.toml [build]; run it directly too. Extra args go to worker-build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/env.sh"
cd "$ROOT/crates/tamara-worker"
for tool in worker-build wasm-bindgen; do
  command -v "$tool" >/dev/null 2>&1 || { echo "build-worker: $tool missing; run scripts/setup.sh" >&2; exit 1; }
done
# Fast path: skip when the output is newer than every input (wrangler runs this on each start).
# WORKER_BUILD_FORCE=1 always rebuilds; extra args also force a build.
OUT="$ROOT/crates/tamara-worker/build"
if [ "${WORKER_BUILD_FORCE:-0}" != 1 ] && [ $# -eq 0 ] \
   && [ -f "$OUT/index.js" ] && [ -f "$OUT/index_bg.wasm" ] \
   && [ -z "$(find "$ROOT/crates/tamara-worker/src" "$ROOT/crates/tamara-core/src" \
                   "$ROOT/crates/tamara-worker/Cargo.toml" "$ROOT/crates/tamara-core/Cargo.toml" \
                   "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$OUT/index_bg.wasm" -print -quit)" ]; then
  echo "build-worker: up to date ($OUT); WORKER_BUILD_FORCE=1 to rebuild"
  exit 0
fi
worker-build --release "$@"
WASM="$ROOT/crates/tamara-worker/build/index_bg.wasm"
# wasm-opt -Oz to a fixed point (worker-build's own step is off: it keeps debug names). The two
# assumptions hold for rustc's wasm32 output: the memory is the module's own (zero-filled when
# instantiated) and the low 1 KiB is never used (stack and data start at 1 MiB). The feature list is
# worker-build's: nothing newer than workerd runs. WORKER_KEEP_NAMES=1 keeps function names (for
# CPU profiles; build with CARGO_PROFILE_RELEASE_STRIP=false too).
if [ -x "$WASM_OPT_BIN" ] && [ -f "$WASM" ]; then
  echo "build-worker: wasm-opt -Oz --converge ..."
  "$WASM_OPT_BIN" "$WASM" -o "$WASM.opt" -Oz --low-memory-unused --zero-filled-memory --converge \
    $([ "${WORKER_KEEP_NAMES:-0}" = 1 ] && echo --debuginfo || echo --strip-debug) --strip-producers \
    --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling
  mv "$WASM.opt" "$WASM"
else
  echo "build-worker: $WASM_OPT_BIN missing; the wasm is not optimised (run scripts/setup.sh)" >&2
fi
if [ -f "$WASM" ]; then
  echo "build-worker: $(stat -c %s "$WASM") bytes wasm, $(gzip -9c "$WASM" | wc -c) bytes gzipped"
fi
