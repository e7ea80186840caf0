#!/usr/bin/env bash
# make dev: the API via `go run` on :8080 and Vite with HMR on :5173.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export COUNTERSIGN_DATABASE_URL="$(db_url)"
go run ./backend/cmd/countersign migrate >/dev/null
go run ./backend/cmd/countersign seed >/dev/null
npm_ci frontend
go run ./backend/cmd/countersign serve &
API=$!
trap 'kill $API 2>/dev/null' EXIT
echo "Open http://localhost:5173 (Vite, hot reload) — the API runs on :8080."
cd frontend && npx vite --port 5173
