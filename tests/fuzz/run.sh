#!/usr/bin/env bash
# `make fuzz`: each cargo-fuzz target for a bounded time (FUZZ_SECONDS, default 60).
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../support/env.sh"
cd "$REPO_ROOT"
CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
export RUSTC_BOOTSTRAP=1
for target in booking_form time_strings ics_writer; do
  echo "== fuzzing $target for ${FUZZ_SECONDS:-60} s"
  cargo fuzz run --fuzz-dir tests/fuzz "$target" -- -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=2048 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|Done|==[0-9]+==|SUMMARY|thread .* panicked)" || true
  test "${PIPESTATUS[0]}" -eq 0
done
