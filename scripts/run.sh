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
exec bin/countersign serve
