// Command benchexport measures the CSV evidence export over a large change
// log while reviewers work. On a fresh database with the demo seed, the demo
// workspace (acme) gets 12 agents on its sandbox CRM, 20 reviewers, the
// policy versions of a 90-day span, and -events change events (default
// 10,000,000) with their proposals, review items, decisions, corrections
// and a closed sample audit, bulk-loaded with COPY into the real tables
// with every index in place: about 65 % auto-applied by agents, 31 %
// collaborative (one or two approvers, 10 % of them edited), 1 % rollbacks
// by a person; valid hash chains (the export is verified offline at the
// end). Then -pending pending review items, VACUUM ANALYZE (as autovacuum
// would have), and two phases, during each of which -reviewers reviewers
// claim batches of -batch and approve each item after about -think:
//
//  1. the baseline, for -for: no export;
//  2. one CSV export of every event, created with Service.Create and
//     written by Service.Run directly (not through the job queue).
//
// The reviewers run in a second process (this program with -claim-load),
// so this process's heap is the export's: max_heap_mb is the most
// HeapInuse seen (sampled every 50 ms during Run) minus HeapInuse right
// after a GC just before Run. claim_p99_ratio is the claims' p99 during the
// export over their p99 in the baseline.
//
//	make bench-export        (sets COUNTERSIGN_TEST_DATABASE_URL)
//	make bench-export ARGS="-events 300000 -for 10s"   (a quick run)
//	make bench-export ARGS="-reuse -cpuprofile /tmp/export.pprof"   (again on the data loaded before)
//
// The last line is
// `csv_rows_per_s=X rows=N max_heap_mb=H claim_p99_ratio=R`.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/exports"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/seed"
)

const dbName = "countersign_bench_export"

type options struct {
	events, pending, reviewers, batch, writers int
	think, duration                            time.Duration
	reuse, verify                              bool
	cpuProfile                                 string
}

