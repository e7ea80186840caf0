#!/usr/bin/env bash
# make test: every suite — generated-code drift, Go unit + integration tests on
# real PostgreSQL, frontend unit tests, Playwright in Chromium against the built
# binary — then one summary line "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"

OUT=.data/test-results
rm -rf "$OUT"; mkdir -p "$OUT"
PASSED=0 FAILED=0
declare -a LINES=()

START=$SECONDS SUITE_START=$SECONDS
tally() { # name passed failed — also prints the seconds since the last tally
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
  LINES+=("$(printf '%-10s %4d passed, %d failed  %4d s' "$1" "$2" "$3" $((SECONDS - SUITE_START)))")
  SUITE_START=$SECONDS
}
summary() {
  node scripts/durations.js "$OUT" >"$OUT/durations.tsv" 2>/dev/null || true
  echo
  [ "$FAILED" = 0 ] || node scripts/failures.js "$OUT" "$FAILED" 2>/dev/null || true
  printf '%s\n' "${LINES[@]}"
  printf 'total %d s; slowest test: %s (every test: %s/durations.tsv)\n' $((SECONDS - START)) \
    "$(sort -t"$(printf '\t')" -k3 -rn "$OUT/durations.tsv" 2>/dev/null | head -1 | awk -F'\t' '{print $1 " " $2 " " $3 " s"}')" "$OUT"
  echo "$PASSED passed, $FAILED failed"
}

# --- generated code is committed and must match the spec -----------------------
step "generated code matches backend/api/openapi.yaml and backend/api/agent/openapi.yaml"
if make -s gen >"$OUT/gen.log" 2>&1 && git diff --quiet -- backend/api/api.gen.go backend/api/agent/agentapi.gen.go frontend/src/api/schema.gen.ts 2>/dev/null; then
  tally gen 1 0
else
  cat "$OUT/gen.log"; git diff --stat -- backend/api/api.gen.go backend/api/agent/agentapi.gen.go frontend/src/api/schema.gen.ts
  echo "generated files drift from the spec: run \`make gen\` and commit" >&2
  tally gen 0 1
fi

# --- Go -------------------------------------------------------------------------
step "go test (real PostgreSQL)"
if ! COUNTERSIGN_TEST_DATABASE_URL="$(admin_url)"; then
  echo "No PostgreSQL for the tests (see the message above): the Go and end-to-end suites count as failed." >&2
  tally go 0 1; tally e2e 0 1
  summary
  exit 1
fi
export COUNTERSIGN_TEST_DATABASE_URL
go test -count=1 -p 2 -v ./backend/... 2>&1 | tee "$OUT/go.log" | grep -E '^(\s*--- FAIL|FAIL|ok|panic:|\s+\S+_test\.go:[0-9]+:)' || true
gp=$(grep -cE '^\s*--- PASS' "$OUT/go.log" || true)
gf=$(grep -cE '^\s*--- FAIL|^FAIL\s.*\[(build|setup) failed\]' "$OUT/go.log" || true)
grep -qE '^(FAIL|panic:)' "$OUT/go.log" && [ "$gf" = 0 ] && gf=1
tally go "$gp" "$gf"

# --- frontend unit tests --------------------------------------------------------
step "frontend unit tests (vitest)"
if npm_ci frontend && (cd frontend && npx vitest run --reporter=default --reporter=json --outputFile="$ROOT/$OUT/vitest.json"); then :; fi
read -r vp vf < <(node -e '
  try { const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && !r.success && !r.numFailedTests ? 1 : 0)) }
  catch { console.log(0, 1) }' "$ROOT/$OUT/vitest.json")
tally frontend "$vp" "$vf"

# --- Playwright -----------------------------------------------------------------
step "end-to-end (Playwright + Chromium)"
E2E_JSON_REPORT="$ROOT/$OUT/e2e.json" scripts/e2e.sh
read -r ep ef < <(node -e '
  try { const s = require(process.argv[1]).stats; console.log(s.expected, s.unexpected + s.flaky + (s.expected + s.unexpected === 0 ? 1 : 0)) }
  catch { console.log(0, 1) }' "$ROOT/$OUT/e2e.json")
tally e2e "$ep" "$ef"

# --- set-up: durable run cluster, 0700 homes, the CLI from a second shell ----------
step "set-up checks (clusters, a closed home directory, the CLI from a second shell)"
scripts/setup_test.sh | tee "$OUT/setup.log"
read -r sp sf < <(sed -nE 's/^setup checks passed=([0-9]+) failed=([0-9]+)$/\1 \2/p' "$OUT/setup.log" | tail -1)
tally setup "${sp:-0}" "${sf:-1}"

summary
[ "$FAILED" = 0 ]
