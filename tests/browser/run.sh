#!/usr/bin/env bash
# The browser tests: real headless Chromium (/usr/bin/chromium) against a private Openslot.
# Needs the built Worker (build/) and the fakes binary; prints node's TAP with `# pass N`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../support/env.sh"
cd "$REPO_ROOT"
cargo build -q -p openslot-fakes --locked
exec node --test --test-reporter=tap --test-concurrency=1 'tests/browser/*.test.mjs'