func main() {
	claimLoad := flag.Bool("claim-load", false, "(internal) be the reviewers' process")
	var o options
	flag.IntVar(&o.events, "events", 10_000_000, "change events to load")
	flag.IntVar(&o.pending, "pending", 200_000, "pending review items the reviewers claim from")
	flag.IntVar(&o.reviewers, "reviewers", 16, fmt.Sprintf("reviewers at work (at most %d)", maxReviewers))
	flag.IntVar(&o.batch, "batch", 10, "items per claim")
	flag.DurationVar(&o.think, "think", 200*time.Millisecond, "how long a reviewer looks at an item before approving it (half to 1.5 times)")
	flag.DurationVar(&o.duration, "for", 20*time.Second, "how long the baseline (no export) lasts")
	flag.IntVar(&o.writers, "writers", 2, "concurrent COPY transactions while loading")
	flag.BoolVar(&o.reuse, "reuse", false, "reuse the database of an earlier run that loaded as many events (skips the load)")
	flag.BoolVar(&o.verify, "verify", true, "verify the stored file offline (signatures, SHA-256, every row's hash and the chain)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the export's Run here")
	flag.Parse()
	if *claimLoad {
		if err := claimLoadMain(); err != nil {
			fmt.Fprintln(os.Stderr, "bench-export reviewers:", err)
			os.Exit(1)
		}
		return
	}
	if o.reviewers < 1 || o.reviewers > maxReviewers {
		fmt.Fprintf(os.Stderr, "bench-export: -reviewers must be 1 to %d\n", maxReviewers)
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench-export:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := time.Now().UTC().Truncate(time.Second)
	mark := fmt.Sprintf("benchexport events=%d", o.events)
	reuse := false
	if o.reuse {
		var err error
		if reuse, err = loadedBefore(ctx, mark); err != nil {
			return err
		}
		if !reuse {
			fmt.Printf("-reuse: no database loaded with %d events; loading one\n", o.events)
		}
	}
	var owner, d *db.DB
	var err error
	if reuse {
		owner, d, err = benchkit.OpenDB(ctx, dbName)
	} else {
		owner, d, err = benchkit.FreshDB(ctx, dbName, quiet)
	}
	if err != nil {
		return err
	}
	defer owner.Close()
	defer d.Close()
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return err
	}
	var w *world
	if reuse {
		if w, err = lookUpLoaded(ctx, owner, srv, now); err != nil {
			return err
		}
		// the exports of earlier runs, and what they stored
		start := time.Now()
		for _, stmt := range []string{`DELETE FROM export_chunks WHERE tenant_id = ?`, `DELETE FROM exports WHERE tenant_id = ?`} {
			if err := owner.Conn(ctx).Exec(stmt, w.tenantID).Error; err != nil {
				return err
			}
		}
		if err := owner.Conn(ctx).Exec(`VACUUM export_chunks`).Error; err != nil {
			return err
		}
		fmt.Printf("reusing %s (%s): dropped the earlier exports in %s\n", dbName, mark, time.Since(start).Round(time.Second))
	} else {
		data, _ := seed.Demo()
		if err := seed.Connections(ctx, d, srv.Catalog, data, quiet); err != nil {
			return err
		}
		if w, err = setUp(ctx, owner, srv, now); err != nil {
			return err
		}
		start := time.Now()
		n, err := load(ctx, owner, w, o.events, o.writers)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Printf("loaded %d change events (agent %d, collaborative %d, human %d) with %d proposals, %d review items, %d decisions, "+
			"%d corrections, %d audit items (%d rows) in %s: %.0f events/s, %.0f rows/s\n",
			n.changes, n.byActor["agent"], n.byActor["collaborative"], n.byActor["human"], n.proposals, n.items, n.decisions,
			n.corrections, n.auditItems, n.rows(), took.Round(time.Second), float64(n.changes)/took.Seconds(), float64(n.rows())/took.Seconds())
	}
	var pending int64
	if err := owner.Conn(ctx).Raw(`SELECT count(*) FROM review_items WHERE tenant_id = ? AND state = 'pending'`, w.tenantID).
		Scan(&pending).Error; err != nil {
		return err
	}
	if err := benchkit.FillPending(ctx, owner, w.tenantID, w.agents[0].ID, []string{w.queues.pii, w.queues.pipeline, w.queues.other},
		o.pending-int(pending)); err != nil {
		return err
	}
	start := time.Now()
	// as autovacuum would have on a running server
	if err := owner.Conn(ctx).Exec(`VACUUM ANALYZE`).Error; err != nil {
		return err
	}
	fmt.Printf("vacuum analyze: %s\n", time.Since(start).Round(time.Second))
	if !reuse {
		if err := owner.Conn(ctx).Exec(`COMMENT ON DATABASE ` + dbName + ` IS '` + mark + `'`).Error; err != nil {
			return err
		}
	}
	var events int64
	if err := owner.Conn(ctx).Raw(`SELECT seq FROM change_heads WHERE tenant_id = ?`, w.tenantID).Scan(&events).Error; err != nil {
		return err
	}

	reviewers, err := startClaimLoad(ctx, claimConfig{DB: dbName, People: w.reviewers[:o.reviewers], Batch: o.batch, Think: o.think})
	if err != nil {
		return err
	}
	defer reviewers.close()
	fmt.Printf("%d pending review items; %d reviewers claim %d at a time and approve each after %s–%s (in a second process)\n",
		o.pending, o.reviewers, o.batch, o.think/2, o.think*3/2)
	base, err := reviewers.phase(func() error { time.Sleep(o.duration); return nil })
	if err != nil {
		return err
	}
	report("baseline, no export", o.duration, base)

	tctx := db.WithTenant(ctx, w.tenantID)
	e, err := srv.Exports.Create(tctx, w.compliance, exports.CSV, exports.Filter{Since: now.AddDate(-1, 0, 0), Until: now.Add(time.Hour)})
	if err != nil {
		return err
	}
	var took time.Duration
	var rest, peak benchkit.HeapPeak
	during, err := reviewers.phase(func() error {
		if o.cpuProfile != "" {
			f, err := os.Create(o.cpuProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		rest = benchkit.HeapNow()
		heap := benchkit.SampleHeap(50 * time.Millisecond)
		start := time.Now()
		err := srv.Exports.Run(tctx, w.tenantID, e.ID)
		took = time.Since(start)
		peak = heap.Stop()
		return err
	})
	if err != nil {
		return err
	}
	report("during the export", took, during)
	if e, err = srv.Exports.Get(tctx, w.tenantID, e.ID); err != nil {
		return err
	}
	if e.State != "done" {
		return fmt.Errorf("the export is %s: %s", e.State, strOf(e.Error))
	}
	var stored struct{ Chunks, Bytes int64 }
	if err := owner.Conn(ctx).Raw(`SELECT count(*) AS chunks, COALESCE(sum(octet_length(data)), 0) AS bytes FROM export_chunks
		WHERE tenant_id = ? AND export_id = ?`, w.tenantID, e.ID).Scan(&stored).Error; err != nil {
		return err
	}
	rowsPerS := float64(e.Rows) / took.Seconds()
	grew := float64(peak.Inuse-min(peak.Inuse, rest.Inuse)) / benchkit.MiB
	fmt.Printf("export: %d rows, %.1f MiB in %d chunks, Run took %s: %.0f rows/s, %.1f MiB/s\n", e.Rows, float64(stored.Bytes)/benchkit.MiB,
		stored.Chunks, took.Round(time.Millisecond), rowsPerS, float64(stored.Bytes)/benchkit.MiB/took.Seconds())
	fmt.Printf("heap (this process: the export, with the idle server): before Run %.1f MiB in use (%.1f live); during Run at most "+
		"%.1f MiB in use (+%.1f), %.1f allocated, %.1f live (%d samples)\n", float64(rest.Inuse)/benchkit.MiB, float64(rest.Live)/benchkit.MiB,
		float64(peak.Inuse)/benchkit.MiB, grew, float64(peak.Alloc)/benchkit.MiB, float64(peak.Live)/benchkit.MiB, peak.Samples)
	if e.Rows != events || stored.Bytes == 0 || stored.Bytes > e.Bytes { // chunks are stored compressed
		return fmt.Errorf("the export has %d rows and %d bytes (%d stored); the log has %d events", e.Rows, e.Bytes, stored.Bytes, events)
	}
	if o.verify {
		start := time.Now()
		manifest, err := json.Marshal(e.Manifest)
		if err != nil {
			return err
		}
		_, file, err := srv.Exports.Open(tctx, w.compliance, e.ID)
		if err != nil {
			return err
		}
		v, err := exports.Verify(manifest, file, srv.Changes.Signer().PublicKey())
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if v.Rows != events {
			return fmt.Errorf("verify: the file has %d rows; the log has %d events", v.Rows, events)
		}
		fmt.Printf("verified the stored file offline: %d rows, SHA-256, manifest and checkpoint signatures, every row's hash and the chain (%s)\n",
			v.Rows, time.Since(start).Round(time.Second))
	}
	ratio := benchkit.Percentile(during.Claims, 99) / benchkit.Percentile(base.Claims, 99)
	fmt.Printf("csv_rows_per_s=%.0f rows=%d max_heap_mb=%.1f claim_p99_ratio=%.2f\n", rowsPerS, e.Rows, grew, ratio)
	return nil
}

func report(what string, d time.Duration, r claimResult) {
	fmt.Printf("%-20s %6s: claims=%d (%.1f/s) claim_p50_ms=%.2f claim_p99_ms=%.2f claim_max_ms=%.2f; decisions=%d decide_p99_ms=%.2f; double_claims=%d\n",
		what, d.Round(100*time.Millisecond), len(r.Claims), float64(len(r.Claims))/d.Seconds(), benchkit.Percentile(r.Claims, 50),
		benchkit.Percentile(r.Claims, 99), benchkit.Percentile(r.Claims, 100), len(r.Decides), benchkit.Percentile(r.Decides, 99), r.Double)
}

// loadedBefore tells whether the bench database holds a complete load of
// as many events (its comment, set once loaded, says so).
func loadedBefore(ctx context.Context, mark string) (bool, error) {
	_, comment, err := benchkit.Database(ctx, dbName)
	return err == nil && comment != nil && *comment == mark, err
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
