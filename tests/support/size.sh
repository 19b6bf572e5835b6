#!/usr/bin/env bash
# Reports the deployable Worker's size (wasm + JS glue), raw and gzipped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT/build"
total_raw=0; total_gz=0
for file in index_bg.wasm index.js; do
  raw=$(stat -c %s "$file"); gz=$(gzip -9 -c "$file" | wc -c)
  printf '%-16s %8d bytes, %8d gzipped\n' "$file" "$raw" "$gz"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
done
printf '%-16s %8d bytes, %8d gzipped (%d KiB)\n' total "$total_raw" "$total_gz" $((total_gz / 1024))
