package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

func TestIntake_velocity_breaker_trips_raises_an_alert_and_hard_cap_answers_429(t *testing.T) {
	e := servertest.NewEnv(t, true)
	cap, mult := 3, 2
	a, agent := e.NewAgent("admin@acme.test", "Burst", agents.Input{VelocityCap: &cap, HardCapMultiplier: &mult})
	deals := agent.Records("deals", "dealstage", 10)
	item := func(i int) map[string]any {
		return map[string]any{"object": "deals", "record_id": deals[i].ID, "field": "dealname", "proposed": fmt.Sprintf("Deal %d", i), "confidence": 0.99}
	}
	agent.Propose(item(0), item(1), item(2))
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); got.BreakerOpen {
		t.Fatal("breaker open at the cap")
	}
	res := agent.Propose(item(3))
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); !got.BreakerOpen {
		t.Fatal("breaker closed past the cap")
	}
	if !strings.Contains(strings.Join(res[0].Reasons, " "), "breaker") {
		t.Errorf("reasons after the trip: %v", res[0].Reasons)
	}
	alerts, _ := e.Srv.Alerts.List(e.As(a.TenantID), a.TenantID, false)
	if len(alerts) != 1 || !strings.Contains(alerts[0].Title, "Burst") {
		t.Errorf("alerts %+v", alerts)
	}
	over := agent.Do("POST", "/proposals", map[string]any{"proposals": []any{item(4), item(5), item(6)}})
	if over.Status != 429 || over.Header.Get("Retry-After") == "" || over.Code() != "velocity_hard_cap" {
		t.Errorf("past the hard cap: %d %s", over.Status, over.Body)
	}
	admin := e.SignIn("admin@acme.test")
	if res := admin.Do("POST", "/api/v1/agents/"+a.ID+"/breaker/reset", nil); res.Status != 200 || !strings.Contains(string(res.Body), `"breaker_open":false`) {
		t.Fatalf("reset: %d %s", res.Status, res.Body)
	}
	if open, _ := e.Srv.Alerts.List(e.As(a.TenantID), a.TenantID, false); len(open) != 0 {
		t.Errorf("the breaker's alert is still open after the reset: %+v", open)
	}
	// the window restarts at the reset: one more record does not trip it again
	agent.Propose(item(7))
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); got.BreakerOpen {
		t.Error("the breaker tripped again on the first proposal after a reset")
	}
}

