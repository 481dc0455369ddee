#!/usr/bin/env bash
# Browser end-to-end tests (node's test runner + playwright-core + Debian Chromium) across the
# real local stack started by scripts/stack.sh on free ports. Screenshots: tests/artifacts/.
# Called by scripts/test.sh; runs with the Node 22 from node_modules (scripts/env.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true
node --version >&2
exec node --test --test-concurrency=1 --test-reporter=spec "$@" tests/browser/*.test.mjs
