# The verbs of the project. Each works from a fresh clone: the scripts install
# and start what they need (a private PostgreSQL under .data/, npm packages,
# Debian's chromium for the browser tests).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run build test test-repeat e2e dev gen lint bench bench-ingest bench-review bench-apply bench-metrics bench-export migration db-stop clean

help: ## list the verbs
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## build and serve the console at http://localhost:8080 with demo data
	@scripts/run.sh

build: ## build the console and bin/countersign (frontend embedded)
	@source scripts/lib.sh && build_frontend && build_binary

test: ## every test: generated-code drift, Go (real PostgreSQL), frontend, Playwright
	@scripts/test.sh

test-repeat: ## the whole suite N times (default 5) from one clean clone of HEAD: make test-repeat N=5
	@N=$(N) scripts/test-repeat.sh

e2e: ## only the Playwright suite, against the built binary on a fresh database
	@scripts/e2e.sh

dev: ## Vite dev server with HMR on :5173, proxying to `go run` on :8080
	@scripts/dev.sh

gen: ## regenerate Go server types and TS types from backend/api/openapi.yaml (and the agent API's from its spec)
	go tool oapi-codegen -config backend/api/oapi-codegen.yaml backend/api/openapi.yaml
	go tool oapi-codegen -config backend/api/agent/oapi-codegen.yaml backend/api/agent/openapi.yaml
	@source scripts/lib.sh && npm_ci frontend && cd frontend && npm run --silent gen

lint: ## gofmt, go vet, TypeScript type check
	@test -z "$$(gofmt -l backend migrations seeds)" || { gofmt -l backend migrations seeds; echo "gofmt: run gofmt -w"; exit 1; }
	go vet ./backend/...
	@source scripts/lib.sh && npm_ci frontend && cd frontend && npm run --silent typecheck

bench: ## Go benchmarks against real PostgreSQL
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go test -run '^$$' -bench . -benchmem ./backend/...

bench-ingest: ## proposal intake over HTTP vs COPY, and single-item p99 under 20 agents
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go run ./backend/cmd/benchingest

bench-review: ## claims and decisions of 20 reviewers over 1,000,000 pending review items in 3 tenants
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go run ./backend/cmd/benchreview $(ARGS)

bench-apply: ## approved changes written to the HubSpot fake under its rate limits; change log append and verify rates
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go run ./backend/cmd/benchapply $(ARGS)

bench-metrics: ## the Insights and Rollouts pages' p95 over 10,000,000 change and decision events (pre-aggregated by the fold)
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go run ./backend/cmd/benchmetrics $(ARGS)

bench-export: ## CSV evidence export of 10,000,000 change events: rows/s, heap, and reviewers' claim p99 while it runs
	@source scripts/lib.sh && COUNTERSIGN_TEST_DATABASE_URL="$$(admin_url)" go run ./backend/cmd/benchexport $(ARGS)

migration: ## new numbered SQL migration: make migration name=add_things
	@test -n "$(name)" || { echo "usage: make migration name=add_things"; exit 2; }
	@n=$$(ls migrations/*.sql 2>/dev/null | sed -E 's#.*/0*([0-9]+)_.*#\1#' | sort -n | tail -1); \
	 f=$$(printf 'migrations/%05d_%s.sql' $$(( $${n:-0} + 1 )) "$(name)"); \
	 printf -- '-- +goose Up\n\n-- +goose Down\n' > "$$f" && echo "created $$f"

db-stop: ## stop the private PostgreSQL clusters under .data/ (run and test)
	@scripts/pg.sh stop all

clean: ## remove build output (keeps .data)
	rm -rf bin backend/internal/platform/web/dist
