#!/usr/bin/env bash
# make run: database (the private durable cluster unless COUNTERSIGN_DATABASE_URL
# is set), frontend, binary, migrations, demo seed, then serve. Build output goes
# to .data/build.log and is shown only when a step fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

quietly() { # quietly DESCRIPTION CMD...: one line, or the whole log on failure
  printf '  %s…\n' "$1"; shift
  if ! "$@" >>.data/build.log 2>&1; then tail -40 .data/build.log >&2; echo "failed: see .data/build.log" >&2; exit 1; fi
}

: >.data/build.log
echo "Starting Countersign"
printf '  database…\n'
COUNTERSIGN_DATABASE_URL="$(db_url)"
export COUNTERSIGN_DATABASE_URL
quietly "building the console" build_frontend
quietly "building bin/countersign" build_binary
quietly "migrating" bin/countersign migrate
printf '  %s…\n' "seeding the demo (the first run also simulates a month of rollout history: about half a minute)"
SIGNINS="$(COUNTERSIGN_LOG_LEVEL=warn bin/countersign seed --demo-history 2>>.data/build.log)" || { tail -20 .data/build.log >&2; exit 1; }

URL="${COUNTERSIGN_BASE_URL:-http://localhost${COUNTERSIGN_LISTEN:-:8080}}"
bin/countersign serve > >(grep -v '"msg":"starting"' | grep -v '^Countersign is up' >&2) &
SERVER=$!
AGENT=
trap 'kill $SERVER $AGENT 2>/dev/null; wait $SERVER 2>/dev/null' EXIT INT TERM
wait_ready "http://127.0.0.1:$(echo "${COUNTERSIGN_LISTEN:-:8080}" | sed -E 's/.*://')" || exit 1
if [ "${COUNTERSIGN_DEMO_AGENT:-on}" != off ]; then
  bin/countersign demo-agent --tenant acme --interval "${COUNTERSIGN_DEMO_AGENT_INTERVAL:-20s}" > .data/demo-agent.log 2>&1 &
  AGENT=$!
fi

cat <<BANNER

  Countersign is up at $URL

$SIGNINS

  Metrics: http://${COUNTERSIGN_METRICS_LISTEN:-127.0.0.1:9090}/metrics · request log: COUNTERSIGN_REQUEST_LOG=on
BANNER
if [ -n "$AGENT" ]; then
  echo "  A demo agent proposes a few changes every ${COUNTERSIGN_DEMO_AGENT_INTERVAL:-20s} (log: .data/demo-agent.log; COUNTERSIGN_DEMO_AGENT=off turns it off)."
fi
echo "  Ctrl-C stops the server; \`make db-stop\` stops the private PostgreSQL. The CLI works from a second shell: bin/countersign help"
echo
wait $SERVER
