package review

import (
	"sort"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func item(sensitivity string, created time.Time) NewItem {
	return NewItem{ProposalID: sensitivity, Sensitivity: sensitivity, Confidence: 0.9, CreatedAt: created}
}

func TestScore_deadline_is_created_plus_SLA_and_risk_moves_it_ahead(t *testing.T) {
	s := Score(item("medium", t0), 1440)
	if !s.DueAt.Equal(t0.Add(24*time.Hour)) || !s.RankAt.Equal(s.DueAt.Add(-10*time.Minute)) {
		t.Errorf("medium: due %v rank %v", s.DueAt, s.RankAt)
	}
	risky := item("critical", t0)
	risky.Tags, risky.Flags, risky.Confidence = []string{"pipeline", "pii", "pii"}, 1, 0.6
	v := 2_500_000.0
	risky.RecordValue = &v
	s = Score(risky, 240)
	// 60 sensitivity + 30 tags (pii counted once) + 20 flag + 40 value + 10 confidence = 160, capped at 120
	if got := s.DueAt.Sub(s.RankAt); got != 120*time.Minute {
		t.Errorf("bonus %v, want the 2 h cap", got)
	}
	factors := map[string]int{}
	for _, f := range s.Why {
		factors[f.Factor] = f.Minutes
	}
	want := map[string]int{"sla": 0, "sensitivity": 60, "tags": 30, "flags": 20, "value": 40, "confidence": 10, "cap": -40}
	for k, v := range want {
		if factors[k] != v {
			t.Errorf("why %s = %d, want %d (%+v)", k, factors[k], v, s.Why)
		}
	}
}

func TestScore_SLA_time_left_dominates_risk(t *testing.T) {
	// a low-risk item due more than 2 h before the riskiest item comes first,
	// and an older item before a newer one of the same kind
	calm := item("low", t0.Add(-45*time.Hour-time.Minute)) // low SLA 48 h: due t0+2h59m, just over 2 h before the risky one
	risky := item("critical", t0.Add(time.Hour))
	risky.Tags, risky.Flags, risky.Confidence = []string{"pipeline", "forecast", "commission"}, 3, 0.1
	older, newer := item("medium", t0), item("medium", t0.Add(time.Minute))
	older.ProposalID, newer.ProposalID = "older", "newer"
	type ranked struct {
		id   string
		rank time.Time
	}
	var rs []ranked
	for _, it := range []NewItem{newer, risky, older, calm} {
		rs = append(rs, ranked{it.ProposalID, Score(it, DefaultSLA[it.Sensitivity]).RankAt})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].rank.Before(rs[j].rank) })
	got := []string{rs[0].id, rs[1].id, rs[2].id, rs[3].id}
	want := []string{"low", "critical", "older", "newer"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestSLAState_thresholds(t *testing.T) {
	due := t0.Add(4 * time.Hour)
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{t0, OnTrack},
		{t0.Add(3 * time.Hour), OnTrack}, // exactly 25 % left
		{t0.Add(3*time.Hour + time.Second), AtRisk},
		{due.Add(-time.Second), AtRisk},
		{due, Breached},
		{due.Add(time.Hour), Breached},
	} {
		if got := SLAState(t0, due, c.now); got != c.want {
			t.Errorf("at %v: %s, want %s", c.now.Sub(t0), got, c.want)
		}
	}
}

func TestExpires_only_high_and_critical_at_twice_the_SLA(t *testing.T) {
	due := t0.Add(8 * time.Hour)
	for _, c := range []struct {
		sensitivity string
		now         time.Time
		queue, want bool
	}{
		{"high", t0.Add(16*time.Hour - time.Second), true, false},
		{"high", t0.Add(16 * time.Hour), true, true},
		{"critical", t0.Add(20 * time.Hour), true, true},
		{"high", t0.Add(20 * time.Hour), false, false}, // the queue keeps them
		{"medium", t0.Add(100 * time.Hour), true, false},
		{"low", t0.Add(100 * time.Hour), true, false},
	} {
		if got := Expires(c.sensitivity, t0, due, c.now, c.queue); got != c.want {
			t.Errorf("%s at %v (queue expires %v): %v", c.sensitivity, c.now.Sub(t0), c.queue, got)
		}
	}
}

func TestMatch_and_route_pick_the_first_fitting_queue_that_takes_new_items(t *testing.T) {
	qs := []Queue{
		{ID: "esc", AcceptsNew: false},
		{ID: "pii", AcceptsNew: true, Match: Match{Tags: []string{"pii", "identifier"}}},
		{ID: "deals", AcceptsNew: true, Match: Match{Objects: []string{"deals"}, Fields: []string{"deals.dealstage", "amount"}}},
		{ID: "two", AcceptsNew: true, Match: Match{Routes: []string{"two_person"}, Sensitivities: []string{"critical"}}},
		{ID: "rest", AcceptsNew: true, Match: Match{Agents: []string{"a1"}}},
	}
	for _, c := range []struct {
		it   NewItem
		want string
	}{
		{NewItem{Object: "contacts", Field: "email", Tags: []string{"pii"}}, "pii"},
		{NewItem{Object: "deals", Field: "dealstage"}, "deals"},
		{NewItem{Object: "deals", Field: "amount"}, "deals"},
		{NewItem{Object: "deals", Field: "closedate"}, "rest"}, // no rule fits: the last queue that takes new items
		{NewItem{Object: "contacts", Field: "x", Route: "two_person", Sensitivity: "critical"}, "two"},
		{NewItem{Object: "contacts", Field: "x", Route: "two_person", Sensitivity: "high"}, "rest"},
		{NewItem{Object: "contacts", Field: "x", AgentID: "a1"}, "rest"},
	} {
		q, ok := route(qs, c.it)
		if !ok || q.ID != c.want {
			t.Errorf("%+v went to %q, want %q", c.it, q.ID, c.want)
		}
	}
	if _, ok := route([]Queue{{ID: "esc"}}, NewItem{}); ok {
		t.Error("with no queue taking new items there is no route")
	}
}

func TestQueueInput_names_each_bad_field_and_refuses_escalation_circles(t *testing.T) {
	others := []Queue{{ID: "a"}, {ID: "b", EscalateTo: refOf("a")}}
	q := Queue{ID: "a", Name: "A", Position: 1, AllowedRoles: []string{"admin"}}
	bad := "nobody"
	err := QueueInput{Name: refOf(""), AllowedRoles: &[]string{"admin", bad}, SLAMinutes: &map[string]int{"high": 0, "urgent": 5},
		Match: &Match{Routes: []string{"auto"}}, EscalateTo: refOf("zzz")}.apply(&q, others)
	for _, want := range []string{"name", "allowed_roles[1]", "sla_minutes.high", "sla_minutes.urgent", "match.routes[0]", "escalate_to"} {
		if err == nil || !containsField(err, want) {
			t.Errorf("no error naming %s: %v", want, err)
		}
	}
	q = Queue{ID: "a", Name: "A", Position: 1, AllowedRoles: []string{"admin"}, EscalateTo: refOf("b")}
	if !escalationLoop(others, q) {
		t.Error("a → b → a is a circle")
	}
}

func refOf[T any](v T) *T { return &v }
