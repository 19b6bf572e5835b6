#!/usr/bin/env bash
# `make test`: every check and test of Openslot, in order of speed. Installs what is missing,
# runs them all even when one fails, and ends with one line: `N passed, N failed`.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

LOG_DIR="target/test-logs"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/*.log
failed_steps=()

step() {
  local name="$1"; shift
  echo "==> $name"
  if "$@" 2>&1 | tee "$LOG_DIR/$name.log"; then
    return 0
  fi
  failed_steps+=("$name")
  return 1
}

bash tests/support/install.sh || { echo "installing the toolchain failed"; echo "0 passed, 1 failed"; exit 1; }

step fmt cargo fmt --all -- --check
step clippy-native cargo clippy --workspace --all-targets --locked -- -D warnings
step clippy-wasm32 cargo clippy --target wasm32-unknown-unknown --lib --locked -- -D warnings
step unit cargo test -p openslot --lib --locked
step fakes cargo test -p openslot-fakes --locked
# ARCHITECTURE.md's invariants on the source text (code map complete, SQL only in the store).
step architecture cargo test -p openslot --test architecture --locked
# The wire layer's requests, sent to the fakes over real HTTP (native, no Worker needed).
step provider-wire cargo test -p openslot --test provider_wire --locked
# The CalDAV wire layer against a real CalDAV server (Radicale, installed by install.sh).
step caldav-wire cargo test -p openslot --test caldav_wire --locked
if step build-worker bash tests/support/build-worker.sh; then
  step e2e cargo test -p openslot --test e2e --locked
  # wrangler.toml as Cloudflare would take it (bindings without ids are provisioned on deploy).
  step deploy-dry-run bash tests/support/deploy.sh --dry-run
  step browser bash tests/browser/run.sh
else
  failed_steps+=("e2e and browser (not run: the Worker did not build)")
fi

passed=0; failed=0
while read -r p f; do
  passed=$((passed + p)); failed=$((failed + f))
done < <(cat "$LOG_DIR"/*.log | sed -n \
  -e 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' \
  -e 's/^# pass \([0-9]*\)$/\1 0/p' \
  -e 's/^# fail \([0-9]*\)$/0 \1/p')

echo
if [ ${#failed_steps[@]} -gt 0 ]; then
  echo "Failed steps: ${failed_steps[*]}"
  # A failed step with no failing test (fmt, clippy, build) still counts as a failure.
  [ "$failed" -eq 0 ] && failed=${#failed_steps[@]}
fi
echo "$passed passed, $failed failed"
[ ${#failed_steps[@]} -eq 0 ]