// Batches of one agent sent at once still add up: the one that crosses the
// cap trips the breaker, however they interleave.
func TestIntake_concurrent_batches_of_one_agent_count_every_record(t *testing.T) {
	e := servertest.NewEnv(t, true)
	cap := 19
	a, agent := e.NewAgent("admin@acme.test", "Parallel", agents.Input{VelocityCap: &cap})
	deals := agent.Records("deals", "dealname", 20)
	var wg sync.WaitGroup
	for c := 0; c < 6; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			// two records every batch shares, three of its own: 2 + 6 × 3 = 20 distinct
			var items []map[string]any
			for _, i := range []int{0, 1, 2 + 3*c, 3 + 3*c, 4 + 3*c} {
				items = append(items, map[string]any{"object": "deals", "record_id": deals[i].ID, "field": "description",
					"proposed": fmt.Sprintf("Batch %d", c), "confidence": 0.9})
			}
			if res := agent.Do("POST", "/proposals", map[string]any{"proposals": items}); res.Status != 200 {
				t.Errorf("batch %d: %d %s", c, res.Status, res.Body)
			}
		}(c)
	}
	wg.Wait()
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); !got.BreakerOpen {
		t.Error("20 distinct records against a cap of 19, and the breaker is closed")
	}
	var queued int
	e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM proposals WHERE agent_id = ? AND status = 'queued' AND record_id IN ?`,
		a.ID, []string{deals[0].ID, deals[1].ID}).Scan(&queued)
	if queued != 2 {
		t.Errorf("%d queued proposals on the two shared records, want one each", queued)
	}
}

// A trip computed from a count that began before an admin's reset does not
// reopen the breaker.
func TestIntake_a_reset_outlives_a_late_trip(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a, _ := e.NewAgent("admin@acme.test", "Patient", agents.Input{})
	ctx := e.As(a.TenantID)
	open := func() bool {
		got, err := e.Srv.Agents.Get(ctx, a.TenantID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.BreakerOpen
	}
	if err := e.Srv.Agents.Trip(ctx, a, 20); err != nil || !open() {
		t.Fatalf("trip: %v, open %v", err, open())
	}
	admin := e.SignIn("admin@acme.test")
	if res := admin.Do("POST", "/api/v1/agents/"+a.ID+"/breaker/reset", nil); res.Status != 200 {
		t.Fatalf("reset: %d %s", res.Status, res.Body)
	}
	// a batch that counted from before the reset (a, read before it) comes back to trip it: the reset wins
	if err := e.Srv.Agents.Trip(ctx, a, 20); err != nil || open() {
		t.Errorf("a trip counted from before the reset: %v, reopened the breaker: %v", err, open())
	}
	got, _ := e.Srv.Agents.Get(ctx, a.TenantID, a.ID)
	if err := e.Srv.Agents.Trip(ctx, got, 20); err != nil || !open() {
		t.Errorf("a trip counted from the last reset: %v, did not open the breaker", err)
	}
}

func TestIntake_a_retried_batch_counts_for_nothing_and_answers_as_before(t *testing.T) {
	e := servertest.NewEnv(t, true)
	cap, mult := 3, 2
	a, agent := e.NewAgent("admin@acme.test", "Retry burst", agents.Input{VelocityCap: &cap, HardCapMultiplier: &mult})
	deals := agent.Records("deals", "dealname", 10)
	batchOf := func(from int, prefix string) []map[string]any {
		var items []map[string]any
		for i := from; i < from+5; i++ {
			items = append(items, map[string]any{"object": "deals", "record_id": deals[i].ID, "field": "dealname",
				"proposed": fmt.Sprintf("Deal %d", i), "confidence": 0.9, "idempotency_key": fmt.Sprintf("%s-%d", prefix, i)})
		}
		return items
	}
	first := agent.Propose(batchOf(0, "a")...)
	admin := e.SignIn("admin@acme.test")
	if res := admin.Do("POST", "/api/v1/agents/"+a.ID+"/breaker/reset", nil); res.Status != 200 {
		t.Fatalf("reset: %d %s", res.Status, res.Body)
	}
	e.Clock.Advance(time.Minute)
	agent.Propose(batchOf(5, "b")...) // five new records since the reset: under the hard cap of 6
	// retrying the first batch touches no new record: the stored results, not a 429
	again := agent.Do("POST", "/proposals", map[string]any{"proposals": batchOf(0, "a")})
	if again.Status != 200 || !strings.Contains(string(again.Body), first[0].ID) {
		t.Fatalf("retry after the reset: %d %s", again.Status, again.Body)
	}
	activity := admin.Do("GET", "/api/v1/agents/"+a.ID, nil)
	if !strings.Contains(string(activity.Body), `"distinct_records_last_hour":5`) {
		t.Errorf("the retry counted again: %s", activity.Body)
	}
}

func TestIntake_a_field_cap_trips_the_breaker_below_the_agent_cap(t *testing.T) {
	e := servertest.NewEnv(t, true)
	cap, caps := 50, map[string]int{"deals.dealstage": 2}
	a, agent := e.NewAgent("admin@acme.test", "Stage mover", agents.Input{VelocityCap: &cap, FieldCaps: caps})
	deals := agent.Records("deals", "dealstage", 6)
	item := func(i int, field, v string) map[string]any {
		return map[string]any{"object": "deals", "record_id": deals[i].ID, "field": field, "proposed": v, "confidence": 0.9}
	}
	// names of five deals and stages of two: under both caps; the same deal twice counts once
	agent.Propose(item(0, "dealname", "A"), item(1, "dealname", "B"), item(2, "dealname", "C"), item(3, "dealname", "D"),
		item(4, "dealname", "E"), item(0, "dealstage", "closedwon"), item(1, "dealstage", "closedwon"), item(1, "dealstage", "closedlost"))
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); got.BreakerOpen {
		t.Fatal("breaker open under both caps")
	}
	activity := e.SignIn("admin@acme.test").Do("GET", "/api/v1/agents/"+a.ID, nil)
	if !strings.Contains(string(activity.Body), `"distinct_records_last_hour":5`) {
		t.Errorf("activity: %s", activity.Body)
	}
	// a third deal's stage is past the field cap, though far under the agent's
	agent.Propose(item(2, "dealstage", "closedwon"))
	if got, _ := e.Srv.Agents.Get(e.As(a.TenantID), a.TenantID, a.ID); !got.BreakerOpen {
		t.Error("breaker closed past the dealstage cap")
	}
}
