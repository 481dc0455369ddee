#!/usr/bin/env bash
# Fuzzes the Worker's HTTP API from its own OpenAPI document (docs/worker-openapi.json), then
# tamara-sandbox's from docs/openapi/tamara-openapi.json, with schemathesis, against the real
# local stack: tamara-sandbox + the Worker in `wrangler dev` (workerd, local D1) on free
# 127.0.0.1 ports, in a state dir of its own, stopped on exit.
#
#   bash tests/fuzz/run.sh            # FUZZ_EXAMPLES (50 per operation), FUZZ_SEED (1)
#
# Every generated request (examples, coverage of each schema constraint and its violations,
# random fuzzing, stateful sequences through the document's links) is sent with the admin token
# (the sandbox: the Tamara API token), and the run fails on any of schemathesis's checks but one:
#   - no 5xx; status codes, content types, headers and bodies as documented;
#   - requests that violate the schema are refused (4xx), required headers are required,
#     undeclared methods get 405 with Allow, authentication is not ignored.
# Left out: `positive_data_acceptance` (a schema-valid request must be accepted): some rules are
# business rules a schema cannot state. Worker: SKUs must be in the D1 catalog, phone numbers
# must be mobile numbers of the request's country, payment-options needs `amount` or `items`
# (OpenAPI 3.0 cannot make one of two query parameters required). Sandbox: orders must exist and
# be in a state that allows the call. Those get documented 4xx answers.
# Needs `bash scripts/setup.sh` first (.venv-fuzz/ from tests/fuzz/requirements.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false

ST="$ROOT/.venv-fuzz/bin/schemathesis"
if ! [ -x "$ST" ]; then
  echo "fuzz: $ST missing: run 'bash scripts/setup.sh' first" >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
SANDBOX_PORT="$(free_port)"
WORKER_PORT="$(free_port)"
while [ "$WORKER_PORT" = "$SANDBOX_PORT" ]; do WORKER_PORT="$(free_port)"; done
STACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tamara-fuzz-XXXXXX")"
# Schemathesis sends thousands of requests from one client: raise this stack's per-client limits
# (429 is documented and tolerated, but the fuzzer should reach the handlers).
STACK_RATE_LIMIT="${STACK_RATE_LIMIT:-1000000}"
export SANDBOX_PORT WORKER_PORT STACK_DIR STACK_RATE_LIMIT
stop() { # from the repo root: the fuzz runs below change directory
  (cd "$ROOT" && bash scripts/stack.sh stop) || echo "fuzz: stopping the stack failed" >&2
  rm -rf "$STACK_DIR"
}
trap stop EXIT

bash scripts/stack.sh start

SECRETS=.dev.vars
[ -f "$SECRETS" ] || SECRETS=dev.vars.example
TOKEN="$(sed -n 's/^ADMIN_TOKEN=//p' "$SECRETS" | head -n1)"
[ -n "$TOKEN" ] || { echo "fuzz: no ADMIN_TOKEN in $SECRETS" >&2; exit 1; }

REPORTS="$ROOT/tests/artifacts/fuzz"
mkdir -p "$REPORTS"
fuzz() { # SPEC URL TOKEN REPORT [extra schemathesis args]
  local spec="$1" url="$2" token="$3" report="$4"
  shift 4
  "$ST" run "$spec" --url "$url" --header "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance \
    --max-examples "${FUZZ_EXAMPLES:-50}" --seed "${FUZZ_SEED:-1}" --workers 1 \
    --request-timeout 30 --report junit --report-junit-path "$REPORTS/$report" --no-color "$@"
}
# From the state dir: schemathesis keeps its example database in the working directory.
cd "$STACK_DIR"
status=0
echo "fuzz: the Worker (docs/worker-openapi.json)"
fuzz "$ROOT/docs/worker-openapi.json" "http://127.0.0.1:$WORKER_PORT" "$TOKEN" worker.junit.xml || status=1
# Then the sandbox, as its own product, from the document its contract tests use. Its fault
# injection is left out (an injected 503 is a 5xx by design); the clock and reset are fuzzed.
API_TOKEN="$(sed -n 's/^TAMARA_API_TOKEN=//p' "$ROOT/$SECRETS" | head -n1)"
echo "fuzz: tamara-sandbox (docs/openapi/tamara-openapi.json)"
fuzz "$ROOT/docs/openapi/tamara-openapi.json" "http://127.0.0.1:$SANDBOX_PORT" "$API_TOKEN" sandbox.junit.xml \
  --exclude-path-regex '^/_sandbox/faults' || status=1
exit "$status"
