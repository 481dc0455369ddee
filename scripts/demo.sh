#!/usr/bin/env bash
# The local demo: installs what it needs, starts the sandbox + the Worker (scripts/stack.sh),
# prints where to click and the development credentials, and stops everything on Ctrl-C.
# Ports: SANDBOX_PORT (7070), WORKER_PORT (8787), MERCHANT_PORT (8600: the example merchant site,
# another origin embedding the widget). Everything binds 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false
export MERCHANT_PORT="${MERCHANT_PORT:-8600}"

stopping=0
cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  echo
  bash scripts/stack.sh stop || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bash scripts/stack.sh start

# The admin token is whatever .dev.vars says (written from dev.vars.example: sandbox-only values).
admin_token="$(sed -n 's/^ADMIN_TOKEN[[:space:]]*=[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' .dev.vars 2>/dev/null | head -n1)"
echo
echo "Development credentials (sandbox only, never valid at Tamara):"
echo "  Sandbox API token           sandbox-api-token"
echo "  Sandbox notification token  sandbox-notification-token"
echo "  Sandbox public key          sandbox-public-key"
echo "  Worker admin token          ${admin_token:-see .dev.vars (ADMIN_TOKEN)}   (Authorization: Bearer ... on /admin/*)"
echo "Test phones on the hosted checkout: 544337866 approves, 526422337 declines."
echo
echo "Press Ctrl-C to stop."

# Wait until Ctrl-C, or until one of the servers dies (checked every 2 s).
while bash scripts/stack.sh status >/dev/null 2>&1; do
  sleep 2
done
echo "a server stopped; see the logs under ${STACK_DIR:-$ROOT/.wrangler/stack}" >&2
exit 1
