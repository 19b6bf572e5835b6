#!/usr/bin/env bash
# `make cpu`: CPU per request of Openslot on local workerd against a hello-world Worker's floor,
# through the V8 inspector (tests/cpu/measure.mjs says how). Builds the deployable Worker
# (wasm-opt, names kept for the profiles), starts the provider fakes, Openslot with a fresh
# D1/KV (migrations + tests/support/demo-seed.sql) and the hello-world Worker the same way, then
# prints the table, `wrangler check startup` and the gzipped size. A benchmark, not a test.
# Per-function self/total times and .cpuprofile files land in target/cpu/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../support/env.sh"
cd "$REPO_ROOT"

bash tests/support/install.sh
if [ "${CPU_SKIP_BUILD:-}" != 1 ]; then
  KEEP_WASM_NAMES=1 bash tests/support/build-worker.sh --release-opt >/dev/null
fi
cargo build -q -p openslot-fakes

STATE="$(mktemp -d)"
FLOOR_STATE="$(mktemp -d)"
OUT_DIR="${CPU_OUT_DIR:-$REPO_ROOT/target/cpu}"
PORT=8871 INSPECTOR=9271 FLOOR_PORT=8872 FLOOR_INSPECTOR=9272 FAKES_PORT=8873
FAKES="http://127.0.0.1:$FAKES_PORT"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$STATE" "$FLOOR_STATE"
}
trap cleanup EXIT

wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null
wrangler d1 execute DB --local --persist-to "$STATE" --file tests/support/demo-seed.sql >/dev/null

setsid target/debug/openslot-fakes --port "$FAKES_PORT" > "$STATE/fakes.log" 2>&1 &
PIDS+=($!)
# shellcheck disable=SC2046
setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --inspector-port "$INSPECTOR" \
  --persist-to "$STATE" --show-interactive-dev-session=false --test-scheduled --log-level warn \
  --var "TOKEN_ENCRYPTION_KEY:$(head -c 32 /dev/urandom | base64)" \
  --var "PUBLIC_BASE_URL:http://127.0.0.1:$PORT" --var "LOCAL_DEVELOPMENT:true" \
  $(bash tests/support/fake-vars.sh "$FAKES") > "$STATE/workerd.log" 2>&1 &
PIDS+=($!)
setsid wrangler dev --config tests/cpu/hello/wrangler.toml --local --ip 127.0.0.1 \
  --port "$FLOOR_PORT" --inspector-port "$FLOOR_INSPECTOR" --persist-to "$FLOOR_STATE" \
  --show-interactive-dev-session=false --test-scheduled --log-level warn \
  > "$FLOOR_STATE/workerd.log" 2>&1 &
PIDS+=($!)
for url in "http://127.0.0.1:$PORT/healthz" "http://127.0.0.1:$FLOOR_PORT/" "$FAKES/_fake/state" \
  "http://127.0.0.1:$INSPECTOR/json" "http://127.0.0.1:$FLOOR_INSPECTOR/json"; do
  for _ in $(seq 1 240); do curl -sf -o /dev/null "$url" && break; sleep 0.25; done
  curl -sf -o /dev/null "$url" || { echo "not up: $url"; tail -20 "$STATE/workerd.log"; exit 1; }
done

OPENSLOT_URL="http://127.0.0.1:$PORT" OPENSLOT_INSPECTOR="127.0.0.1:$INSPECTOR" \
FLOOR_URL="http://127.0.0.1:$FLOOR_PORT" FLOOR_INSPECTOR="127.0.0.1:$FLOOR_INSPECTOR" \
FAKES_URL="$FAKES" STATE_DIR="$STATE" OUT_DIR="$OUT_DIR" \
  node tests/cpu/measure.mjs

echo
echo "== wrangler check startup (the Worker's startup CPU)"
wrangler check startup 2>&1 | grep -iE "startup|cpu|ms|error" | grep -v "^\s*$" | head -5 || true
mv -f worker-startup.cpuprofile "$OUT_DIR/" 2>/dev/null || true
echo
echo "== size"
bash tests/support/size.sh
echo
echo "Per-function self/total times and profiles: $OUT_DIR"
