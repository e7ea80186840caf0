package benchkit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"countersign/backend/internal/access"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/review"
)

// AddReviewers creates a user per name (email <prefix>-NN@bench.test), a
// member of tenantID with the reviewer role. A server built before this
// does not know their roles: build the one that serves them after.
func AddReviewers(ctx context.Context, owner *db.DB, tenantID, prefix string, names []string) ([]principal.Principal, error) {
	roles := access.NewStore(owner)
	out := make([]principal.Principal, 0, len(names))
	for i, name := range names {
		email := fmt.Sprintf("%s-%02d@bench.test", prefix, i+1)
		var id string
		if err := owner.Conn(ctx).Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`, email, name).
			Scan(&id).Error; err != nil {
			return nil, err
		}
		if err := owner.Conn(ctx).Exec(`INSERT INTO memberships (tenant_id, user_id) VALUES (?, ?)`, tenantID, id).Error; err != nil {
			return nil, err
		}
		if err := roles.SetRoles(ctx, tenantID, id, []string{"reviewer"}); err != nil {
			return nil, err
		}
		out = append(out, principal.Principal{UserID: id, TenantID: tenantID, Email: email, Name: name, IP: "127.0.0.1"})
	}
	return out, nil
}

// FillPending gives a tenant n queued proposals of agentID with their
// pending review items, created over the last day, of every sensitivity,
// spread over queueIDs (queues that take new items).
func FillPending(ctx context.Context, owner *db.DB, tenantID, agentID string, queueIDs []string, n int) error {
	if n <= 0 {
		return nil
	}
	if len(queueIDs) == 0 {
		return errors.New("FillPending: no queue")
	}
	return owner.Conn(ctx).Exec(`
		WITH p AS (
		  INSERT INTO proposals (id, tenant_id, agent_id, batch_id, object, record_id, field, operation, proposed, confidence, route,
		         status, created_at, updated_at)
		  SELECT gen_random_uuid(), ?, ?, gen_random_uuid(), 'deals', 'r' || g || '-' || floor(random() * 1e9)::bigint, 'dealname', 'set',
		         to_jsonb('Deal ' || g), 0.9, 'review', 'queued', now() - (random() * interval '1 day'), now()
		  FROM generate_series(1, ?) g
		  RETURNING id, record_id, created_at)
		INSERT INTO review_items (tenant_id, proposal_id, queue_id, agent_id, object, record_id, field, sensitivity, approvals_required,
		       sla_minutes, due_at, rank_at, state, created_at)
		SELECT ?, p.id, q.ids[1 + (abs(hashtext(p.record_id)) % cardinality(q.ids))], ?, 'deals', p.record_id, 'dealname', s.sensitivity, 1,
		       s.sla, p.created_at + make_interval(mins => s.sla), p.created_at + make_interval(mins => s.sla) - make_interval(mins => (random() * 120)::int),
		       'pending', p.created_at
		FROM p CROSS JOIN (SELECT ?::uuid[] AS ids) q
		CROSS JOIN LATERAL (SELECT (ARRAY['low', 'medium', 'high', 'critical'])[1 + (abs(hashtext(p.record_id || 's')) % 4)] AS sensitivity) x
		CROSS JOIN LATERAL (SELECT x.sensitivity, (ARRAY[2880, 1440, 480, 240])[1 + (abs(hashtext(p.record_id || 's')) % 4)] AS sla) s`,
		tenantID, agentID, n, tenantID, agentID, uuidArray(queueIDs)).Error
}

func uuidArray(ids []string) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id
	}
	return s + "}"
}

// ReviewLoad is reviewers at work: each claims a batch, looks at each item
// for Think/2 to 3·Think/2 and approves it, then claims again.
type ReviewLoad struct {
	Review *review.Service
	People []principal.Principal
	Batch  int
	Think  time.Duration
}

// ReviewResult is what a ReviewLoad's run took.
type ReviewResult struct {
	Claims, Decides []time.Duration
	// Double counts items handed to two reviewers in the run.
	Double int
	Err    error
}

// WarmUp has each reviewer claim and give back a few times: a running
// server's connections have their statements prepared (and, after five
// runs, planned once for all) and their catalog caches warm.
func (l ReviewLoad) WarmUp(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make([]error, len(l.People))
	for i, p := range l.People {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := db.WithTenant(ctx, p.TenantID)
			for range 8 {
				if _, _, err := l.Review.Claim(ctx, p, "", l.Batch); err != nil {
					errs[i] = err
					return
				}
				if _, err := l.Review.Release(ctx, p, nil); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Run has every reviewer work until stop is closed; each then gives back
// what they still hold (not timed).
func (l ReviewLoad) Run(ctx context.Context, stop <-chan struct{}) ReviewResult {
	var mu sync.Mutex
	var res ReviewResult
	handed := map[string]string{} // item → the reviewer it was handed to
	fail := func(what string, err error) {
		mu.Lock()
		if res.Err == nil {
			res.Err = fmt.Errorf("%s: %w", what, err)
		}
		mu.Unlock()
	}
	// pause waits d, or less if stopped; false once stopped
	pause := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-stop:
			return false
		case <-t.C:
			return true
		}
	}
	var wg sync.WaitGroup
	for _, p := range l.People {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := db.WithTenant(ctx, p.TenantID)
			defer func() {
				if _, err := l.Review.Release(ctx, p, nil); err != nil {
					fail("release", err)
				}
			}()
			// reviewers do not start in step, nor take the same time per item
			if !pause(time.Duration(rand.Int64N(int64(l.Think)*int64(l.Batch) + 1))) {
				return
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				t := time.Now()
				got, _, err := l.Review.Claim(ctx, p, "", l.Batch)
				took := time.Since(t)
				mu.Lock()
				res.Claims = append(res.Claims, took)
				for _, it := range got {
					if other, ok := handed[it.ID]; ok && other != p.UserID {
						res.Double++
					}
					handed[it.ID] = p.UserID
				}
				mu.Unlock()
				if err != nil {
					fail("claim", err)
					return
				}
				if len(got) == 0 && !pause(time.Second) { // nothing left to claim
					return
				}
				for _, it := range got {
					if !pause(l.Think/2 + time.Duration(rand.Int64N(int64(l.Think)+1))) {
						return
					}
					t := time.Now()
					_, err := l.Review.Decide(ctx, p, it.ID, review.DecisionInput{Verdict: review.Approve})
					took := time.Since(t)
					mu.Lock()
					res.Decides = append(res.Decides, took)
					mu.Unlock()
					if err != nil {
						fail("decide", err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	return res
}
