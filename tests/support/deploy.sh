#!/usr/bin/env bash
# `make deploy`: Openslot onto the Cloudflare account wrangler is signed in to.
#
# 1. builds the smallest Worker;
# 2. `wrangler deploy`: the D1 database and the KV namespace are bindings without ids in
#    wrangler.toml, so wrangler creates them on the first deploy and links them to the Worker
#    (automatic provisioning, wrangler 4.45 and later; it writes their ids back into
#    wrangler.toml, and they stay linked on later deploys even without them);
# 3. applies the D1 migrations;
# 4. creates TOKEN_ENCRYPTION_KEY and BLIND_INDEX_KEY if the Worker has no token key yet (new
#    random keys: nothing was sealed or indexed before them);
# 5. prints the instance's first-run page (/setup) as text: every required or recommended
#    setting still missing, each with the command that sets it.
#
# `--dry-run` checks wrangler.toml and the build without an account (`wrangler deploy
# --dry-run`): `make test` runs it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO_ROOT"

if [ "${1:-}" = "--dry-run" ]; then
  [ -f build/index.js ] || bash tests/support/build-worker.sh
  wrangler deploy --dry-run --outdir target/deploy-dry-run
  exit 0
fi

bash tests/support/install.sh
if ! wrangler whoami >/dev/null 2>&1; then
  echo "wrangler is not signed in: run 'npx wrangler login' (or set CLOUDFLARE_API_TOKEN), then make deploy again." >&2
  exit 1
fi
bash tests/support/build-worker.sh --release-opt
wrangler deploy
# By database name: the binding's id may not be in wrangler.toml.
wrangler d1 migrations apply openslot --remote

if ! wrangler secret list --format json | grep -q '"TOKEN_ENCRYPTION_KEY"'; then
  echo "Creating TOKEN_ENCRYPTION_KEY (32 random bytes). Keep a copy somewhere safe: without it no stored calendar connection can be read."
  head -c 32 /dev/urandom | base64 | wrangler secret put TOKEN_ENCRYPTION_KEY
  # A new instance: nothing was indexed yet, so its blind indexes get a key of their own,
  # which no rotation of TOKEN_ENCRYPTION_KEY touches (README, Rotating the token encryption key).
  echo "Creating BLIND_INDEX_KEY (32 random bytes). Keep a copy with the other: without it no host or invitee can be found by address."
  head -c 32 /dev/urandom | base64 | wrangler secret put BLIND_INDEX_KEY
fi

base_url="$(sed -n 's/^PUBLIC_BASE_URL = "\(.*\)"$/\1/p' wrangler.toml)"
if [ -z "$base_url" ]; then
  echo
  echo "required: PUBLIC_BASE_URL is not set. Set it under [vars] in wrangler.toml to the"
  echo "instance's origin (e.g. https://meet.example.org or the workers.dev address wrangler"
  echo "printed above), then run make deploy again."
  exit 1
fi
echo
echo "What $base_url still lacks (also on $base_url/setup):"
curl -fsS -H 'Accept: text/plain' "$base_url/setup" || echo "(the instance did not answer yet; open $base_url/setup in a minute)"
