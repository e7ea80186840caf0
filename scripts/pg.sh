#!/usr/bin/env bash
# A private PostgreSQL cluster under .data/postgres for `make run` and `make test`
# when COUNTERSIGN_DATABASE_URL is not set.
#
#   scripts/pg.sh start   init (once) and start the cluster; prints its base URL
#   scripts/pg.sh stop    stop it
#   scripts/pg.sh url [DB]  print the URL of database DB (default countersign)
#   scripts/pg.sh app-role URL  create the app role countersign_app on URL's cluster if missing
#
# As root, PostgreSQL refuses to run, so the cluster runs as the `postgres` user.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="$ROOT/.data/postgres"
PORT="${COUNTERSIGN_PG_PORT:-54329}"
HOST=127.0.0.1

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/pg_ctl" ]; then echo "$PG_BIN"; return; fi
  for d in /usr/lib/postgresql/{17,16,15,14}/bin /usr/local/pgsql/bin /opt/homebrew/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
  done
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

url() { echo "postgres://postgres@$HOST:$PORT/${1:-countersign}?sslmode=disable"; }

running() { [ -f "$DIR/data/postmaster.pid" ] && as_owner "'$BIN/pg_ctl' -D '$DIR/data' status" >/dev/null 2>&1; }

start() {
  if ! BIN="$(find_bin)"; then
    cat >&2 <<MSG
No PostgreSQL server binaries found (looked for pg_ctl and initdb).
Either install them:       sudo apt-get install -y postgresql      (Debian/Ubuntu)
                           brew install postgresql@15              (macOS)
or use Docker and point the app at it:
  docker compose up -d db
  export COUNTERSIGN_DATABASE_URL='postgres://countersign:countersign@localhost:5432/countersign?sslmode=disable'
MSG
    exit 1
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "Running as root needs a 'postgres' user to own the cluster (PostgreSQL refuses root): useradd -r postgres" >&2
    exit 1
  fi
  mkdir -p "$ROOT/.data"
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    echo "Creating a private PostgreSQL cluster in .data/postgres (port $PORT)…" >&2
    install -d "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    as_owner "'$BIN/initdb' -D '$DIR/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$DIR/initdb.log' 2>&1" ||
      { echo "initdb failed; see $DIR/initdb.log" >&2; exit 1; }
  fi
  if ! running; then
    as_owner "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -t 60 \
      -o \"-p $PORT -k '$DIR' -c listen_addresses=$HOST -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200\" start" >/dev/null ||
      { echo "PostgreSQL did not start; see $DIR/server.log (is port $PORT taken? set COUNTERSIGN_PG_PORT)" >&2; tail -5 "$DIR/server.log" >&2; exit 1; }
  fi
  # the app's database
  if ! as_owner "'$BIN/psql' -h $HOST -p $PORT -U postgres -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='countersign'\"" | grep -q 1; then
    as_owner "'$BIN/createdb' -h $HOST -p $PORT -U postgres countersign"
  fi
  app_role "$(url postgres)"
  url
}

# app_role URL creates the role the server connects as (config.AppRole): it
# logs in, owns nothing and has no BYPASSRLS, so row-level security holds it
# to one tenant. Roles are cluster-wide; the migrations grant it its rights.
app_role() {
  local psql
  psql="$( (BIN="$(find_bin)" && echo "$BIN/psql") || command -v psql)" || { echo "psql not found" >&2; return 1; }
  "$psql" "$1" -qX -v ON_ERROR_STOP=1 -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'countersign_app') THEN
        CREATE ROLE countersign_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
      END IF;
    END \$\$" >/dev/null
}

stop() {
  BIN="$(find_bin)" || exit 0
  if running; then as_owner "'$BIN/pg_ctl' -D '$DIR/data' -m fast stop" >/dev/null && echo "stopped" >&2; else echo "not running" >&2; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url "${2:-}" ;;
  app-role) app_role "${2:?usage: $0 app-role URL}" ;;
  *) echo "usage: $0 start|stop|url [db]|app-role URL" >&2; exit 2 ;;
esac
