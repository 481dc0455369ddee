#!/usr/bin/env bash
# THE test command: installs what it needs (scripts/setup.sh), then runs every test step.
# Each step's own output stays visible; the last line is "N passed, M failed" (steps).
# To add a step: append a `step "<name>" <command...>` line in the list below.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
. scripts/env.sh
export CI=true                      # no prompts from wrangler / npm
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-auto}"

PASSED=0
FAILED=0
FAILED_STEPS=()

# step NAME CMD...: runs CMD, records pass/fail, never stops the run.
step() {
  local name="$1"; shift
  echo
  echo "==> $name: $*"
  if "$@"; then
    echo "<== $name: passed"
    PASSED=$((PASSED + 1))
  else
    echo "<== $name: FAILED (exit $?)"
    FAILED=$((FAILED + 1))
    FAILED_STEPS+=("$name")
  fi
}

# crate_exists NAME: true if crates/NAME is in the tree (later crates add their steps below).
crate_exists() { [ -f "crates/$1/Cargo.toml" ]; }

# ---- Steps ------------------------------------------------------------------------------------
step "fmt"          cargo fmt --all -- --check
step "clippy"       cargo clippy --workspace --all-targets -- -D warnings
step "native tests" cargo test --workspace

# wasm32: use -p, never --workspace (native-only crates are in the workspace). Node-mode tests
# run under wasm-bindgen-test-runner with the Node 22 from node_modules (first on PATH).
step "wasm tests (tamara-core, node)" cargo test -p tamara-core --target wasm32-unknown-unknown

# Per-crate steps, enabled as the crates land:
# tamara-widget: browser tests in headless Debian Chromium (CHROMEDRIVER is set by env.sh).
if crate_exists tamara-widget; then
  step "wasm tests (tamara-widget, browser)" cargo test -p tamara-widget --target wasm32-unknown-unknown
fi
# tamara-worker: the Worker must build (worker-build; wasm-opt/esbuild from node_modules via env.sh).
# scripts/build-worker.sh is also wrangler.toml's [build] command.
if crate_exists tamara-worker && [ -f scripts/build-worker.sh ]; then
  step "worker build" bash scripts/build-worker.sh
fi

# End-to-end / integration scripts: every tests/*.sh is one step (run from the repo root).
for t in tests/*.sh; do
  [ -e "$t" ] || continue
  step "$t" bash "$t"
done

# ---- Summary ----------------------------------------------------------------------------------
echo
if [ "$FAILED" -gt 0 ]; then
  echo "failed steps: ${FAILED_STEPS[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
