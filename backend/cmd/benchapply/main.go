// Command benchapply measures the write path of approved changes and the
// change log:
//
//   - apply: -n approved proposals (distinct deals) written to the HubSpot
//     fake with its limits on (190 requests per 10 s, 100 inputs per batch),
//     each re-read before its write and confirmed after, through the apply
//     service; the ceiling is what the limits allow if every request carried
//     100 writes and nothing else (1,900/s);
//
//   - append: change events appended by 3 tenants at once, 100 per transaction;
//
//   - verify: one tenant's chain walked and every hash recomputed (best of
//     -walks, three by default).
//
// Run it with make, which sets COUNTERSIGN_TEST_DATABASE_URL; -verify-only
// runs only the walks, on the chains an earlier run appended:
//
//	make bench-apply
//	make bench-apply ARGS="-verify-only -walks 10 -cpuprofile /tmp/verify.pprof"
//
// The last line is
// `apply_per_s=X ceiling_per_s=1900 ratio=R append_per_s=A verify_rows_per_s=V`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/pprof"
	"strconv"
	"sync"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/apply"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/review"
)

const (
	ceiling = 1900 // 190 requests per 10 s × 100 inputs
	dbName  = "countersign_bench_apply"
)

// secret is the bench's server secret: the signing key of its checkpoints.
var secret = make([]byte, 32)

type options struct {
	n, events, walks int
	verifyOnly       bool
	cpuProfile       string
}

func main() {
	var o options
	flag.IntVar(&o.n, "n", 20000, "approved proposals to apply")
	flag.IntVar(&o.events, "events", 150_000, "change events to append, over 3 tenants")
	flag.IntVar(&o.walks, "walks", 3, "verify walks; the best is reported")
	flag.BoolVar(&o.verifyOnly, "verify-only", false, "only the verify walks, on the database of an earlier run (apply and append print 0)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the verify walks here")
	flag.Parse()
	if o.walks < 1 {
		fmt.Fprintln(os.Stderr, "bench-apply: -walks must be at least 1")
		os.Exit(2)
	}
	var err error
	if o.verifyOnly {
		err = verifyOnly(o)
	} else {
		err = run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-apply:", err)
		os.Exit(1)
	}
}

// verifyOnly walks the largest chain of an earlier run's database.
func verifyOnly(o options) error {
	ctx := context.Background()
	owner, d, err := benchkit.OpenDB(ctx, dbName)
	if err != nil {
		return fmt.Errorf("-verify-only needs the database of an earlier make bench-apply: %w", err)
	}
	defer owner.Close()
	defer d.Close()
	var tenants []string
	if err := owner.Conn(ctx).Raw(`SELECT tenant_id FROM change_heads ORDER BY seq DESC LIMIT 1`).Scan(&tenants).Error; err != nil {
		return err
	}
	if len(tenants) == 0 {
		return fmt.Errorf("-verify-only: %s holds no change events; run make bench-apply first", dbName)
	}
	changes := changelog.New(changelog.Deps{DB: d, Clock: clock.System{}, Signer: changelog.NewSigner(secret)})
	verifyRate, err := walk(ctx, changes, tenants[0], o)
	if err != nil {
		return err
	}
	fmt.Printf("apply_per_s=%.0f ceiling_per_s=%d ratio=%.2f append_per_s=%.0f verify_rows_per_s=%.0f\n", 0.0, ceiling, 0.0, 0.0, verifyRate)
	return nil
}

// walk verifies the tenant's chain o.walks times and returns the best rate:
// the first walk reads pages PostgreSQL has not cached yet; the best is the
// walk's own speed.
func walk(ctx context.Context, changes *changelog.Service, tenantID string, o options) (float64, error) {
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	var rate float64
	for i := range o.walks {
		start := time.Now()
		v, err := changes.Verify(db.WithTenant(ctx, tenantID), tenantID)
		if err != nil {
			return 0, err
		}
		if !v.OK {
			return 0, fmt.Errorf("the chain does not verify at %v: %s", v.FirstBad, v.Problem)
		}
		took := time.Since(start)
		fmt.Printf("verify %d: %d events of one tenant in %s\n", i+1, v.Events, took.Round(time.Millisecond))
		rate = max(rate, float64(v.Events)/took.Seconds())
	}
	return rate, nil
}

