# Shared steps of the Makefile's verbs. Each installs what it needs, so a fresh
# clone works with nothing started by hand.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p .data

step() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

# db_url prints COUNTERSIGN_DATABASE_URL, or starts the private run cluster
# (durable) and prints the URL of its database DB (default countersign).
db_url() {
  if [ -n "${COUNTERSIGN_DATABASE_URL:-}" ]; then echo "$COUNTERSIGN_DATABASE_URL"; return; fi
  scripts/pg.sh start run >/dev/null || return 1
  scripts/pg.sh url "${1:-countersign}" run
}

# admin_url is a URL to a maintenance database where the tests create and drop
# their databases: COUNTERSIGN_TEST_DATABASE_URL, or the private test cluster
# (fsync off — never the cluster that holds `make run`'s data).
admin_url() {
  if [ -n "${COUNTERSIGN_TEST_DATABASE_URL:-}" ]; then echo "$COUNTERSIGN_TEST_DATABASE_URL"; return; fi
  scripts/pg.sh start test >/dev/null || return 1
  scripts/pg.sh url postgres test
}

# npm_ci DIR installs DIR's npm packages when the lock file changed since the last install.
npm_ci() {
  local dir="$1"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    step "npm ci ($dir)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

build_frontend() {
  npm_ci frontend
  step "building the console (vite)"
  (cd frontend && npm run --silent build)
}

build_binary() {
  step "building bin/countersign"
  go build -tags ui -o bin/countersign ./backend/cmd/countersign
}

# ensure_chromium installs Debian's chromium for Playwright when it is missing.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    step "installing chromium (Debian package)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ||
      { echo "could not install chromium" >&2; return 1; }
  else
    echo "Playwright needs Chromium at /usr/bin/chromium: sudo apt-get install -y chromium" >&2
    return 1
  fi
}

# wait_ready URL waits for the server's /readyz.
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fsS "$1/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server did not become ready at $1" >&2
  return 1
}

PSQL="$(command -v psql || true)"
[ -n "$PSQL" ] || for d in /usr/lib/postgresql/{17,16,15,14}/bin; do [ -x "$d/psql" ] && PSQL="$d/psql" && break; done
