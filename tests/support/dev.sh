#!/usr/bin/env bash
# `make dev`: installs what is missing, builds the Worker, applies migrations to the local D1,
# seeds a demo host, starts the provider fakes and `wrangler dev` on http://127.0.0.1:8787.
# Safe to run again: migrations are tracked, the seed only inserts what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"
PORT="${OPENSLOT_PORT:-8787}"
FAKES_PORT="${OPENSLOT_FAKES_PORT:-8788}"
STATE=".wrangler/state"

bash tests/support/install.sh
bash tests/support/build-worker.sh
cargo build -q -p openslot-fakes

if [ ! -f .dev.vars ]; then
  # A fresh random key for sealing tokens in the local KV; never committed (.gitignore).
  echo "TOKEN_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)" > .dev.vars
fi
wrangler d1 migrations apply DB --local --persist-to "$STATE" >/dev/null
wrangler d1 execute DB --local --persist-to "$STATE" --file tests/support/demo-seed.sql >/dev/null

target/debug/openslot-fakes --port "$FAKES_PORT" > .wrangler/fakes.log 2>&1 &
FAKES_PID=$!
# A real CalDAV server to connect from the dashboard (Radicale, installed by install.sh), with
# one demo account whose calendar it creates on first use; its store stays in .wrangler/.
CALDAV_PORT="${OPENSLOT_CALDAV_PORT:-5232}"
mkdir -p .wrangler/radicale
printf 'demo:demo-app-password\n' > .wrangler/radicale/users
target/tools/venv/bin/radicale --server-hosts "127.0.0.1:$CALDAV_PORT" \
  --storage-filesystem-folder .wrangler/radicale/store --auth-type htpasswd \
  --auth-htpasswd-encryption plain --auth-htpasswd-filename .wrangler/radicale/users \
  --rights-type owner_only --logging-level warning > .wrangler/radicale.log 2>&1 &
CALDAV_PID=$!
trap 'kill $FAKES_PID $CALDAV_PID 2>/dev/null || true' EXIT
FAKES="http://127.0.0.1:$FAKES_PORT"
# The demo calendar (a second MKCALENDAR answers 405: it exists already).
for _ in $(seq 1 40); do
  if curl -s -o /dev/null -u demo:demo-app-password -X MKCALENDAR \
      "http://127.0.0.1:$CALDAV_PORT/demo/calendar/"; then break; fi
  sleep 0.25
done

echo
echo "Openslot is starting on http://127.0.0.1:$PORT"
echo "  demo booking page: http://127.0.0.1:$PORT/demo/intro-call"
echo "  emails sent by the app: $FAKES/email/outbox"
echo "  run the cron trigger now: http://127.0.0.1:$PORT/__scheduled?cron=*+*+*+*+*"
echo "  a CalDAV server to connect: http://127.0.0.1:$CALDAV_PORT (user demo, password demo-app-password)"
echo
# Links (pages, emails, sign-in redirects) point at this origin, never at a request's Host.
wrangler dev --local --ip 127.0.0.1 --port "$PORT" --persist-to "$STATE" \
  --show-interactive-dev-session=false --test-scheduled \
  --var "PUBLIC_BASE_URL:http://127.0.0.1:$PORT" --var "LOCAL_DEVELOPMENT:true" \
  $(bash tests/support/fake-vars.sh "$FAKES")