func run(o options) error {
	n, events := o.n, o.events
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	owner, d, err := benchkit.FreshDB(ctx, dbName, quiet)
	if err != nil {
		return err
	}
	defer owner.Close()
	defer d.Close()

	fake, stop := hubspottest.Start(hubspottest.Options{Records: n})
	defer stop()
	fake.Limit(190, 10*time.Second)
	factories := map[crm.Provider]crm.Factory{crm.HubSpot: func(_ context.Context, c crm.Connection) (crm.Connector, error) {
		// a Professional portal's burst limit: 19 requests a second
		return hubspot.New(c, httpx.WithRateLimit(19, 19))
	}}
	cat, err := catalog.NewService(catalog.Deps{DB: d, Jobs: jobs.New(d, quiet), Audit: audit.New(d), Clock: clock.System{}, Log: quiet,
		SecretKey: secret, Factories: factories})
	if err != nil {
		return err
	}
	var admin principal.Principal
	if err := owner.Conn(ctx).Raw(`SELECT m.tenant_id, u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
		JOIN tenants t ON t.id = m.tenant_id WHERE t.slug = 'acme' AND u.email = 'admin@acme.test'`).Scan(&admin).Error; err != nil {
		return err
	}
	actx := db.WithTenant(ctx, admin.TenantID)
	name, base := "HubSpot (fake)", fake.URL
	conn, err := cat.CreateConnection(actx, admin, catalog.ConnectionInput{Name: &name, Provider: crm.HubSpot, BaseURL: &base,
		Credentials: map[string]string{"access_token": fake.Token}})
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	run, err := cat.StartSync(actx, admin, conn.ID)
	if err != nil {
		return err
	}
	if err := cat.RunSync(ctx, admin.TenantID, run.ID); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	agentName := "Bench"
	agent, err := agents.NewService(agents.Deps{DB: d, Catalog: cat, Audit: audit.New(d), Clock: clock.System{}}).Create(actx, admin, agents.Input{Name: &agentName, ConnectionID: &conn.ID})
	if err != nil {
		return err
	}
	if err := approve(ctx, owner, fake, admin.TenantID, agent.ID, n); err != nil {
		return err
	}

	changes := changelog.New(changelog.Deps{DB: d, Clock: clock.System{}, Catalog: cat, Signer: changelog.NewSigner(secret)})
	rv := review.New(review.Deps{DB: d, Clock: clock.System{}, Catalog: cat})
	ap := apply.New(apply.Deps{DB: d, Clock: clock.System{}, Catalog: cat, Changelog: changes, Review: rv, Log: quiet})
	ap.Hold = 0
	fake.ResetCounts()
	start := time.Now()
	res, err := ap.Drain(ctx, admin.TenantID)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if res.Applied != n {
		return fmt.Errorf("applied %d of %d (stale %d, failed %d)", res.Applied, n, res.Stale, res.Failed)
	}
	applyRate := float64(n) / elapsed.Seconds()
	fmt.Printf("apply: %d proposals in %s, %d HubSpot requests (%.2f per 100 writes)\n", n, elapsed.Round(time.Millisecond),
		fake.Total(), float64(fake.Total())*100/float64(n))

	appendRate, tenants, err := appendEvents(ctx, owner, changes, conn.ID, events)
	if err != nil {
		return err
	}
	verifyRate, err := walk(ctx, changes, tenants[0], o)
	if err != nil {
		return err
	}
	fmt.Printf("apply_per_s=%.0f ceiling_per_s=%d ratio=%.2f append_per_s=%.0f verify_rows_per_s=%.0f\n",
		applyRate, ceiling, applyRate/ceiling, appendRate, verifyRate)
	return nil
}

// approve inserts n approved proposals, one per deal, renaming it; each
// expects the name the fake holds.
func approve(ctx context.Context, owner *db.DB, fake *hubspottest.Server, tenantID, agentID string, n int) error {
	rows := make([][]any, 0, n)
	for i := range n {
		id := strconv.Itoa(1001 + i)
		old := fake.Value("deals", id, "dealname")
		rows = append(rows, []any{tenantID, agentID, id, `"` + old + `"`, `"Renamed deal ` + id + `"`})
	}
	old := time.Now().Add(-time.Minute)
	return owner.InTx(db.WithTenant(ctx, tenantID), func(ctx context.Context) error {
		for start := 0; start < len(rows); start += 1000 {
			batch := rows[start:min(start+1000, len(rows))]
			for _, r := range batch {
				if err := owner.Conn(ctx).Exec(`INSERT INTO proposals (tenant_id, agent_id, batch_id, object, record_id, field, operation,
					expected_old, proposed, confidence, route, status, created_at, updated_at)
					VALUES (?, ?, gen_random_uuid(), 'deals', ?, 'dealname', 'set', ?::jsonb, ?::jsonb, 0.99, 'review', 'approved', ?, ?)`,
					r[0], r[1], r[2], r[3], r[4], old, old).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// appendEvents appends events over the three demo tenants concurrently, 100
// per transaction, and returns the rate and the tenants (the first holds the most).
func appendEvents(ctx context.Context, owner *db.DB, changes *changelog.Service, connectionID string, events int) (float64, []string, error) {
	var tenants []string
	if err := owner.Conn(ctx).Raw(`SELECT id FROM tenants ORDER BY slug`).Scan(&tenants).Error; err != nil {
		return 0, nil, err
	}
	if len(tenants) > 3 {
		tenants = tenants[:3]
	}
	per := events / len(tenants)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, len(tenants))
	for i, t := range tenants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tctx := db.WithTenant(ctx, t)
			for done := 0; done < per && errs[i] == nil; done += 100 {
				batch := make([]changelog.Entry, 100)
				for j := range batch {
					batch[j] = changelog.Entry{ConnectionID: connectionID, Object: "deals", RecordID: strconv.Itoa(done + j), Field: "dealname",
						Before: "old name", After: "new name", ActorKind: changelog.ActorSystem, At: time.Now()}
				}
				_, errs[i] = changes.Append(tctx, t, batch)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return 0, nil, err
		}
	}
	rate := float64(per*len(tenants)) / time.Since(start).Seconds()
	fmt.Printf("append: %d events over %d tenants in %s\n", per*len(tenants), len(tenants), time.Since(start).Round(time.Millisecond))
	return rate, tenants, nil
}
