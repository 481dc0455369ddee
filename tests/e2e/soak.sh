#!/usr/bin/env bash
# Soak test: 4 rounds of 3,000 create-checkouts, then 3,000 signed webhooks delivered twice, at
# 200 connections against the Worker in `wrangler dev` (its own sandbox + Worker on free
# 127.0.0.1 ports): every checkout must answer 201 with a distinct order, every webhook 2xx, the
# Worker's log must hold no uncaught error, and a sample of the orders must be in D1 with each
# webhook recorded once. Needs `bash scripts/setup.sh` first. About 1 minute.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false

if ! [ -x node_modules/.bin/wrangler ] || ! command -v worker-build >/dev/null 2>&1; then
  echo "soak: wrangler or worker-build missing: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi
# The `soak` target has `test = false`, so `cargo clippy --workspace --all-targets` skips it.
cargo clippy -p tamara-e2e --test soak -- -D warnings
cargo build --release -p tamara-sandbox
bash scripts/build-worker.sh
TAMARA_E2E_NO_BUILD=1 cargo test --release -p tamara-e2e --test soak -- --nocapture "$@"
