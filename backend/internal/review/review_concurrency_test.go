package review_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"

	"countersign/backend/internal/access"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/review"
	"countersign/backend/internal/server"
	"countersign/backend/internal/server/servertest"
)

// 20 reviewers on two app copies (each with its own connection pool and
// enforcer) claim batches of 10 and approve what they get until the queue is
// empty: no item is ever held by two reviewers, none is lost, and each
// proposal is approved exactly once.
func TestReview_20_reviewers_on_two_app_copies_never_hold_the_same_item_and_lose_none(t *testing.T) {
	const items, reviewers = 2000, 20
	e := servertest.NewEnv(t, true)
	a, _ := e.NewAgent("compliance@acme.test", "Bulk", agents.Input{})
	ctx := e.As(a.TenantID)
	qs, err := e.Srv.Review.Queues(ctx, a.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Owner.Conn(context.Background()).Exec(`
		WITH p AS (
		  INSERT INTO proposals (id, tenant_id, agent_id, batch_id, object, record_id, field, operation, proposed, confidence, route, status,
		         created_at, updated_at)
		  SELECT gen_random_uuid(), ?, ?, gen_random_uuid(), 'deals', 'r' || n, 'dealname', 'set', to_jsonb('Deal ' || n), 0.9, 'review',
		         'queued', now(), now()
		  FROM generate_series(1, ?) n RETURNING id, record_id, created_at)
		INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, object, record_id, field, sensitivity, approvals_required,
		       sla_minutes, due_at, rank_at, state, created_at)
		SELECT ?, p.id, ?, ?, 'deals', p.record_id, 'dealname', 'low', 1, 2880, p.created_at + interval '2 days',
		       p.created_at + interval '2 days', 'pending', p.created_at FROM p`,
		a.TenantID, a.ID, items, a.TenantID, qs[2].ID, a.ID).Error; err != nil {
		t.Fatal(err)
	}
	people := make([]principal.Principal, reviewers)
	roles := access.NewStore(e.Owner)
	for i := range people {
		email := fmt.Sprintf("reviewer%02d@acme.test", i)
		var id string
		if err := e.Owner.Conn(context.Background()).Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`,
			email, fmt.Sprintf("Reviewer %02d", i)).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if err := e.Owner.Conn(context.Background()).Exec(`INSERT INTO memberships (tenant_id, user_id) VALUES (?, ?)`, a.TenantID, id).Error; err != nil {
			t.Fatal(err)
		}
		if err := roles.SetRoles(context.Background(), a.TenantID, id, []string{"reviewer"}); err != nil {
			t.Fatal(err)
		}
		people[i] = principal.Principal{UserID: id, TenantID: a.TenantID, Email: email, Name: email}
	}
	// two app copies on the same database, each with its own pool
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := config.Config{Listen: ":0", BaseURL: "http://console.test", SecretKey: make([]byte, 32), Env: "development"}
	var copies [2]*review.Service
	for i := range copies {
		srv, err := server.New(context.Background(), cfg, quiet, dbtest.Open(t, config.AppURL(e.URL)), e.Clock)
		if err != nil {
			t.Fatal(err)
		}
		copies[i] = srv.Review
	}

	var mu sync.Mutex
	holders := map[string]map[string]bool{} // item → reviewers it was handed to
	decided, failures := 0, 0
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Add(1)
		go func(svc *review.Service, p principal.Principal) {
			defer wg.Done()
			for {
				got, _, err := svc.Claim(ctx, p, "", 10)
				if err != nil {
					t.Errorf("%s claim: %v", p.Email, err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, it := range got {
					mu.Lock()
					if holders[it.ID] == nil {
						holders[it.ID] = map[string]bool{}
					}
					holders[it.ID][p.UserID] = true
					mu.Unlock()
					_, err := svc.Decide(ctx, p, it.ID, review.DecisionInput{Verdict: review.Approve})
					mu.Lock()
					if err != nil {
						failures++
						t.Errorf("%s decide %s: %v", p.Email, it.ID, err)
					} else {
						decided++
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}
		}(copies[i%2], p)
	}
	wg.Wait()
	double := 0
	for _, who := range holders {
		if len(who) > 1 {
			double++
		}
	}
	var left, approvedTwice int64
	e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM review_items WHERE tenant_id = ? AND state = 'pending'`, a.TenantID).Scan(&left)
	e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM (SELECT proposal_id FROM proposal_events WHERE tenant_id = ? AND to_status = 'approved'
		GROUP BY proposal_id HAVING count(*) > 1) x`, a.TenantID).Scan(&approvedTwice)
	t.Logf("double_claims=%d decided=%d left=%d failures=%d", double, decided, left, failures)
	if double != 0 || decided != items || left != 0 || approvedTwice != 0 || len(holders) != items {
		t.Errorf("double claims %d, decided %d of %d, %d left pending, %d approved twice, %d items seen", double, decided, items, left,
			approvedTwice, len(holders))
	}
}
