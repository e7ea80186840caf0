// Command benchingest measures proposal intake end to end: batches of 500
// posted over HTTP on loopback by concurrent agents to the real server on a
// fresh database, against pgx CopyFrom of the same number of equivalent rows
// into a scratch table — the floor of what PostgreSQL itself can take. It also
// measures the p99 latency of single-item posts from 20 concurrent agents.
//
// The database is warmed up with a batch per agent and analyzed first, as
// autovacuum would have on a running server. The traffic is an agent sweeping a CRM larger than the sandbox: each item
// targets a deal field the agent has not proposed before, except a share
// (-revise, default 0.1) that re-proposes a target of the agent's previous
// batch and so supersedes its queued proposal. -revise 1 is the worst case:
// every item replaces one. The deals the traffic targets are created in the
// sandbox CRM before the clock starts: intake reads each record's current value.
//
//	make bench-ingest        (sets COUNTERSIGN_TEST_DATABASE_URL)
//
// -rls=false serves as the database's superuser, which row-level security
// does not hold: run it beside a default run to see what RLS's policies cost
// intake (each transaction still declares its tenant).
//
// The last line is `ingest_per_s=N copy_per_s=N ratio=R`.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // -pprof
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/cmd/internal/benchkit"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/seed"
	"countersign/backend/internal/server"
)

