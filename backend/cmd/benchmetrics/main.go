// Command benchmetrics measures the Insights and Rollouts pages over a large
// history: a fresh database with the demo seed, 20 agents on the demo
// tenant's sandbox connection proposing to 10 of its fields (four of them
// under rollouts: three canaries at 50 %, one shadow), and -events change
// and decision events (default 10,000,000: change_events plus
// review_decisions rows) spread over the last 60 days, bulk-loaded with COPY
// into the real tables with every index in place, with the proposals, review
// items and corrections they come from. The database is then vacuumed and
// analyzed (as autovacuum would have), the insights are folded (first as of
// 30 days ago — a running server would have folded those days when they
// were recent — then now, timed: fold_ms), and the pages are requested over
// HTTP from the real app, signed in as the demo admin, one request at a time,
// round robin: the overview (30 and 90 days), correction rates per agent ×
// field, the rollouts list and the calibration.
//
//	make bench-metrics        (sets COUNTERSIGN_TEST_DATABASE_URL)
//	make bench-metrics ARGS="-events 300000 -requests 50"   (a quick run)
//
// The last line is `metrics_p95_ms=X events=N`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/seed"
)

func main() {
	events := flag.Int("events", 10_000_000, "change and decision events to load (change_events + review_decisions rows)")
	requests := flag.Int("requests", 250, "requests per page (overview 30 days, overview 90 days, corrections, rollouts, calibration)")
	writers := flag.Int("writers", 2, "concurrent COPY transactions while loading")
	flag.Parse()
	if err := run(*events, *requests, *writers); err != nil {
		fmt.Fprintln(os.Stderr, "bench-metrics:", err)
		os.Exit(1)
	}
}

func run(events, requests, writers int) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	owner, d, err := benchkit.FreshDB(ctx, "countersign_bench_metrics", quiet)
	if err != nil {
		return err
	}
	defer owner.Close()
	defer d.Close()
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return err
	}
	data, _ := seed.Demo()
	if err := seed.Connections(ctx, d, srv.Catalog, data, quiet); err != nil {
		return err
	}
	w, err := setUp(ctx, owner, srv)
	if err != nil {
		return err
	}

	start := time.Now()
	n, err := load(ctx, owner, w, events, writers)
	if err != nil {
		return err
	}
	loadTook := time.Since(start)
	fmt.Printf("loaded %d events (%d change events, %d review decisions) with %d proposals, %d review items, %d corrections in %s (%.0f events/s)\n",
		n.events(), n.changes, n.decisions, n.proposals, n.items, n.corrections, loadTook.Round(time.Second),
		float64(n.events())/loadTook.Seconds())
	start = time.Now()
	// as autovacuum would have on a running server
	if err := owner.Conn(ctx).Exec(`VACUUM ANALYZE`).Error; err != nil {
		return err
	}
	fmt.Printf("vacuum analyze: %s\n", time.Since(start).Round(time.Second))

	// A running server folds every 2 minutes, so the days that have left the
	// 31-day window were folded while they were in it: fold as of 30 days ago
	// first, then now (the measured fold).
	tctx := db.WithTenant(ctx, w.tenantID)
	start = time.Now()
	if _, err := insights.New(d, clock.NewFixed(time.Now().AddDate(0, 0, -30))).Fold(tctx, w.tenantID); err != nil {
		return fmt.Errorf("fold as of 30 days ago: %w", err)
	}
	fmt.Printf("fold as of 30 days ago (the older days' aggregates): %s\n", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if _, err := srv.Insights.Fold(tctx, w.tenantID); err != nil {
		return fmt.Errorf("fold: %w", err)
	}
	foldTook := time.Since(start)
	if err := owner.Conn(ctx).Exec(`ANALYZE outcome_daily, confidence_daily, correction_daily, sla_daily, queue_depth`).Error; err != nil {
		return err
	}
	var aggregates struct{ Outcome, Confidence, Correction, SLA, Depth int64 }
	if err := owner.Conn(ctx).Raw(`SELECT (SELECT count(*) FROM outcome_daily) AS outcome, (SELECT count(*) FROM confidence_daily) AS confidence,
		(SELECT count(*) FROM correction_daily) AS correction, (SELECT count(*) FROM sla_daily) AS sla, (SELECT count(*) FROM queue_depth) AS depth`).
		Scan(&aggregates).Error; err != nil {
		return err
	}
	fmt.Printf("fold_ms=%d (the last 31 days; aggregates now: outcome_daily %d, confidence_daily %d, correction_daily %d, sla_daily %d, queue_depth %d rows)\n",
		foldTook.Milliseconds(), aggregates.Outcome, aggregates.Confidence, aggregates.Correction, aggregates.SLA, aggregates.Depth)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.HTTP.Listener(ln)
	defer srv.HTTP.Shutdown()
	res, err := measure(ctx, "http://"+ln.Addr().String(), w, requests)
	if err != nil {
		return err
	}
	for _, p := range res.pages {
		fmt.Printf("%-22s requests=%d p50_ms=%.2f p95_ms=%.2f max_ms=%.2f  %s\n", p.name, len(p.took),
			benchkit.Percentile(p.took, 50), benchkit.Percentile(p.took, 95), benchkit.Percentile(p.took, 100), p.note)
	}
	fmt.Printf("all pages: requests=%d p50_ms=%.2f p95_ms=%.2f\n", len(res.all), benchkit.Percentile(res.all, 50), benchkit.Percentile(res.all, 95))
	fmt.Printf("metrics_p95_ms=%.2f events=%d\n", benchkit.Percentile(res.all, 95), n.events())
	return nil
}
