#!/usr/bin/env bash
# The private PostgreSQL clusters under .data/ used when COUNTERSIGN_DATABASE_URL
# is not set. Two clusters, so that speed never costs a user's data:
#   run   .data/postgres       port $COUNTERSIGN_PG_PORT (54329)       durable (PostgreSQL's defaults)
#   test  .data/postgres-test  port $COUNTERSIGN_TEST_PG_PORT (54339)  fsync off: the tests' throwaway databases
#
#   scripts/pg.sh start [run|test]      init (once) and start a cluster; prints its URL
#   scripts/pg.sh stop [run|test|all]   stop it
#   scripts/pg.sh url [DB] [run|test]   print the URL of database DB (default countersign)
#   scripts/pg.sh app-role URL          create the app role countersign_app on URL's cluster if missing
#
# As root, PostgreSQL refuses to run, so the clusters run as the `postgres`
# user. When that user cannot enter the checkout (a clone in root's 0700 home),
# the cluster's files live in /var/lib/countersign/<hash of the checkout>/
# instead; .data/<cluster>.dir records where, so the choice never changes.
# `start run` writes .data/database-url, which the CLI reads in a second shell.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HOST=127.0.0.1

cluster() { # sets NAME PORT DIR OPTS for run|test
  NAME="${1:-run}"
  case "$NAME" in
    run) PORT="${COUNTERSIGN_PG_PORT:-54329}"; DIR_NAME=postgres; OPTS="" ;;
    test) PORT="${COUNTERSIGN_TEST_PG_PORT:-54339}"; DIR_NAME=postgres-test
      OPTS="-c fsync=off -c full_page_writes=off -c synchronous_commit=off" ;;
    *) echo "unknown cluster '$NAME' (run or test)" >&2; exit 2 ;;
  esac
  DIR="$ROOT/.data/$DIR_NAME"
  if [ -f "$ROOT/.data/$DIR_NAME.dir" ]; then DIR="$(cat "$ROOT/.data/$DIR_NAME.dir")"; fi
}

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

# place_cluster picks, once, a directory the cluster's owner can write.
place_cluster() {
  [ -f "$ROOT/.data/$DIR_NAME.dir" ] && return 0
  if [ "$(id -u)" = 0 ] && ! su postgres -s /bin/sh -c "test -x '$ROOT/.data'" 2>/dev/null; then
    local hash; hash="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    DIR="/var/lib/countersign/$hash/$DIR_NAME"
    echo "The postgres user cannot enter $ROOT, so this cluster's files live in $DIR." >&2
  fi
  install -d "$DIR"
  echo "$DIR" >"$ROOT/.data/$DIR_NAME.dir"
}

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
    place_cluster
    echo "Creating a private PostgreSQL cluster ($NAME) in $DIR (port $PORT)…" >&2
    install -d "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    as_owner "'$BIN/initdb' -D '$DIR/data' -U postgres -A trust -E UTF8 --locale=C.UTF-8 >'$DIR/initdb.log' 2>&1" ||
      { echo "initdb failed; see $DIR/initdb.log" >&2; exit 1; }
  fi
  if running && [ "$NAME" = run ] && grep -q 'fsync=off' "$DIR/data/postmaster.opts" 2>/dev/null; then
    # started by an earlier version of this script without durability: restart it durable
    echo "Restarting the run cluster with fsync on (it was started without durability)…" >&2
    as_owner "'$BIN/pg_ctl' -D '$DIR/data' -m fast -w stop" >/dev/null
  fi
  if ! running; then
    as_owner "'$BIN/pg_ctl' -D '$DIR/data' -l '$DIR/server.log' -w -t 60 \
      -o \"-p $PORT -k '$DIR' -c listen_addresses=$HOST -c max_connections=200 $OPTS\" start" >/dev/null ||
      { echo "PostgreSQL did not start; see $DIR/server.log (is port $PORT taken? set COUNTERSIGN_PG_PORT or COUNTERSIGN_TEST_PG_PORT)" >&2
        tail -5 "$DIR/server.log" >&2; exit 1; }
  fi
  app_role "$(url postgres)"
  if [ "$NAME" = run ]; then
    # the app's database, and where a second shell's CLI finds it
    if ! as_owner "'$BIN/psql' -h $HOST -p $PORT -U postgres -d postgres -tAc \"SELECT 1 FROM pg_database WHERE datname='countersign'\"" | grep -q 1; then
      as_owner "'$BIN/createdb' -h $HOST -p $PORT -U postgres countersign"
    fi
    url >"$ROOT/.data/database-url"
    url
  else
    url postgres # the tests' maintenance database: they create their own
  fi
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
  if running; then as_owner "'$BIN/pg_ctl' -D '$DIR/data' -m fast stop" >/dev/null && echo "stopped ($NAME)" >&2; else echo "not running ($NAME)" >&2; fi
}

case "${1:-}" in
  start) cluster "${2:-run}"; start ;;
  stop) if [ "${2:-run}" = all ]; then (cluster run; stop); (cluster test; stop); else cluster "${2:-run}"; stop; fi ;;
  url) cluster "${3:-run}"; url "${2:-}" ;;
  app-role) app_role "${2:?usage: $0 app-role URL}" ;;
  *) echo "usage: $0 start [run|test] | stop [run|test|all] | url [db] [run|test] | app-role URL" >&2; exit 2 ;;
esac
