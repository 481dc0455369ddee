#!/usr/bin/env bash
# The whole local stack on 127.0.0.1, no account, no network:
#   tamara-sandbox (offline stand-in for Tamara)  +  the Worker in `wrangler dev` (workerd, local D1).
#
#   bash scripts/stack.sh start    # build if needed, apply D1 migrations, start both, print URLs
#   bash scripts/stack.sh stop     # kill both process groups
#   bash scripts/stack.sh status   # what runs where
#
# Environment (all optional):
#   SANDBOX_PORT   sandbox port                        (7070)
#   WORKER_PORT    wrangler dev port                   (8787)
#   STACK_DIR      state dir: pgids, logs, D1 state    (.wrangler/stack, git-ignored)
#   STORE_URL      storefront base the Worker redirects shoppers to (the Worker itself)
#   MERCHANT_PORT  when set: also serve the example merchant site (examples/merchant-site, a store
#                  on its own origin embedding the widget; scripts/merchant-site.mjs) on this port
#   ALLOWED_ORIGINS comma-separated CORS origins       (the Worker's own origin, 127.0.0.1 and localhost,
#                  and the merchant site's)
#   STACK_REBUILD=1 force `cargo build` + `scripts/build-worker.sh`; STACK_NO_BUILD=1 never build
#   (the widget, `scripts/build-widget.sh`, is built whenever its inputs changed)
#   STACK_WAIT_SECS how long to wait for both servers  (90)
#   STACK_RATE_LIMIT every [[ratelimits]] limit (requests per client per period) of this stack,
#                   instead of wrangler.toml's local ones; load tests and benchmarks set it, the
#                   demo never does (its limits stay on)
#   INSPECTOR_PORT  wrangler's devtools port           (wrangler's default, 9229 or a free one)
#
# Both servers run under `setsid`; their process-group ids are kept in STACK_DIR and `stop` kills
# the whole group (wrangler's workerd children included). The sandbox is built with
# `cargo build --release -p tamara-sandbox` (the same binary the e2e tests and the demo use).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. "$ROOT/scripts/env.sh"
export CI=true WRANGLER_SEND_METRICS=false

SANDBOX_PORT="${SANDBOX_PORT:-7070}"
WORKER_PORT="${WORKER_PORT:-8787}"
STACK_DIR="${STACK_DIR:-$ROOT/.wrangler/stack}"
STACK_WAIT_SECS="${STACK_WAIT_SECS:-90}"
SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
WORKER_URL="http://127.0.0.1:$WORKER_PORT"
STORE_URL="${STORE_URL:-$WORKER_URL}"
MERCHANT_PORT="${MERCHANT_PORT:-}"
MERCHANT_URL="${MERCHANT_PORT:+http://127.0.0.1:$MERCHANT_PORT}"
ALLOWED_ORIGINS="${ALLOWED_ORIGINS:-$WORKER_URL,http://localhost:$WORKER_PORT${MERCHANT_URL:+,$MERCHANT_URL}}"
SANDBOX_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/tamara-sandbox"

die() { echo "stack: error: $*" >&2; exit 1; }
log() { echo "stack: $*"; }

# alive PGID: true while any process of that group exists.
alive() { [ -n "${1:-}" ] && kill -0 -- "-$1" 2>/dev/null; }
pgid_of() { cat "$STACK_DIR/$1.pgid" 2>/dev/null || true; }

# stop_one NAME: TERM the group, wait up to 5 s, then KILL.
stop_one() {
  local name="$1" pgid
  pgid="$(pgid_of "$name")"
  if alive "$pgid"; then
    kill -TERM -- "-$pgid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pgid" || break; sleep 0.1; done
    if alive "$pgid"; then kill -KILL -- "-$pgid" 2>/dev/null || true; fi
    log "stopped $name (process group $pgid)"
  fi
  rm -f "$STACK_DIR/$name.pgid"
}

# port_busy PORT: something already listens on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# http_up URL: the server answers HTTP at all (any status).
http_up() {
  local code
  code="$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true)"
  [ -n "$code" ] && [ "$code" != "000" ]
}

# newer_than OUTPUT DIRS...: true if OUTPUT is missing or any file under DIRS is newer.
newer_than() {
  local out="$1"; shift
  [ -e "$out" ] || return 0
  [ -n "$(find "$@" -newer "$out" -type f -print -quit 2>/dev/null)" ]
}

