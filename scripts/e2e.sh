#!/usr/bin/env bash
# make e2e: the Playwright suite against the built binary on a fresh database.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PORT="${E2E_PORT:-18080}"
BASE="http://127.0.0.1:$PORT"
ADMIN="$(admin_url)"
DB=countersign_e2e
E2E_URL="$(echo "$ADMIN" | sed -E "s#/[^/?]+(\?|$)#/$DB\1#")"

step "fresh database $DB"
"$PSQL" "$ADMIN" -qX -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
scripts/pg.sh app-role "$ADMIN" # the server connects as it (migrate and seed as the owner's URL below)
[ "${E2E_SKIP_BUILD:-}" = 1 ] || { build_frontend; build_binary; }
export COUNTERSIGN_DATABASE_URL="$E2E_URL" COUNTERSIGN_LISTEN="127.0.0.1:$PORT" COUNTERSIGN_BASE_URL="$BASE" \
  COUNTERSIGN_LOG_LEVEL=warn COUNTERSIGN_METRICS_LISTEN=off
bin/countersign migrate >/dev/null
bin/countersign seed >/dev/null

step "starting the server on $BASE"
bin/countersign serve > .data/e2e-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
wait_ready "$BASE"

ensure_chromium
npm_ci e2e
step "playwright"
cd e2e
E2E_BASE_URL="$BASE" E2E_JSON_REPORT="${E2E_JSON_REPORT:-$ROOT/.data/e2e-report.json}" npx playwright test "$@"
