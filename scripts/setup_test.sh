#!/usr/bin/env bash
# The set-up checks a new user depends on, run by `make test` after the
# binary is built: the run cluster is durable and the test cluster is not; a
# checkout that the postgres user cannot enter (root's 0700 home) still gets a
# cluster; the CLI finds the private cluster from a second shell without
# COUNTERSIGN_DATABASE_URL. Prints "setup checks passed=N failed=N" last.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

PASS=0 FAIL=0
check() { # check NAME CMD...
  local name="$1"; shift
  if out="$("$@" 2>&1)"; then PASS=$((PASS + 1)); echo "  ok    $name"
  else FAIL=$((FAIL + 1)); echo "  FAIL  $name"; echo "$out" | tail -15 | sed 's/^/        /'; fi
}
setting() { "$PSQL" "$1" -tAXc "SHOW $2"; }

durable_run_cluster() {
  local u; u="$(scripts/pg.sh start run)" || return 1
  for s in fsync full_page_writes synchronous_commit; do
    [ "$(setting "$u" "$s")" = on ] || { echo "run cluster: $s is $(setting "$u" "$s")"; return 1; }
  done
}
fast_test_cluster() {
  local u; u="$(scripts/pg.sh start test)" || return 1
  [ "$(setting "$u" fsync)" = off ] || { echo "test cluster: fsync is $(setting "$u" fsync)"; return 1; }
}

# A copy of the checkout's scripts in a 0700 directory, with a cluster of its own.
HOME_DIR="$(mktemp -d)"; chmod 700 "$HOME_DIR"
# a free port below the ephemeral range (32768+), where outgoing connections could take it
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 21000 + RANDOM % 4000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  echo 21999
}
PORT="$(free_port)"
closed_home() {
  mkdir -p "$HOME_DIR/clone/backend"
  cp -r scripts "$HOME_DIR/clone/"
  local u; u="$(COUNTERSIGN_PG_PORT=$PORT "$HOME_DIR/clone/scripts/pg.sh" start run)" || return 1
  [ "$("$PSQL" "$u" -tAXc 'SELECT 1')" = 1 ] || return 1
  if [ "$(id -u)" = 0 ]; then grep -q '^/var/lib/countersign/' "$HOME_DIR/clone/.data/postgres.dir" || { cat "$HOME_DIR/clone/.data/postgres.dir"; return 1; }; fi
}
second_shell_cli() {
  [ -x bin/countersign ] || { echo "bin/countersign is not built"; return 1; }
  local bin="$ROOT/bin/countersign"
  (cd "$HOME_DIR/clone" && env -u COUNTERSIGN_DATABASE_URL "$bin" migrate >/dev/null) || return 1
  (cd "$HOME_DIR/clone" && env -u COUNTERSIGN_DATABASE_URL COUNTERSIGN_LOG_LEVEL=warn "$bin" seed >/dev/null) || return 1
  # a second shell, somewhere below the checkout, with nothing set
  (cd "$HOME_DIR/clone/backend" && env -u COUNTERSIGN_DATABASE_URL "$bin" agents create --tenant acme --name second-shell) | grep -q 'created agent second-shell'
}
cleanup() {
  COUNTERSIGN_PG_PORT=$PORT "$HOME_DIR/clone/scripts/pg.sh" stop run >/dev/null 2>&1
  [ -f "$HOME_DIR/clone/.data/postgres.dir" ] && case "$(cat "$HOME_DIR/clone/.data/postgres.dir")" in
    /var/lib/countersign/*) rm -rf "$(dirname "$(cat "$HOME_DIR/clone/.data/postgres.dir")")" ;; esac
  rm -rf "$HOME_DIR"
}
trap cleanup EXIT

check "make run's cluster is durable (fsync, full_page_writes, synchronous_commit on)" durable_run_cluster
check "the test cluster trades durability for speed (fsync off)" fast_test_cluster
check "a checkout in a 0700 home directory gets a cluster" closed_home
check "the CLI finds the private cluster from a second shell" second_shell_cli
echo "setup checks passed=$PASS failed=$FAIL"
[ "$FAIL" = 0 ]
