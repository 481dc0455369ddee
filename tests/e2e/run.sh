#!/usr/bin/env bash
# End-to-end tests: builds the sandbox (release) and the Worker, then runs a test target of
# tamara-e2e (one sandbox + one `wrangler dev` on free 127.0.0.1 ports for the whole binary).
#
#   bash tests/e2e/run.sh [ARGS…]          the `e2e` target (and the harness's unit tests)
#   bash tests/e2e/run.sh --soak [ARGS…]   the `soak` target: 4 rounds of 3,000 create-checkouts,
#       then 3,000 signed webhooks delivered twice, at 200 connections; every checkout must answer
#       201 with a distinct order, every webhook 2xx, the Worker's log must hold no uncaught error,
#       and a sample of the orders must be in D1 with each webhook recorded once (about 1 minute)
#
# Needs `bash scripts/setup.sh` first. Extra args go to the test binary (e.g. a test name filter).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false

TARGET=e2e
if [ "${1:-}" = "--soak" ]; then
  TARGET=soak
  shift
fi

if ! [ -x node_modules/.bin/wrangler ] || ! command -v worker-build >/dev/null 2>&1; then
  echo "$TARGET: wrangler or worker-build missing: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi
# The test targets have `test = false`, so `cargo clippy --workspace --all-targets` skips them.
cargo clippy -p tamara-e2e --test "$TARGET" -- -D warnings
cargo build --release -p tamara-sandbox
bash scripts/build-worker.sh
# The widget's files in www/ (served as static assets; the embed tests check their CORS headers).
[ "$TARGET" = soak ] || bash scripts/build-widget.sh
if [ "$TARGET" = soak ]; then
  # Release build: the load generator shares the machine's CPUs with the stack.
  TAMARA_E2E_NO_BUILD=1 cargo test --release -p tamara-e2e --test soak -- --nocapture "$@"
else
  # The harness's unit tests (incl. the docs/worker-openapi.json check) and the e2e tests.
  TAMARA_E2E_NO_BUILD=1 cargo test -p tamara-e2e --lib --test e2e -- "$@"
fi