func main() {
	clients := flag.Int("clients", 4, "concurrent agents posting batches")
	batches := flag.Int("batches", 25, "batches of 500 per client")
	latencyFor := flag.Duration("latency-for", 5*time.Second, "how long 20 agents post single items")
	revise := flag.Float64("revise", 0.1, "share of items that re-propose a target of the previous batch (supersede)")
	cold := flag.Bool("cold", false, "skip the warm-up and ANALYZE: measure a database without statistics")
	rls := flag.Bool("rls", true, "serve as the app role, under row-level security (false: as the superuser, which RLS does not hold)")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the whole run here")
	debug := flag.String("pprof", "", "serve net/http/pprof on this address (e.g. 127.0.0.1:6060) during the run")
	flag.Parse()
	if *debug != "" {
		go http.ListenAndServe(*debug, nil) //nolint:errcheck // a debugging aid
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(*clients, *batches, *latencyFor, *revise, *cold, *rls); err != nil {
		fmt.Fprintln(os.Stderr, "bench-ingest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(clients, batches int, latencyFor time.Duration, revise float64, cold, rls bool) error {
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	owner, d, err := benchkit.FreshDB(ctx, "countersign_bench", quiet)
	if err != nil {
		return err
	}
	defer owner.Close()
	defer d.Close()
	if !rls {
		d = owner
	}
	srv, err := benchkit.NewServer(ctx, d, quiet)
	if err != nil {
		return err
	}
	data, _ := seed.Demo()
	if err := seed.Connections(ctx, d, srv.Catalog, data, quiet); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.HTTP.Listener(ln)
	defer srv.HTTP.Shutdown()
	base := "http://" + ln.Addr().String() + "/api/agent/v1"
	keys, err := setupAgents(ctx, owner, srv, 20)
	if err != nil {
		return err
	}
	if err := sandboxDeals(ctx, owner, clients, batches); err != nil {
		return err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	// A running server's tables have statistics (autovacuum analyzes them):
	// warm up with a batch per agent and analyze, as it would have. A fresh
	// database has none, and the planner then guesses an agent has one row.
	if !cold {
		for c := 0; c < 20; c++ {
			if err := post(hc, base, keys[c], batch(50+c, 0, 500, 0)); err != nil {
				return err
			}
		}
		if err := owner.Conn(ctx).Exec(`ANALYZE`).Error; err != nil {
			return err
		}
	}

	n := clients * batches * 500
	// the bodies are built before the clock starts: an agent encodes on its own machine
	bodies := make([][][]byte, clients)
	for c := range bodies {
		for b := 0; b < batches; b++ {
			bodies[c] = append(bodies[c], batch(c, b, 500, revise))
		}
	}
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				if err := post(hc, base, keys[c], bodies[c][b]); err != nil {
					errc <- err
					return
				}
			}
		}(c)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	ingest := float64(n) / time.Since(start).Seconds()
	copyRate, err := copyFloor(ctx, owner, n)
	if err != nil {
		return err
	}
	p, count, err := latency(hc, base, keys, latencyFor)
	if err != nil {
		return err
	}
	fmt.Printf("proposals=%d clients=%d batch=500 revise=%.2f rls=%t\n", n, clients, revise, rls)
	fmt.Printf("single_item_posts=%d concurrent_agents=20 p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", count, p[0], p[1], p[2], p[3])
	fmt.Printf("ingest_per_s=%.0f copy_per_s=%.0f ratio=%.2f\n", ingest, copyRate, ingest/copyRate)
	return nil
}

// freshDB migrates a new database as the owner and returns the owner's
// handle (for the COPY floor) and the app role's (for the server, as served).
// sandboxDeals creates, before the clock starts, the sandbox deals every
// batch targets: intake reads each target's current value and answers
// record_not_found for a record the CRM does not have. The prefixes are
// those batch gives the timed clients, the warm-up (50+) and the latency
// agents (100+).
func sandboxDeals(ctx context.Context, owner *db.DB, clients, batches int) error {
	type span struct{ from, to, n int }
	for _, s := range []span{{9, 9 + clients - 1, batches * 250}, {59, 78, 250}, {109, 128, 5000}} {
		err := owner.Conn(ctx).Exec(`
			INSERT INTO sandbox_records (tenant_id, connection_id, object, id, values, created_at, updated_at)
			SELECT c.tenant_id, c.id, 'deals', p::text || lpad(g::text, 7, '0'),
			       '{"dealname": "Old name", "description": "Old name"}'::jsonb, now(), now()
			FROM crm_connections c, generate_series(?::int, ?::int) p, generate_series(0, ?::int) g
			WHERE c.name = 'Acme sandbox CRM'
			ON CONFLICT DO NOTHING`, s.from, s.to, s.n).Error
		if err != nil {
			return fmt.Errorf("creating the bench's sandbox deals: %w", err)
		}
	}
	return nil
}

// setupAgents creates n agents with caps high enough not to trip.
func setupAgents(ctx context.Context, owner *db.DB, srv *server.Server, n int) ([]string, error) {
	var actor principal.Principal
	owner.Conn(ctx).Raw(`SELECT t.id AS tenant_id, u.id AS user_id, u.email FROM tenants t, users u WHERE t.slug = 'acme' AND u.email = 'admin@acme.test'`).Scan(&actor)
	ctx = db.WithTenant(ctx, actor.TenantID)
	cap := 100000
	var keys []string
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("bench-%02d", i)
		a, err := srv.Agents.Create(ctx, actor, agents.Input{Name: &name, VelocityCap: &cap})
		if err != nil {
			return nil, err
		}
		_, key, err := srv.Agents.CreateKey(ctx, actor, a.ID, "bench")
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// batch is agent client's batch b of size proposals: new targets, except
// that a share revise of them re-proposes the same targets in every batch.
func batch(client, b, size int, revise float64) []byte {
	revised := int(revise * float64(size))
	items := make([]map[string]any, size)
	for i := range items {
		n := b*size + i // a target this agent has not proposed before
		if i < revised {
			n = i // a target it proposes in every batch: the previous one's is superseded
		}
		items[i] = map[string]any{"object": "deals", "record_id": fmt.Sprintf("%d%07d", 9+client, n/2), "field": [2]string{"dealname", "description"}[n%2],
			"expected_old": "Old name", "proposed": fmt.Sprintf("Deal %d-%d-%d", client, b, i), "confidence": 0.9,
			"rationale": "Renamed after the kickoff call.", "evidence": []map[string]any{{"url": "https://example.com/notes", "title": "Notes"}},
			"run_id": fmt.Sprintf("bench-%d", client), "idempotency_key": fmt.Sprintf("bench-%d-%d-%d", client, b, i)}
	}
	body, _ := json.Marshal(map[string]any{"proposals": items})
	return body
}

func post(hc *http.Client, base, key string, body []byte) error {
	req, _ := http.NewRequest("POST", base+"/proposals", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("POST proposals: %d %s", res.StatusCode, b)
	}
	// an item refused is a proposal not measured: the bench's items must all be stored
	if bytes.Contains(b, []byte(`"error":`)) {
		return fmt.Errorf("POST proposals: an item was refused: %.300s", b[bytes.Index(b, []byte(`"error":`)):])
	}
	return nil
}

// copyFloor is COPY of n equivalent rows into a scratch copy of the table
// (same columns, defaults and indexes), with values already in the types
// pgx encodes fastest: the best of three runs, the floor of what PostgreSQL
// itself can take.
func copyFloor(ctx context.Context, d *db.DB, n int) (float64, error) {
	conn, err := d.Pool().Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `CREATE TABLE bench_copy (LIKE proposals INCLUDING DEFAULTS INCLUDING INDEXES)`); err != nil {
		return 0, err
	}
	var tenant, agent pgtype.UUID
	conn.QueryRow(ctx, `SELECT tenant_id, agent_id FROM proposals LIMIT 1`).Scan(&tenant, &agent)
	cols := []string{"id", "tenant_id", "agent_id", "batch_id", "idempotency_key", "object", "record_id", "field", "operation",
		"expected_old", "proposed", "confidence", "rationale", "evidence", "run_id", "route", "reasons", "flags", "status", "created_at", "updated_at"}
	now := time.Now()
	batchID := pgtype.UUID{Bytes: [16]byte{0x40}, Valid: true}
	rows := make([][]any, n)
	for i := range rows {
		id := pgtype.UUID{Valid: true}
		binary.BigEndian.PutUint64(id.Bytes[8:], uint64(i))
		rows[i] = []any{id, tenant, agent, batchID, fmt.Sprintf("copy-%d", i), "deals", fmt.Sprint(i), "dealname", "set",
			[]byte(`"Old name"`), []byte(`"New name"`), 0.9, "Renamed after the kickoff call.",
			[]byte(`[{"url":"https://example.com/notes","title":"Notes"}]`), "bench", "review",
			[]byte(`[{"code":"mode_review","text":"Field deals.dealname needs review"}]`), []byte(`[]`), "queued", now, now}
	}
	best := 0.0
	for run := 0; run < 3; run++ {
		if _, err := conn.Exec(ctx, `TRUNCATE bench_copy`); err != nil {
			return 0, err
		}
		start := time.Now()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_copy"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return 0, err
		}
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	return best, nil
}

// latency has 20 agents post single-item batches for a while; it returns
// p50, p90, p99 and the maximum in ms.
func latency(hc *http.Client, base string, keys []string, d time.Duration) ([4]float64, int, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for a := 0; a < 20; a++ {
		wg.Add(1)
		go func(a int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				body := batch(100+a, i, 1, 0)
				t := time.Now()
				err := post(hc, base, keys[a], body)
				mu.Lock()
				lat = append(lat, time.Since(t))
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(a)
	}
	wg.Wait()
	if firstErr != nil {
		return [4]float64{}, 0, firstErr
	}
	return [4]float64{benchkit.Percentile(lat, 50), benchkit.Percentile(lat, 90), benchkit.Percentile(lat, 99), benchkit.Percentile(lat, 100)}, len(lat), nil
}
