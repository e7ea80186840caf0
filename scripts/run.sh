#!/usr/bin/env bash
# make run: database (private cluster unless COUNTERSIGN_DATABASE_URL is set),
# frontend, binary, migrations, demo seed, then serve.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

step "database"
COUNTERSIGN_DATABASE_URL="$(db_url)"
export COUNTERSIGN_DATABASE_URL
build_frontend
build_binary
step "migrating"
bin/countersign migrate >/dev/null
step "seeding the demo data"
bin/countersign seed | grep -v '^{'
echo
echo "Open ${COUNTERSIGN_BASE_URL:-http://localhost${COUNTERSIGN_LISTEN:-:8080}} and sign in, e.g. admin@acme.test / countersign-demo"
echo "(Ctrl-C stops the server; \`make db-stop\` stops the private PostgreSQL.)"
bin/countersign serve &
SERVER=$!
AGENT=
trap 'kill $SERVER $AGENT 2>/dev/null; wait $SERVER 2>/dev/null' EXIT INT TERM
if [ "${COUNTERSIGN_DEMO_AGENT:-on}" != off ]; then
  bin/countersign demo-agent --tenant acme --interval "${COUNTERSIGN_DEMO_AGENT_INTERVAL:-20s}" > .data/demo-agent.log 2>&1 &
  AGENT=$!
  echo "A demo agent proposes a few changes every ${COUNTERSIGN_DEMO_AGENT_INTERVAL:-20s} (log: .data/demo-agent.log)."
  echo "Turn it off with COUNTERSIGN_DEMO_AGENT=off make run."
fi
wait $SERVER
