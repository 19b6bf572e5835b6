#!/usr/bin/env bash
# Prints the `--var` flags that point every outside service of the Worker at the fakes on $1,
# with OAuth clients the fakes accept and an open sign-up, so signing in works locally at once.
set -euo pipefail
FAKES="$1"
for pair in \
  GOOGLE_ACCOUNTS_URL:/google/accounts GOOGLE_OAUTH2_URL:/google/oauth2 GOOGLE_OPENID_URL:/google/openidconnect \
  GOOGLE_API_URL:/google/api MICROSOFT_LOGIN_URL:/microsoft/login MICROSOFT_GRAPH_URL:/microsoft/graph \
  ZOOM_OAUTH_URL:/zoom ZOOM_API_URL:/zoom/api EMAIL_API_URL:/email/resend; do
  printf -- '--var %s:%s%s ' "${pair%%:*}" "$FAKES" "${pair#*:}"
done
# The fakes accept any non-empty email API key; a deployment sets the real one as a secret.
printf -- '--var EMAIL_API_KEY:re_test_fakes '
for pair in \
  GOOGLE_CLIENT_ID:openslot-dev.apps.googleusercontent.com GOOGLE_CLIENT_SECRET:dev-google-secret \
  MICROSOFT_CLIENT_ID:00000000-0000-4000-a000-000000000dev MICROSOFT_CLIENT_SECRET:dev-microsoft-secret \
  ZOOM_CLIENT_ID:devZoomClientId ZOOM_CLIENT_SECRET:dev-zoom-secret \
  SIGNUP_POLICY:open; do
  printf -- '--var %s ' "$pair"
done
