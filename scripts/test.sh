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

# ---- Steps ------------------------------------------------------------------------------------
step "fmt"          cargo fmt --all -- --check
step "clippy"       cargo clippy --workspace --all-targets -- -D warnings
# Native unit, integration, contract and property tests of every crate. The e2e crate needs the
# built Worker and wrangler, so it runs as its own step below.
step "native tests" cargo test --workspace --exclude tamara-e2e

# wasm32: use -p, never --workspace (native-only crates are in the workspace). Node-mode tests
# run under wasm-bindgen-test-runner with the Node 22 from node_modules (first on PATH).
step "wasm tests (tamara-core, node)" cargo test -p tamara-core --target wasm32-unknown-unknown
# The widget's wasm-bindgen tests in headless Debian Chromium (CHROMEDRIVER is set by env.sh).
step "wasm tests (tamara-widget, chromium)" cargo test -p tamara-widget --target wasm32-unknown-unknown

# Builds: the Worker (worker-build; also wrangler.toml's [build]) and the widget bundle in www/pkg.
step "worker build" bash scripts/build-worker.sh
step "widget build" bash scripts/build-widget.sh

# The Worker in real workerd (wrangler dev) against tamara-sandbox on 127.0.0.1.
step "e2e (worker in workerd + sandbox)" bash tests/e2e/run.sh
# 12,000 checkouts and 6,000 webhooks at 200 connections on a stack of its own: no error, no
# uncaught exception, orders in D1.
step "soak (worker under sustained load)" bash tests/e2e/run.sh --soak
# The storefront, widget and POS page in headless Chromium across the real local stack.
step "browser e2e (chromium + stack)" bash tests/browser/run.sh
# The project's attack suite against a stack of its own with the local demo's limits: forged,
# expired, replayed and long-lived webhook tokens, body and price tampering, injection, bad input,
# admin auth, CORS/Origin, rate limits, idempotency; 0 accepted-that-should-not-be, 0 5xx.
step "attack suite (tests/attack)" bash tests/attack/run.sh
# schemathesis generates requests from docs/worker-openapi.json against the real local stack.
step "fuzz (schemathesis vs docs/worker-openapi.json)" bash tests/fuzz/run.sh

# ---- Summary ----------------------------------------------------------------------------------
echo
if [ "$FAILED" -gt 0 ]; then
  echo "failed steps: ${FAILED_STEPS[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
