// Command benchreview measures review claims and decisions under load: a
// fresh database with 1,000,000 pending review items across three tenants,
// and 20 reviewers (10 in one tenant, 5 in each of the others) who claim
// batches of 10 and approve each item they get, concurrently, for a while.
// Each looks at an item for -think (500 ms: a fast human takes seconds)
// before deciding; -think 0 has them decide as fast as the machine allows,
// where on a small machine the latencies measure the CPU queue.
// Every item any reviewer was handed is recorded: an item handed to two
// reviewers is a double claim.
//
//	make bench-review        (sets COUNTERSIGN_TEST_DATABASE_URL)
//	make bench-review ARGS="-reuse"   (again on the items loaded before)
//
// The last line is
// `claim_p99_ms=X decide_p99_ms=Y pending=N reviewers=20 double_claims=D`.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/access"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/review"
	"countersign/backend/internal/server"
)

func main() {
	items := flag.Int("items", 1_000_000, "pending review items, spread over three tenants")
	duration := flag.Duration("for", 60*time.Second, "how long the reviewers work")
	reviewerCount = flag.Int("reviewers", 20, "reviewers: half in the first tenant, a quarter in each other")
	flag.DurationVar(&think, "think", 500*time.Millisecond, "how long a reviewer looks at an item before deciding (0: as fast as the machine allows)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the reviewers' work here")
	reuse := flag.Bool("reuse", false, "reuse the database of an earlier run that loaded as many items (skips the load)")
	flag.StringVar(&latencies, "latencies", "", "write every timed claim and decision here (kind, start as Unix ms, milliseconds), to pool runs")
	flag.Parse()
	cpuProfile = *profile
	if err := run(*items, *duration, *reuse); err != nil {
		fmt.Fprintln(os.Stderr, "bench-review:", err)
		os.Exit(1)
	}
}

const dbName = "countersign_bench_review"

func run(items int, duration time.Duration, reuse bool) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var owner, d *db.DB
	var tenants []tenant
	var err error
	if reuse {
		owner, d, tenants, err = loadedBefore(ctx, items)
		if err != nil {
			return err
		}
		if tenants == nil {
			fmt.Printf("-reuse: no %s with %d items; loading one\n", dbName, items)
		}
	}
	if tenants == nil {
		if owner, d, tenants, err = load(ctx, items, quiet); err != nil {
			return err
		}
	}
	defer owner.Close()
	defer d.Close()
	people, err := reviewers(ctx, owner, tenants, split(*reviewerCount))
	if err != nil {
		return err
	}
	// the enforcer of a fresh server knows the reviewers just given roles
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		if f, err := os.Create(cpuProfile); err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	// A running server's connections have their statements prepared (and,
	// after five runs, planned once for all) and their catalog caches warm:
	// each reviewer claims and gives back a few times first.
	if err := warmUp(ctx, srv.Review, people); err != nil {
		return err
	}
	res := work(ctx, srv.Review, people, duration)
	if res.err != nil {
		return res.err
	}
	var pending int64
	if err := owner.Conn(ctx).Raw(`SELECT count(*) FROM review_items WHERE state = 'pending'`).Scan(&pending).Error; err != nil {
		return err
	}
	if latencies != "" {
		if err := writeLatencies(latencies, res.samples); err != nil {
			return err
		}
	}
	fmt.Printf("claims=%d decisions=%d claim_p50_ms=%.2f decide_p50_ms=%.2f\n", len(res.claims), len(res.decides),
		benchkit.Percentile(res.claims, 50), benchkit.Percentile(res.decides, 50))
	fmt.Printf("claim_p99_ms=%.2f decide_p99_ms=%.2f pending=%d reviewers=%d double_claims=%d\n",
		benchkit.Percentile(res.claims, 99), benchkit.Percentile(res.decides, 99), pending, len(people), res.double)
	return nil
}

// load makes a fresh database with items pending review items.
func load(ctx context.Context, items int, quiet *slog.Logger) (owner, d *db.DB, tenants []tenant, err error) {
	if owner, d, err = benchkit.FreshDB(ctx, dbName, quiet); err != nil {
		return nil, nil, nil, err
	}
	defer func() {
		if err != nil {
			owner.Close()
			d.Close()
		}
	}()
	if tenants, err = setupTenants(ctx, owner); err != nil {
		return nil, nil, nil, err
	}
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return nil, nil, nil, err
	}
	start := time.Now()
	for i, t := range tenants {
		n := items / len(tenants)
		if i == 0 {
			n += items % len(tenants)
		}
		if err = fill(ctx, owner, srv, t, n); err != nil {
			return nil, nil, nil, err
		}
	}
	// as autovacuum would have on a running server
	if err = owner.Conn(ctx).Exec(`VACUUM ANALYZE`).Error; err != nil {
		return nil, nil, nil, err
	}
	fmt.Printf("loaded %d pending items in %s\n", items, time.Since(start).Round(time.Second))
	return owner, d, tenants, nil
}

