// Command countersign is the whole product in one binary:
//
//	countersign serve     serve the console, the API and the workers
//	countersign migrate   apply pending database migrations
//	countersign seed      load the demo tenants and users (idempotent)
//	countersign verify-log  walk every tenant's change log hash chain
//	countersign verify-export  check an export against its signed manifest, offline
//	countersign simulate  the real pipeline on a simulated clock, with known error rates
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/logging"
	"countersign/backend/internal/seed"
	"countersign/backend/internal/server"
	"countersign/backend/internal/simulate"
	"countersign/backend/internal/tenancy"
)

const usage = `usage: countersign <command>

commands:
  serve     serve the console and API on COUNTERSIGN_LISTEN (default :8080)
  migrate   apply pending database migrations
  seed      load the demo tenants and users (safe to re-run); --demo-history also
            simulates 30 days of canary rollouts in the demo workspace (once)
  agents    create --tenant SLUG --name NAME | create-key --tenant SLUG --agent NAME
            (prints the new key once)
  demo-agent  a pretend AI agent on the agent API (--tenant acme, --interval, --burst)
  verify-log  [--tenant SLUG] walk the change log's hash chains and signed checkpoints:
            prints "verified <n> events", or "first bad seq=<n> tenant=<slug>" and exits 1
  verify-export FILE MANIFEST [--public-key KEY]  offline (no database, no network):
            check an export's manifest signature, its SHA-256 and that its rows chain to
            the signed checkpoint; prints "verified <n> rows", or the first mismatch and exits 1
  simulate  --tenant SLUG [--days 30 --agents 2 --canary-error 0.02 --control-error 0.05]
            drive intake, rollouts, review, apply and CRM corrections on a simulated clock
            and print the measured correction rates (stop the server first: its workers
            run on the real clock)

configuration (environment):
  COUNTERSIGN_DATABASE_URL  PostgreSQL URL of the schema owner, used by migrate
                            (default: the checkout's private cluster, from .data/database-url)
  COUNTERSIGN_APP_DATABASE_URL  the app role's URL, used by the other commands
                            (default: COUNTERSIGN_DATABASE_URL with user countersign_app)
  COUNTERSIGN_LISTEN        listen address, default :8080
  COUNTERSIGN_BASE_URL      public URL, default http://localhost:8080
  COUNTERSIGN_SECRET_KEY    32+ random bytes, hex or base64 (generated under .data/ in development)
  COUNTERSIGN_ENV           development (default) or production
  COUNTERSIGN_LOG_LEVEL     debug, info (default), warn, error
  COUNTERSIGN_METRICS_LISTEN  where /metrics is served, default 127.0.0.1:9090 (off: nowhere)
  COUNTERSIGN_REQUEST_LOG   on logs every request; off (default) only server errors
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]...); err != nil {
		fmt.Fprintf(os.Stderr, "countersign %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args ...string) error {
	if cmd == "verify-export" { // offline: no configuration, no database
		err := runVerifyExport(args, os.Stdout, os.Stderr)
		if errors.Is(err, errBadExport) {
			os.Exit(1)
		}
		return err
	}
	cfg, err := config.Load(config.WithPrivateCluster(os.Getenv))
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	switch cmd {
	case "serve", "migrate", "seed", "agents", "demo-agent", "verify-log", "simulate":
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := cfg.RequireDatabase(); err != nil {
		return err
	}
	// migrate runs as the owner of the schema; everything else as the app
	// role, which row-level security holds to one tenant per transaction.
	url, name := cfg.AppURL, "COUNTERSIGN_APP_DATABASE_URL"
	if cmd == "migrate" {
		url, name = cfg.DatabaseURL, "COUNTERSIGN_DATABASE_URL"
	}
	d, err := db.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("%w (%s=%s)", err, name, config.MaskURL(url))
	}
	defer d.Close()
	switch cmd {
	case "migrate":
		return d.Migrate(ctx, log)
	case "seed":
		return runSeed(ctx, cfg, d, log, args)
	case "agents":
		if err := d.CheckSchema(ctx); err != nil {
			return err
		}
		return runAgents(ctx, cfg, d, log, args, os.Stdout)
	case "demo-agent":
		return runDemoAgent(ctx, cfg, d, log, args)
	case "verify-log":
		if err := d.CheckSchema(ctx); err != nil {
			return err
		}
		return runVerifyLog(ctx, cfg, d, args, os.Stdout, os.Stderr)
	case "simulate":
		return runSimulate(ctx, cfg, d, log, args, os.Stdout)
	default:
		return serve(ctx, cfg, log, d)
	}
}

func runSeed(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	history := fs.Bool("demo-history", false, "simulate 30 days of canary rollouts in the demo workspace, if it has none yet")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	data, err := seed.Demo()
	if err != nil {
		return err
	}
	if err := seed.Run(ctx, d, data, log); err != nil {
		return err
	}
	cat, err := newCatalog(cfg, d, log)
	if err != nil {
		return err
	}
	if err := seed.Connections(ctx, d, cat, data, log); err != nil {
		return err
	}
	if *history {
		if err := demoHistory(ctx, cfg, d, log, data.Tenants[0].Slug); err != nil {
			return fmt.Errorf("demo history: %w", err)
		}
	}
	fmt.Print(seed.SignIns(data))
	return nil
}

// demoHistory gives the demo workspace a month of rollouts: one agent whose
// canary is healthy and one whose canary the guardrail halted. It runs once:
// a workspace with a rollout already has its history.
func demoHistory(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, slug string) error {
	t, err := tenancy.NewStore(d).TenantBySlug(ctx, slug)
	if err != nil {
		return err
	}
	ctx = db.WithTenant(ctx, t.ID)
	var n int64
	if err := d.Conn(ctx).Raw(`SELECT count(*) FROM rollouts WHERE tenant_id = ?`, t.ID).Scan(&n).Error; err != nil || n > 0 {
		return err
	}
	fmt.Fprintln(os.Stderr, "simulating 30 days of rollout history for the demo workspace (once; about half a minute)…")
	_, err = simulateOn(ctx, cfg, d, log, simulate.Config{TenantID: t.ID, Days: 30, Agents: 2, CanaryErrors: []float64{0.01, 0.09},
		Names:        []string{"Office locator (simulated)", "HQ mover (simulated)"},
		ControlError: 0.06, PerDay: 16, Seed: 1})
	return err
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB) error {
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, log, d, clock.System{})
	if err != nil {
		return err
	}
	log.Info("starting", "config", cfg)
	if err := srv.Jobs.Start(ctx); err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.HTTP.Listen(cfg.Listen) }()
	if cfg.MetricsListen != "" {
		go func() {
			errc <- fmt.Errorf("metrics listener %s: %w", cfg.MetricsListen, srv.Metrics.Listen(cfg.MetricsListen))
		}()
		defer srv.Metrics.ShutdownWithTimeout(2 * time.Second)
	}
	fmt.Printf("Countersign is up at %s\n", cfg.BaseURL)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	if err := srv.HTTP.ShutdownWithTimeout(10 * time.Second); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Jobs.Stop(stopCtx)
}

// newCatalog builds the catalog service for the commands that work without
// the server (seed, agents, demo-agent): no job queue, syncs run in-process.
func newCatalog(cfg config.Config, d *db.DB, log *slog.Logger) (*catalog.Service, error) {
	return catalog.NewService(catalog.Deps{DB: d, Audit: audit.New(d), Clock: clock.System{}, Log: log,
		SecretKey: cfg.SecretKey, Factories: server.Connectors(d, cfg.Production(), clock.System{}), Provisioners: server.Provisioners(d)})
}
