#!/usr/bin/env bash
# Builds the Worker (build/index.js + build/index_bg.wasm) with the pinned helper binaries.
# `--release-opt` runs wasm-opt for the deployable, smallest build; the default skips it for speed.
# worker-build's wasm-opt always keeps the name section (`--debuginfo`, for readable stack
# traces); the deployable build then drops it (`--strip-debug`), about 110 KB gzipped, which keeps
# the Worker under its 1 MB budget (BENCHMARKS.md, *Size*). `KEEP_WASM_NAMES=1` keeps the names,
# for the CPU profiles of `make cpu`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
if [ "${1:-}" = "--release-opt" ]; then
  worker-build --release
  if [ "${KEEP_WASM_NAMES:-}" != 1 ]; then
    # The same wasm features worker-build enables, so nothing newer is emitted.
    # `-Oz --converge` repeats worker-build's size passes until they gain nothing more, and
    # `--ignore-implicit-traps` lets them assume no load or division traps on its own, which
    # holds for Rust's code (bounds and divisors are checked before, and float-to-int
    # conversions saturate): about 4 KB gzipped together (BENCHMARKS.md, *Size*).
    "$WASM_OPT_BIN" build/index_bg.wasm -o build/index_bg.stripped.wasm --strip-debug \
      -Oz --converge --ignore-implicit-traps \
      --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int \
      --enable-bulk-memory --enable-multivalue --enable-reference-types --enable-exception-handling
    mv build/index_bg.stripped.wasm build/index_bg.wasm
  fi
else
  worker-build --release --no-opt
fi
