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
if [ ! -x "$WASM_OPT_BIN" ]; then
  echo "build-worker: $WASM_OPT_BIN missing; building without wasm-opt" >&2
  set -- --no-opt "$@"
fi
worker-build --release "$@"
WASM="$ROOT/crates/tamara-worker/build/index_bg.wasm"
if [ -f "$WASM" ]; then
  echo "build-worker: $(stat -c %s "$WASM") bytes wasm, $(gzip -9c "$WASM" | wc -c) bytes gzipped"
fi
