#!/usr/bin/env bash
# make test-repeat N=5: clones the committed HEAD once into .data/repeat/clone
# and runs its whole `make test` N times, against this checkout's test
# PostgreSQL (end-to-end on port 18180 and the set-up checks' own clusters on
# 54529/54539, so nothing collides with this checkout's).
# A test that fails in one run of N is a flake to fix at its cause.
# Prints last: runs=<n> failed_runs=<f> slowest=<test> <seconds>
set -uo pipefail
source "$(dirname "$0")/lib.sh"

N="${N:-5}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive number of runs, got '$N'" >&2; exit 2; }
WORK="$ROOT/.data/repeat"
CLONE="$WORK/clone"
rm -rf "$WORK"; mkdir -p "$WORK"
step "cloning $(git rev-parse --short HEAD) into $CLONE (uncommitted changes are not part of it)"
git clone -q --no-hardlinks "$ROOT" "$CLONE" || exit 1
# One PostgreSQL for every run: this checkout's test cluster.
COUNTERSIGN_TEST_DATABASE_URL="$(admin_url)" || exit 1
export COUNTERSIGN_TEST_DATABASE_URL

failed=0
for i in $(seq 1 "$N"); do
  step "run $i of $N"
  if (cd "$CLONE" && E2E_PORT="${E2E_PORT:-18180}" COUNTERSIGN_PG_PORT=54529 COUNTERSIGN_TEST_PG_PORT=54539 \
        make --no-print-directory test) >"$WORK/run-$i.log" 2>&1; then r=ok; else r=FAILED; failed=$((failed + 1)); fi
  cp "$CLONE/.data/test-results/durations.tsv" "$WORK/durations-$i.tsv" 2>/dev/null || true
  echo "run $i: $r — $(grep -E "^[0-9]+ passed, [0-9]+ failed" "$WORK/run-$i.log" | tail -1)  (log: $WORK/run-$i.log)"
  if [ "$r" = FAILED ]; then grep -E '^\s*--- FAIL|✘|×|FAIL ' "$WORK/run-$i.log" | head -20; fi
done
slowest="$(cat "$WORK"/durations-*.tsv 2>/dev/null | sort -t"$(printf '\t')" -k3 -rn | head -1 | awk -F'\t' '{gsub(/ /, "_", $2); print $1 ":" $2 " " $3}')"
echo "runs=$N failed_runs=$failed slowest=${slowest:-none 0}"
[ "$failed" = 0 ]
