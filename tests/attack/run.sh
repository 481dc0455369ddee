#!/usr/bin/env bash
# The attack suite (tests/attack/attack.mjs) against a local stack of its own (scripts/stack.sh on
# free 127.0.0.1 ports, the local demo's rate limits: nothing raised). Prints the counts: sent,
# refused, accepted-that-should-not-be (goal 0), 5xx (goal 0); fails unless both goals hold.
# Bounded: about 1,000 requests, ATTACK_DEADLINE_SECS (240 s) for the attacks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
. scripts/env.sh
export CI=true WRANGLER_SEND_METRICS=false

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
SANDBOX_PORT="$(free_port)"
WORKER_PORT="$(free_port)"
while [ "$WORKER_PORT" = "$SANDBOX_PORT" ]; do WORKER_PORT="$(free_port)"; done
STACK_DIR="$(mktemp -d /tmp/tamara-attack-stack-XXXXXX)"
unset STACK_RATE_LIMIT
export SANDBOX_PORT WORKER_PORT STACK_DIR
stop() {
  (cd "$ROOT" && bash scripts/stack.sh stop) || echo "attack: stopping the stack failed" >&2
  rm -rf "$STACK_DIR"
}
trap stop EXIT
bash scripts/stack.sh start
SECRETS=.dev.vars
[ -f "$SECRETS" ] || SECRETS=dev.vars.example
timeout 420 node tests/attack/attack.mjs "http://127.0.0.1:$WORKER_PORT" "http://127.0.0.1:$SANDBOX_PORT" "$SECRETS"
