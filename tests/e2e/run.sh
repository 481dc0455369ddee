#!/usr/bin/env bash
# End-to-end tests: builds the sandbox (release) and the Worker, then runs the `e2e` test target
# of tamara-e2e (one sandbox + one `wrangler dev` on free 127.0.0.1 ports for the whole binary).
# Needs `bash scripts/setup.sh` first. Extra args go to the test binary (e.g. a test name filter).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false

if ! [ -x node_modules/.bin/wrangler ] || ! command -v worker-build >/dev/null 2>&1; then
  echo "e2e: wrangler or worker-build missing: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi
# The `e2e` target has `test = false`, so `cargo clippy --workspace --all-targets` skips it.
cargo clippy -p tamara-e2e --test e2e -- -D warnings
cargo build --release -p tamara-sandbox
bash scripts/build-worker.sh
# The harness's unit tests (incl. the docs/worker-openapi.json check) and the e2e tests.
TAMARA_E2E_NO_BUILD=1 cargo test -p tamara-e2e --lib --test e2e -- "$@"