// loadedBefore opens the database of an earlier run (migrated to the current
// schema) when it holds items review items in the bench's three tenants; nil
// tenants when there is none to reuse. The claims an earlier run left are
// dropped; the items it decided stay decided (pending says how many are left).
func loadedBefore(ctx context.Context, items int) (owner, d *db.DB, tenants []tenant, err error) {
	if found, _, err := benchkit.Database(ctx, dbName); err != nil || !found {
		return nil, nil, nil, err
	}
	if owner, d, err = benchkit.OpenDB(ctx, dbName); err != nil {
		return nil, nil, nil, err
	}
	var n int64
	conn := owner.Conn(ctx)
	err = conn.Raw(`SELECT count(*) FROM review_items`).Scan(&n).Error
	if err == nil && n == int64(items) {
		err = conn.Raw(`SELECT t.id, a.id AS agent_id, a.connection_id FROM tenants t JOIN agents a ON a.tenant_id = t.id AND a.name = 'bench'
			ORDER BY t.created_at, t.slug`).Scan(&tenants).Error
	}
	if err == nil && len(tenants) == 3 {
		start := time.Now()
		if err = conn.Exec(`DELETE FROM review_claims`).Error; err == nil {
			err = conn.Exec(`VACUUM ANALYZE review_claims, review_items`).Error
		}
		fmt.Printf("reusing %s (%d items, loaded before) in %s\n", dbName, items, time.Since(start).Round(time.Second))
	} else {
		tenants = nil
	}
	if err != nil || tenants == nil {
		owner.Close()
		d.Close()
		return nil, nil, nil, err
	}
	return owner, d, tenants, nil
}

var (
	latencies     string
	cpuProfile    string
	reviewerCount *int
	think         time.Duration
)

// split spreads n reviewers: half in the first tenant, the rest evenly over the other two.
func split(n int) []int {
	a := (n + 1) / 2
	b := (n - a + 1) / 2
	return []int{a, b, n - a - b}
}

type tenant struct{ ID, AgentID, ConnectionID string }

// setupTenants adds a third tenant to the demo's two, and an agent (owned
// by no member) in each.
func setupTenants(ctx context.Context, owner *db.DB) ([]tenant, error) {
	conn := owner.Conn(ctx)
	if err := conn.Exec(`INSERT INTO tenants (slug, name) VALUES ('initech', 'Initech')`).Error; err != nil {
		return nil, err
	}
	var ts []tenant
	if err := conn.Raw(`SELECT id FROM tenants ORDER BY created_at, slug`).Scan(&ts).Error; err != nil {
		return nil, err
	}
	for i := range ts {
		if err := conn.Raw(`INSERT INTO crm_connections (tenant_id, name, provider) VALUES (?, 'Bench sandbox', 'sandbox') RETURNING id`,
			ts[i].ID).Scan(&ts[i].ConnectionID).Error; err != nil {
			return nil, err
		}
		if err := conn.Raw(`INSERT INTO agents (tenant_id, connection_id, name) VALUES (?, ?, 'bench') RETURNING id`,
			ts[i].ID, ts[i].ConnectionID).Scan(&ts[i].AgentID).Error; err != nil {
			return nil, err
		}
	}
	return ts, nil
}

// fill gives a tenant n queued proposals with their review items, created
// over the last day, of every sensitivity, in the tenant's default queues.
func fill(ctx context.Context, owner *db.DB, srv *server.Server, t tenant, n int) error {
	qs, err := srv.Review.Queues(db.WithTenant(ctx, t.ID), t.ID) // the default queues
	if err != nil {
		return err
	}
	return owner.Conn(ctx).Exec(`
		WITH p AS (
		  INSERT INTO proposals (id, tenant_id, agent_id, batch_id, object, record_id, field, operation, proposed, confidence, route,
		         status, created_at, updated_at)
		  SELECT gen_random_uuid(), ?, ?, gen_random_uuid(), 'deals', 'r' || g, 'dealname', 'set', to_jsonb('Deal ' || g), 0.9, 'review',
		         'queued', now() - (random() * interval '1 day'), now()
		  FROM generate_series(1, ?) g
		  RETURNING id, record_id, created_at)
		INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, object, record_id, field, sensitivity, approvals_required,
		       sla_minutes, due_at, rank_at, state, created_at)
		SELECT ?, p.id, (ARRAY[?, ?, ?]::uuid[])[1 + (abs(hashtext(p.record_id)) % 3)], ?, 'deals', p.record_id, 'dealname', s.sensitivity, 1,
		       s.sla, p.created_at + make_interval(mins => s.sla), p.created_at + make_interval(mins => s.sla) - make_interval(mins => (random() * 120)::int),
		       'pending', p.created_at
		FROM p CROSS JOIN LATERAL (SELECT (ARRAY['low', 'medium', 'high', 'critical'])[1 + (abs(hashtext(p.record_id || 's')) % 4)] AS sensitivity) x
		CROSS JOIN LATERAL (SELECT x.sensitivity, (ARRAY[2880, 1440, 480, 240])[1 + (abs(hashtext(p.record_id || 's')) % 4)] AS sla) s`,
		t.ID, t.AgentID, n, t.ID, qs[0].ID, qs[1].ID, qs[2].ID, t.AgentID).Error
}

