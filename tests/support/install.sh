#!/usr/bin/env bash
# Installs what building and testing Openslot needs and is missing; safe to run again.
# Everything comes from the package registries (crates.io, npm, Debian) at pinned versions.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if ! worker-build --version 2>/dev/null | grep -q "$WORKER_BUILD_VERSION"; then
  cargo install worker-build --version "$WORKER_BUILD_VERSION" --locked
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  # Not --locked: its lock file wants a webpki-roots version the registry here lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
# Install when the lock changed since the last install (or nothing is installed yet).
if [ ! -x node_modules/.bin/wrangler ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install`, not `npm ci`: the registry here lacks some other platforms' optional
  # workerd builds, which `npm ci` insists on; `npm install` keeps the lock as it is.
  npm install --no-audit --no-fund
fi
# schemathesis fuzzes the JSON API against openapi.yaml in the e2e suite (a venv in target/).
SCHEMATHESIS_VERSION=4.32.5
if ! target/tools/venv/bin/st --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv target/tools/venv
  target/tools/venv/bin/pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
# The Standard Webhooks reference verifier checks our webhook signatures (tests/e2e/webhooks.rs).
STANDARDWEBHOOKS_VERSION=1.3.0
if ! target/tools/venv/bin/pip show standardwebhooks 2>/dev/null | grep -q "^Version: $STANDARDWEBHOOKS_VERSION$"; then
  target/tools/venv/bin/pip install --quiet --disable-pip-version-check "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
fi
# A real CalDAV server for the CalDAV tests (tests/caldav_wire.rs): Radicale, pinned.
RADICALE_VERSION=3.9.0
if ! target/tools/venv/bin/pip show radicale 2>/dev/null | grep -q "^Version: $RADICALE_VERSION$"; then
  target/tools/venv/bin/pip install --quiet --disable-pip-version-check "radicale==$RADICALE_VERSION"
fi
# The browser tests drive Debian's Chromium (playwright-core never downloads a browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update && apt-get install -y chromium
  else
    sudo apt-get update && sudo apt-get install -y chromium
  fi
fi