# derive_config OUT: wrangler.toml without its [build] section (the Worker is prebuilt here, so
# wrangler neither rebuilds it at start nor on every source change) and with absolute paths, so the
# copy can live in STACK_DIR. Secrets then come from --env-file (.dev.vars), not the config dir.
derive_config() {
  local no_assets=0
  if [ ! -d www ]; then
    no_assets=1
    log "warning: www/ does not exist yet; starting the Worker without static assets"
  fi
  awk -v root="$ROOT" -v no_assets="$no_assets" -v rate_limit="${STACK_RATE_LIMIT:-}" '
    rate_limit != "" && /^[[:space:]]*simple[[:space:]]*=/ {
      sub(/limit[[:space:]]*=[[:space:]]*[0-9]+/, "limit = " rate_limit)
    }
    /^[[:space:]]*\[/ {
      skip = ($0 ~ /^[[:space:]]*\[build\][[:space:]]*$/) ||
             (no_assets == 1 && $0 ~ /^[[:space:]]*\[assets\][[:space:]]*$/)
    }
    skip { next }
    /^[[:space:]]*(main|directory|migrations_dir)[[:space:]]*=[[:space:]]*"[^"\/][^"]*"/ {
      sub(/"/, "\"" root "/")
    }
    { print }
  ' wrangler.toml >"$1"
}

# The Worker's entry point as wrangler.toml's `main` names it.
worker_main() {
  sed -n 's/^[[:space:]]*main[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' wrangler.toml | head -n1
}

build() {
  [ "${STACK_NO_BUILD:-0}" = 1 ] && return 0
  [ -f crates/tamara-sandbox/Cargo.toml ] || die "crates/tamara-sandbox is missing"
  if [ "${STACK_REBUILD:-0}" = 1 ] || newer_than "$SANDBOX_BIN" crates/tamara-sandbox crates/tamara-core/src Cargo.lock; then
    log "building the sandbox (cargo build --release -p tamara-sandbox) ..."
    cargo build --release -p tamara-sandbox
  fi
  local main
  main="$(worker_main)"
  [ -n "$main" ] || die "wrangler.toml has no main = \"...\""
  if [ "${STACK_REBUILD:-0}" = 1 ] || newer_than "$main" crates/tamara-worker crates/tamara-core/src Cargo.lock; then
    [ -f scripts/build-worker.sh ] || die "scripts/build-worker.sh is missing"
    log "building the Worker (bash scripts/build-worker.sh) ..."
    bash scripts/build-worker.sh
  fi
  # The widget the Worker serves from www/ (www/pkg/ is build output; skipped when unchanged).
  [ -f scripts/build-widget.sh ] || die "scripts/build-widget.sh is missing"
  bash scripts/build-widget.sh
}

start() {
  command -v wrangler >/dev/null 2>&1 || die "wrangler not found: run 'bash scripts/setup.sh' first"
  [ -f wrangler.toml ] || die "wrangler.toml is missing (the Worker has not landed yet)"
  mkdir -p "$STACK_DIR"
  if alive "$(pgid_of sandbox)" || alive "$(pgid_of worker)"; then
    log "already running:"; status || true; return 0
  fi
  port_busy "$SANDBOX_PORT" && die "port $SANDBOX_PORT is taken (set SANDBOX_PORT)"
  port_busy "$WORKER_PORT" && die "port $WORKER_PORT is taken (set WORKER_PORT)"
  if [ -n "$MERCHANT_PORT" ] && port_busy "$MERCHANT_PORT"; then die "port $MERCHANT_PORT is taken (set MERCHANT_PORT)"; fi

  build
  [ -x "$SANDBOX_BIN" ] || die "$SANDBOX_BIN is missing (unset STACK_NO_BUILD)"

  if [ ! -f .dev.vars ]; then
    [ -f dev.vars.example ] || die "dev.vars.example is missing"
    cp dev.vars.example .dev.vars
    log "wrote .dev.vars from dev.vars.example (sandbox-only development values)"
  fi

  local persist="$STACK_DIR/state" config="$STACK_DIR/wrangler.toml"
  mkdir -p "$persist"
  derive_config "$config"
  log "applying D1 migrations (local, $persist) ..."
  wrangler d1 migrations apply DB --local --config "$config" --persist-to "$persist" >"$STACK_DIR/migrations.log" 2>&1 \
    || { tail -n 30 "$STACK_DIR/migrations.log" >&2; die "D1 migrations failed"; }

  log "starting the sandbox on $SANDBOX_URL ..."
  # `bash -c 'echo $$ …; exec …'` records the id of the process that called setsid(): the group id.
  setsid bash -c 'echo $$ > "$0"; exec "$@"' "$STACK_DIR/sandbox.pgid" \
    "$SANDBOX_BIN" --bind 127.0.0.1 --port "$SANDBOX_PORT" --public-url "$SANDBOX_URL" \
    </dev/null >"$STACK_DIR/sandbox.log" 2>&1 &

  log "starting the Worker (wrangler dev) on $WORKER_URL ..."
  # A private dev registry: other `wrangler dev` sessions starting or stopping on this machine
  # would otherwise make this one reload mid-request.
  WRANGLER_REGISTRY_PATH="$STACK_DIR/registry" setsid bash -c 'echo $$ > "$0"; exec "$@"' "$STACK_DIR/worker.pgid" \
    wrangler dev --config "$config" --env-file "$ROOT/.dev.vars" \
    --ip 127.0.0.1 --port "$WORKER_PORT" --persist-to "$persist" \
    --show-interactive-dev-session=false --log-level "${WRANGLER_LOG_LEVEL:-info}" \
    ${INSPECTOR_PORT:+--inspector-port "$INSPECTOR_PORT"} --inspector-ip 127.0.0.1 \
    --var "TAMARA_API_BASE:$SANDBOX_URL" --var "PUBLIC_URL:$WORKER_URL" \
    --var "STORE_URL:$STORE_URL" --var "ALLOWED_ORIGINS:$ALLOWED_ORIGINS" \
    --var "SANDBOX_CLOCK_URL:$SANDBOX_URL/_sandbox/clock" \
    </dev/null >"$STACK_DIR/worker.log" 2>&1 &

  if [ -n "$MERCHANT_PORT" ]; then
    log "starting the example merchant site on $MERCHANT_URL ..."
    setsid bash -c 'echo $$ > "$0"; exec "$@"' "$STACK_DIR/merchant.pgid" \
      node "$ROOT/scripts/merchant-site.mjs" --port "$MERCHANT_PORT" --worker "$WORKER_URL" \
      </dev/null >"$STACK_DIR/merchant.log" 2>&1 &
  fi

  local deadline=$((SECONDS + STACK_WAIT_SECS)) sandbox_ok=0 worker_ok=0
  while [ $SECONDS -lt $deadline ]; do
    [ $sandbox_ok = 1 ] || { http_up "$SANDBOX_URL/_sandbox/clock" && sandbox_ok=1; }
    [ $worker_ok = 1 ] || { http_up "$WORKER_URL/api/catalog" && worker_ok=1; }
    [ $sandbox_ok = 1 ] && [ $worker_ok = 1 ] && break
    sleep 0.5
    for name in sandbox worker ${MERCHANT_PORT:+merchant}; do
      if ! alive "$(pgid_of "$name")"; then
        echo "--- $STACK_DIR/$name.log (last 40 lines)" >&2
        tail -n 40 "$STACK_DIR/$name.log" >&2 || true
        stop
        die "$name exited during start"
      fi
    done
  done
  if [ $sandbox_ok != 1 ] || [ $worker_ok != 1 ]; then
    for name in sandbox worker; do
      echo "--- $STACK_DIR/$name.log (last 40 lines)" >&2
      tail -n 40 "$STACK_DIR/$name.log" >&2 || true
    done
    stop
    die "the stack did not answer within ${STACK_WAIT_SECS}s"
  fi
  echo
  print_urls
}

print_urls() {
  cat <<EOF
Local stack is up (127.0.0.1 only):
  Storefront            $STORE_URL/
  POS page (in-store)   $STORE_URL/pos.html
  Worker API            $WORKER_URL/api/catalog
  Sandbox (Tamara)      $SANDBOX_URL
  Sandbox control API   $SANDBOX_URL/_sandbox/orders   (clock: $SANDBOX_URL/_sandbox/clock)
  Sandbox SMS outbox    $SANDBOX_URL/_sandbox/sms
  Logs                  $STACK_DIR/{sandbox,worker}.log
EOF
  if [ -n "$MERCHANT_PORT" ]; then
    cat <<EOF
  Merchant site (embed) $MERCHANT_URL/   (another origin: the widget, return pages, status call;
                        ?lang=ar, ?items=TSHIRT-1:4, ?pin=1 for the pinned snippet with integrity,
                        ?popup=1 for Tamara in a new tab while the page follows the order)
EOF
  fi
}

status() {
  local rc=0
  for name in sandbox worker; do
    local pgid
    pgid="$(pgid_of "$name")"
    if alive "$pgid"; then
      echo "$name: running (process group $pgid)"
    else
      echo "$name: stopped"; rc=1
    fi
  done
  if [ $rc = 0 ]; then
    http_up "$SANDBOX_URL/_sandbox/clock" && echo "sandbox answers at $SANDBOX_URL" || echo "sandbox does not answer at $SANDBOX_URL"
    http_up "$WORKER_URL/api/catalog" && echo "worker answers at $WORKER_URL" || echo "worker does not answer at $WORKER_URL"
  fi
  return $rc
}

stop() {
  stop_one merchant
  stop_one worker
  stop_one sandbox
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  urls) print_urls ;;
  *) echo "usage: $0 start|stop|status|urls" >&2; exit 2 ;;
esac
