package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/server"
	"countersign/backend/internal/simulate"
	"countersign/backend/internal/tenancy"
)

// runSimulate is `countersign simulate --tenant SLUG --days N --agents K
// --canary-error P --control-error Q`: the real pipeline on a simulated
// clock, with the outcome per agent.
func runSimulate(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	slug := fs.String("tenant", "", "the workspace to simulate in (slug); it needs a sandbox connection")
	c := simulate.Config{}
	fs.IntVar(&c.Days, "days", 30, "days to simulate, ending now")
	fs.IntVar(&c.Agents, "agents", 2, "simulated agents, each with a canary rollout")
	fs.Float64Var(&c.CanaryError, "canary-error", 0.02, "how often an auto-applied change is wrong (a person corrects it in the CRM)")
	fs.Float64Var(&c.ControlError, "control-error", 0.05, "how often a reviewed change is wrong (the reviewer rejects or edits it)")
	fs.IntVar(&c.PerDay, "per-day", 24, "proposals per agent per day")
	fs.IntVar(&c.PercentBps, "percent-bps", 5000, "the canary's share of records, in basis points")
	fs.IntVar(&c.ThresholdBps, "threshold-bps", 300, "the guardrail's correction-rate threshold, in basis points")
	fs.StringVar(&c.Field, "field", "companies.city", "the field the agents propose to (object.field)")
	fs.Uint64Var(&c.Seed, "seed", uint64(time.Now().UnixNano()), "random seed (records and values)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" {
		return fmt.Errorf("--tenant is required")
	}
	if err := d.CheckSchema(ctx); err != nil {
		return err
	}
	t, err := tenancy.NewStore(d).TenantBySlug(ctx, *slug)
	if db.NotFound(err) {
		return fmt.Errorf("no tenant %q", *slug)
	} else if err != nil {
		return err
	}
	c.TenantID = t.ID
	c.Progress = func(day, days int) {
		if day%5 == 0 || day == days {
			fmt.Fprintf(out, "simulated day %d of %d\n", day, days)
		}
	}
	rep, err := simulateOn(ctx, cfg, d, log, c)
	if err != nil {
		return err
	}
	printReport(out, rep)
	return nil
}

// simulateOn builds the app on a simulated clock and runs c on it.
func simulateOn(ctx context.Context, cfg config.Config, d *db.DB, log *slog.Logger, c simulate.Config) (simulate.Report, error) {
	clk := clock.NewFixed(time.Now())
	srv, err := server.New(ctx, cfg, log, d, clk)
	if err != nil {
		return simulate.Report{}, err
	}
	return simulate.Run(ctx, d, srv, clk, c)
}

func printReport(out io.Writer, rep simulate.Report) {
	fmt.Fprintf(out, "simulated %s to %s\n", rep.From.Format("2006-01-02"), rep.To.Format("2006-01-02"))
	for _, a := range rep.Agents {
		state := string(a.Stage)
		if a.HaltedAt != nil {
			state = "halted to shadow on " + a.HaltedAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(out, "  %s: %d proposals; canary %d/%d corrected = %.1f %% [%.1f–%.1f %%]; control %d/%d = %.1f %% [%.1f–%.1f %%]; rollout %s\n",
			a.AgentName, a.Proposals, a.Canary.Corrected, a.Canary.Applied, a.Canary.Rate*100, a.Canary.Low*100, a.Canary.High*100,
			a.Control.Corrected, a.Control.Applied, a.Control.Rate*100, a.Control.Low*100, a.Control.High*100, state)
	}
}
