#!/usr/bin/env bash
# Builds the Worker (build/index.js + build/index_bg.wasm) with the pinned helper binaries.
# `--release-opt` runs wasm-opt for the deployable, smallest build; the default skips it for speed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
if [ "${1:-}" = "--release-opt" ]; then
  worker-build --release
else
  worker-build --release --no-opt
fi
