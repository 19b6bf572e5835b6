#!/usr/bin/env bash
# `make load`: a bounded load test (loopback only) of the booking page, the slots API and
# booking creation against the Worker on local workerd, with wrk (Debian's package).
# Each run is 10 s with 2 threads and 16 connections; prints requests/s and latency percentiles.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../support/env.sh"
cd "$REPO_ROOT"
command -v wrk >/dev/null || { if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; else sudo apt-get install -y wrk; fi; }
bash tests/support/build-worker.sh --release-opt >/dev/null

STATE="$(mktemp -d)"
PORT=8797
trap 'kill -- -$DEV_PID 2>/dev/null || true; rm -rf "$STATE"' EXIT
wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null
wrangler d1 execute DB --local --persist-to "$STATE" --file tests/support/demo-seed.sql >/dev/null
wrangler d1 execute DB --local --persist-to "$STATE" --file tests/load/load-seed.sql >/dev/null
setsid wrangler dev --local --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" \
  --show-interactive-dev-session=false --log-level warn \
  --var "TOKEN_ENCRYPTION_KEY:$(head -c 32 /dev/urandom | base64)" \
  --var "PUBLIC_BASE_URL:http://127.0.0.1:$PORT" --var "LOCAL_DEVELOPMENT:true" > "$STATE/workerd.log" 2>&1 &
DEV_PID=$!
for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.25; done

BASE="http://127.0.0.1:$PORT"
run() {
  local name="$1"; shift
  echo "== $name"
  wrk --threads 2 --connections 16 --duration 10s --timeout 5s --latency "$@" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx|requests in|statuses"
}
run "booking page (GET /demo/intro-call)" -s tests/load/client-ip.lua "$BASE/demo/intro-call?tz=America/New_York"
run "slots API (GET /api/v1/slots, 7 days)" -s tests/load/client-ip.lua "$BASE/api/v1/slots?host=demo&event=intro-call&tz=Asia/Tokyo"
run "booking creation (POST /api/v1/bookings, a new slot each time)" -s tests/load/create-booking.lua "$BASE" -- 2
echo "== bookings stored"
wrangler d1 execute DB --local --persist-to "$STATE" --json \
  --command "SELECT COUNT(*) AS bookings, COUNT(DISTINCT start_at) AS distinct_starts FROM bookings WHERE host_id = 'load-host'" \
  | grep -E '"bookings"|"distinct_starts"'