// reviewers creates counts[i] reviewers in tenant i (those an earlier run
// on the same database created are taken as they are).
func reviewers(ctx context.Context, owner *db.DB, ts []tenant, counts []int) ([]principal.Principal, error) {
	roles := access.NewStore(owner)
	var out []principal.Principal
	for i, t := range ts {
		for j := 0; j < counts[i]; j++ {
			email := fmt.Sprintf("bench-reviewer-%d-%d@bench.test", i, j)
			var id string
			if err := owner.Conn(ctx).Raw(`SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id AND m.tenant_id = ?
				WHERE u.email = ?`, t.ID, email).Scan(&id).Error; err != nil {
				return nil, err
			}
			if id != "" {
				out = append(out, principal.Principal{UserID: id, TenantID: t.ID, Email: email, Name: email})
				continue
			}
			if err := owner.Conn(ctx).Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`, email, email).
				Scan(&id).Error; err != nil {
				return nil, err
			}
			if err := owner.Conn(ctx).Exec(`INSERT INTO memberships (tenant_id, user_id) VALUES (?, ?)`, t.ID, id).Error; err != nil {
				return nil, err
			}
			if err := roles.SetRoles(ctx, t.ID, id, []string{"reviewer"}); err != nil {
				return nil, err
			}
			out = append(out, principal.Principal{UserID: id, TenantID: t.ID, Email: email, Name: email})
		}
	}
	return out, nil
}

func warmUp(ctx context.Context, svc *review.Service, people []principal.Principal) error {
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, p := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := db.WithTenant(ctx, p.TenantID)
			for range 8 {
				if _, _, err := svc.Claim(ctx, p, "", 10); err != nil {
					errs[i] = err
					return
				}
				if _, err := svc.Release(ctx, p, nil); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

type result struct {
	claims, decides []time.Duration
	samples         []sample // the same, with when each started (-latencies)
	double          int
	err             error
}

type sample struct {
	kind string
	at   time.Time
	took time.Duration
}

func writeLatencies(path string, ss []sample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, s := range ss {
		fmt.Fprintf(w, "%s %d %.3f\n", s.kind, s.at.UnixMilli(), float64(s.took.Microseconds())/1000)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// work has every reviewer claim 10 and approve them, until the time is up.
func work(ctx context.Context, svc *review.Service, people []principal.Principal, d time.Duration) result {
	var mu sync.Mutex
	var res result
	handed := map[string]string{} // item → the reviewer it was handed to
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for _, p := range people {
		wg.Add(1)
		go func(p principal.Principal) {
			defer wg.Done()
			ctx := db.WithTenant(ctx, p.TenantID)
			// reviewers do not start in step, nor take the same time per item
			time.Sleep(time.Duration(rand.Int64N(int64(10*think) + 1)))
			for time.Now().Before(deadline) {
				t := time.Now()
				got, _, err := svc.Claim(ctx, p, "", 10)
				took := time.Since(t)
				mu.Lock()
				res.claims = append(res.claims, took)
				res.samples = append(res.samples, sample{"claim", t, took})
				for _, it := range got {
					if other, ok := handed[it.ID]; ok && other != p.UserID {
						res.double++
					}
					handed[it.ID] = p.UserID
				}
				if err != nil && res.err == nil {
					res.err = fmt.Errorf("claim: %w", err)
				}
				mu.Unlock()
				if err != nil {
					return
				}
				for _, it := range got {
					time.Sleep(think/2 + time.Duration(rand.Int64N(int64(think)+1)))
					t := time.Now()
					_, err := svc.Decide(ctx, p, it.ID, review.DecisionInput{Verdict: review.Approve})
					took := time.Since(t)
					mu.Lock()
					res.decides = append(res.decides, took)
					res.samples = append(res.samples, sample{"decide", t, took})
					if err != nil && res.err == nil {
						res.err = fmt.Errorf("decide: %w", err)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}
		}(p)
	}
	wg.Wait()
	return res
}
