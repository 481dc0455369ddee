#!/usr/bin/env bash
# The set-up self-test: one line per check, PASS or FAIL with what to do, never a secret.
#
#   bash scripts/doctor.sh                      the local stack (http://127.0.0.1:8787, .dev.vars)
#   bash scripts/doctor.sh --env production     the deployed Worker at [env.production.vars] PUBLIC_URL
#   bash scripts/doctor.sh --url URL           another Worker URL
#   bash scripts/doctor.sh --fix               first registers this Worker's webhook at Tamara
#                                              (POST /admin/webhooks/ensure: idempotent)
#
# The admin token comes from $ADMIN_TOKEN, else (local only) from .dev.vars. It is sent in a
# header read from stdin, never on a command line. Checks of wrangler.toml (cron, D1 id) are
# made here; the rest by the Worker's GET /admin/doctor. Exit status 1 when any check fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ENV_NAME=""
URL=""
FIX=0
while [ $# -gt 0 ]; do
  case "$1" in
    --env) ENV_NAME="${2:?--env needs a name}"; shift 2 ;;
    --url) URL="${2:?--url needs a URL}"; shift 2 ;;
    --fix) FIX=1; shift ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) echo "doctor: unknown argument $1" >&2; exit 2 ;;
  esac
done

# Static checks of wrangler.toml for the chosen environment, and the default URL.
STATIC="$(python3 - "$ENV_NAME" <<'PY'
import sys, tomllib
env = sys.argv[1]
cfg = tomllib.load(open("wrangler.toml", "rb"))
sect = cfg.get("env", {}).get(env, {}) if env else cfg
label = f"[env.{env}]" if env else "top level"
out = []
if env and env not in cfg.get("env", {}):
    out.append(f"FAIL wrangler.environment: no [env.{env}] in wrangler.toml → add it (see [env.production])")
crons = sect.get("triggers", {}).get("crons", [])
if crons:
    out.append(f"PASS wrangler.cron: {label} triggers.crons = {crons}")
else:
    out.append(f"FAIL wrangler.cron: {label} has no triggers.crons → add crons = [\"*/10 * * * *\"] (reconciliation)")
dbs = sect.get("d1_databases", [])
db = next((d for d in dbs if d.get("binding") == "DB"), None)
if db is None:
    out.append(f"FAIL wrangler.d1: {label} has no d1_databases binding DB → add [[{'env.'+env+'.' if env else ''}d1_databases]] binding = \"DB\"")
elif env and set(db.get("database_id", "").replace("-", "")) <= {"0", "1", "2"}:
    out.append(f"FAIL wrangler.d1: {label} database_id is a placeholder → npx wrangler d1 create {db.get('database_name')} and put its id in wrangler.toml")
else:
    out.append(f"PASS wrangler.d1: {label} binds DB to {db.get('database_name')}")
url = sect.get("vars", {}).get("PUBLIC_URL", "http://127.0.0.1:8787")
print("URL " + url)
print("\n".join(out))
PY
)"
DEFAULT_URL="$(printf '%s\n' "$STATIC" | sed -n 's/^URL //p')"
URL="${URL:-$DEFAULT_URL}"
URL="${URL%/}"

TOKEN="${ADMIN_TOKEN:-}"
if [ -z "$TOKEN" ] && [ -z "$ENV_NAME" ] && [ -f .dev.vars ]; then
  TOKEN="$(sed -n 's/^ADMIN_TOKEN=//p' .dev.vars | head -1)"
fi

FAILED=0
printf '%s\n' "$STATIC" | grep -v '^URL ' || true
if printf '%s\n' "$STATIC" | grep -q '^FAIL'; then FAILED=1; fi

if [ -z "$TOKEN" ]; then
  echo "FAIL admin.token: ADMIN_TOKEN is not set here → export ADMIN_TOKEN=… (the Worker's ADMIN_TOKEN secret)"
  exit 1
fi

call() { # METHOD PATH → body on stdout, HTTP status in $STATUS_FILE
  printf 'Authorization: Bearer %s\n' "$TOKEN" |
    curl -sS -m 30 -o - -w '\n%{http_code}' -X "$1" -H @- "$URL$2" 2>/dev/null || printf '\n000'
}

if [ "$FIX" = 1 ]; then
  call POST /admin/webhooks/ensure | python3 /dev/fd/3 3<<'PY' || FAILED=1
import json, sys
raw = sys.stdin.read()
body, _, status = raw.rpartition("\n")
try:
    v = json.loads(body)
except ValueError:
    v = {}
if status == "200":
    what = "registered" if v.get("created") else ("updated" if v.get("updated") else "already registered, kept")
    print(f"PASS fix.webhook: {v.get('url')} {what} (id {v.get('webhook_id')})")
else:
    e = v.get("error", {}) if isinstance(v, dict) else {}
    hint = e.get("message", "is the Worker running at the URL?")
    print(f"FAIL fix.webhook: POST /admin/webhooks/ensure answered {status} {e.get('code', '')} → {hint}")
    sys.exit(1)
PY
fi

call GET /admin/doctor | URL="$URL" python3 /dev/fd/3 3<<'PY' || FAILED=1
import json, os, sys
raw = sys.stdin.read()
body, _, status = raw.rpartition("\n")
url = os.environ["URL"]
if status != "200":
    try:
        e = json.loads(body).get("error", {})
    except (ValueError, AttributeError):
        e = {}
    hints = {
        "000": f"no answer from {url}: is the Worker running (bash scripts/demo.sh, or deployed)?",
        "401": "the Worker refused the admin token: use its ADMIN_TOKEN",
    }
    hint = hints.get(status, f"{e.get('code', '')}: {e.get('message', '')}")
    print(f"FAIL worker.reachable: GET {url}/admin/doctor answered {status} → {hint}")
    sys.exit(1)
print(f"PASS worker.reachable: {url}")
v = json.loads(body)
for c in v["checks"]:
    if c["ok"]:
        print(f"PASS {c['name']}: {c['detail']}")
    else:
        print(f"FAIL {c['name']}: {c['detail']} → {c['fix']}")
sys.exit(0 if v["ok"] else 1)
PY

if [ "$FAILED" = 0 ]; then echo "doctor: all checks passed"; else echo "doctor: some checks FAILED"; fi
exit "$FAILED"
