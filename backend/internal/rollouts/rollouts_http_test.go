package rollouts_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/server/servertest"
)

type rolloutBody struct {
	ID, Stage, HaltReason string
	PercentBps            int     `json:"percent_bps"`
	HaltedAt              *string `json:"halted_at"`
	CanarySince           *string `json:"canary_since"`
	History               []struct {
		ToStage string `json:"to_stage"`
		ToBps   int    `json:"to_bps"`
		Reason  string
		Actor   string
	}
	Verdict struct{ State, Text string }
}

func decodeRollout(t *testing.T, r servertest.Response) rolloutBody {
	t.Helper()
	var out rolloutBody
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	return out
}

// Bad input gets a 4xx naming the field: a field that is not the agent's, a
// blocked one, a human-only one, a field already in another rollout of the
// agent, a stage skip without a reason, a share outside 0–10000; a viewer
// may not create one. A good create starts off, and each move is in the
// history with who and why.
func TestRollouts_refuse_bad_input_naming_the_field_and_keep_history(t *testing.T) {
	e := servertest.NewEnv(t, true)
	admin := e.SignIn("admin@acme.test")
	agent, _ := e.NewAgent("admin@acme.test", "Rollout bot", agents.Input{})
	create := func(fields ...string) servertest.Response {
		return admin.Do("POST", "/api/v1/rollouts", map[string]any{"agent_id": agent.ID, "name": "Cities", "fields": fields})
	}
	for _, c := range []struct {
		fields []string
		field  string
	}{
		{[]string{"companies.nope"}, "fields[0]"},
		{[]string{"companies.city", "contacts.utm_source"}, "fields[1]"},
		{[]string{"contacts.date_of_birth"}, "fields[0]"},
		{[]string{}, "fields"},
	} {
		if res := create(c.fields...); res.Status != 400 || servertest.FieldErr(res) != c.field {
			t.Errorf("fields %v: %d %s, want 400 naming %s", c.fields, res.Status, res.Body, c.field)
		}
	}
	if res := e.SignIn("viewer@acme.test").Do("POST", "/api/v1/rollouts", map[string]any{"agent_id": agent.ID, "name": "x",
		"fields": []string{"companies.city"}}); res.Status != 403 {
		t.Errorf("a viewer created a rollout: %d", res.Status)
	}
	res := create("companies.city")
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	r := decodeRollout(t, res)
	if r.Stage != "off" || len(r.History) != 1 {
		t.Fatalf("a new rollout: %+v", r)
	}
	if res := create("companies.city"); res.Status != 400 || servertest.FieldErr(res) != "fields[0]" {
		t.Errorf("a field in two rollouts of one agent: %d %s", res.Status, res.Body)
	}
	stage := func(body map[string]any) servertest.Response {
		return admin.Do("POST", "/api/v1/rollouts/"+r.ID+"/stage", body)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"stage": "canary", "percent_bps": 100}, "reason"}, // off → canary skips shadow
		{map[string]any{"stage": "full", "reason": ""}, "reason"},
		{map[string]any{"stage": "canary", "percent_bps": 20000, "reason": "x"}, "percent_bps"},
		{map[string]any{"stage": "canary", "percent_bps": -1, "reason": "x"}, "percent_bps"},
		{map[string]any{"stage": "canary", "reason": "x"}, "percent_bps"},
		{map[string]any{"stage": "sideways"}, "stage"},
	} {
		if res := stage(c.body); res.Status != 400 || servertest.FieldErr(res) != c.field {
			t.Errorf("stage %v: %d %s, want 400 naming %s", c.body, res.Status, res.Body, c.field)
		}
	}
	if res := stage(map[string]any{"stage": "shadow"}); res.Status != 200 {
		t.Fatalf("shadow: %d %s", res.Status, res.Body)
	}
	if res := stage(map[string]any{"stage": "canary", "percent_bps": 500}); res.Status != 200 {
		t.Fatalf("canary 5 %%: %d %s", res.Status, res.Body)
	}
	if res := stage(map[string]any{"stage": "canary", "percent_bps": 500}); res.Status != 409 || res.Code() != "same_stage" {
		t.Errorf("the same stage again: %d %s", res.Status, res.Body)
	}
	r = decodeRollout(t, admin.Do("GET", "/api/v1/rollouts/"+r.ID, nil))
	if r.Stage != "canary" || r.PercentBps != 500 || r.CanarySince == nil || len(r.History) != 3 || r.History[0].ToBps != 500 ||
		r.History[0].Actor == "" || r.History[0].Actor == "guardrail" {
		t.Fatalf("after shadow → canary 5 %%: %+v", r)
	}
}

// A canary auto-applies only the eligible proposals whose records fall in its
// cohort; the rest of the eligible are the control arm, reviewed. A rollback
// of a canary write is a correction the metrics count with its interval; a
// guardrail that sees the lower bound above the threshold halts the rollout
// to shadow at once, with an alert; new proposals are then reviewed, and the
// canary's writes can be reverted as one bulk rollback.
func TestRollouts_canary_arms_metrics_guardrail_and_revert(t *testing.T) {
	e := servertest.NewEnv(t, true)
	admin := e.SignIn("admin@acme.test")
	scopes := []agents.Scope{{Object: "companies", Field: "city", Operations: []string{"set"}}}
	agent, ac := e.NewAgent("admin@acme.test", "City bot", agents.Input{Scopes: &scopes})
	r := decodeRollout(t, admin.Do("POST", "/api/v1/rollouts", map[string]any{"agent_id": agent.ID, "name": "Cities",
		"fields": []string{"companies.city"}, "min_sample": 1, "threshold_bps": 1}))
	if res := admin.Do("POST", "/api/v1/rollouts/"+r.ID+"/stage", map[string]any{"stage": "canary", "percent_bps": 5000,
		"reason": "straight to a half canary in a test"}); res.Status != 200 {
		t.Fatalf("canary: %d %s", res.Status, res.Body)
	}
	var salt string
	e.Owner.Conn(t.Context()).Raw(`SELECT salt FROM rollouts WHERE id = ?`, r.ID).Scan(&salt)

	records := ac.Records("companies", "city", 40)
	var items []map[string]any
	for i, rec := range records {
		items = append(items, map[string]any{"object": "companies", "record_id": rec.ID, "field": "city", "expected_old": rec.Values["city"],
			"proposed": fmt.Sprintf("Testville %d", i), "confidence": 0.99, "rationale": "registry",
			"evidence": []map[string]any{{"url": "https://registry.example/" + rec.ID}}})
	}
	items[0]["confidence"] = 0.2 // fails a gate: reviewed whatever the cohort, and in no arm
	results := ac.Propose(items...)
	canary := 0
	for i, res := range results {
		in := policy.InCohort(salt, records[i].ID, 5000)
		want := map[bool]string{true: "auto_approved", false: "queued"}[in]
		if i == 0 {
			want = "queued"
		}
		if res.Status != want {
			t.Errorf("record %s (in cohort %v): %s, want %s (%v)", records[i].ID, in, res.Status, want, res.Reasons)
		}
		var arm *string
		e.Owner.Conn(t.Context()).Raw(`SELECT arm FROM proposals WHERE id = ?`, res.ID).Scan(&arm)
		wantArm := map[bool]string{true: "canary", false: "control"}[in]
		if got := deref(arm); (i == 0 && arm != nil) || (i > 0 && got != wantArm) {
			t.Errorf("record %s: arm %v, want %s", records[i].ID, got, wantArm)
		}
		if i > 0 && in {
			canary++
		}
	}
	if canary < 5 || canary > 35 {
		t.Fatalf("%d of 39 records in a half canary", canary)
	}
	if _, err := e.Srv.Apply.Drain(t.Context(), agent.TenantID); err != nil {
		t.Fatal(err)
	}
	// a person rolls one canary write back: a correction
	var seq int64
	var changeID string
	e.Owner.Conn(t.Context()).Raw(`SELECT e.id, e.seq FROM change_events e JOIN proposals p ON p.id = e.proposal_id
		WHERE p.rollout_id = ? AND p.arm = 'canary' ORDER BY e.seq LIMIT 1`, r.ID).Row().Scan(&changeID, &seq)
	if res := admin.Do("POST", "/api/v1/changes/"+changeID+"/rollback", map[string]any{"reason": "wrong city"}); res.Status != 200 {
		t.Fatalf("rollback: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("POST", "/api/v1/insights/refresh", nil); res.Status != 200 {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	var rates struct {
		Arms []struct {
			Arm                string
			Applied, Corrected int
			Rate               float64
			CiLow              float64 `json:"ci_low"`
			CiHigh             float64 `json:"ci_high"`
		}
	}
	json.Unmarshal(admin.Do("GET", "/api/v1/insights/corrections?agent="+agent.ID+"&field=companies.city&days=30", nil).Body, &rates)
	if len(rates.Arms) == 0 || rates.Arms[0].Arm != "canary" || rates.Arms[0].Applied != canary || rates.Arms[0].Corrected != 1 ||
		!(rates.Arms[0].CiLow > 0 && rates.Arms[0].CiLow < rates.Arms[0].Rate && rates.Arms[0].Rate < rates.Arms[0].CiHigh) {
		t.Fatalf("corrections: %+v (canary %d)", rates.Arms, canary)
	}
	// the guardrail: 1 of n corrected, lower bound above 0.01 %
	halts, err := e.Srv.Rollouts.Guard(e.As(agent.TenantID), agent.TenantID)
	if err != nil || len(halts) != 1 {
		t.Fatalf("guard: %v %+v", err, halts)
	}
	got := decodeRollout(t, admin.Do("GET", "/api/v1/rollouts/"+r.ID, nil))
	if got.Stage != "shadow" || got.HaltedAt == nil || got.History[0].Actor != "guardrail" || got.Verdict.State != "halt" {
		t.Fatalf("after the guardrail: %+v", got)
	}
	var alerts struct {
		Alerts []struct{ Kind, Title string }
	}
	json.Unmarshal(admin.Do("GET", "/api/v1/alerts", nil).Body, &alerts)
	halted := 0
	for _, a := range alerts.Alerts {
		if a.Kind == "rollout_halted" {
			halted++
		}
	}
	if halted != 1 {
		t.Errorf("%d rollout_halted alerts", halted)
	}
	if again, _ := e.Srv.Rollouts.Guard(e.As(agent.TenantID), agent.TenantID); len(again) != 0 {
		t.Errorf("a halted rollout halted again: %+v", again)
	}
	// in shadow, an in-cohort record is reviewed now
	for i, rec := range records[1:] {
		if policy.InCohort(salt, rec.ID, 5000) {
			res := ac.Propose(map[string]any{"object": "companies", "record_id": rec.ID, "field": "city", "expected_old": fmt.Sprintf("Testville %d", i+1),
				"proposed": "Shadowville", "confidence": 0.99, "rationale": "registry", "evidence": []map[string]any{{"url": "https://registry.example/x"}}})
			var arm string
			e.Owner.Conn(t.Context()).Raw(`SELECT arm FROM proposals WHERE id = ?`, res[0].ID).Scan(&arm)
			if res[0].Status != "queued" || arm != "shadow" {
				t.Errorf("in shadow: %s arm %q (%v)", res[0].Status, arm, res[0].Reasons)
			}
			break
		}
	}
	// revert the canary's writes: a preview counts those not yet rolled back
	var preview struct{ Preview *struct{ Total int } }
	res := admin.Do("POST", "/api/v1/rollbacks", map[string]any{"preview": true, "filter": map[string]any{"rollout_id": r.ID,
		"since": *got.CanarySince}})
	if json.Unmarshal(res.Body, &preview); res.Status != 200 || preview.Preview == nil || preview.Preview.Total != canary-1 {
		t.Fatalf("preview of the canary's writes: %d %s (canary %d, one rolled back)", res.Status, res.Body, canary)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The what-if replays the agent's proposals against a draft: a full rollout
// would have auto-applied the eligible ones (and carried the corrections a
// reviewer made to them), review mode none; calibration counts outcomes by
// confidence. Bad drafts name the field.
func TestRollouts_what_if_and_calibration(t *testing.T) {
	e := servertest.NewEnv(t, true)
	admin := e.SignIn("admin@acme.test")
	reviewer := e.SignIn("reviewer@acme.test")
	scopes := []agents.Scope{{Object: "companies", Field: "city", Operations: []string{"set"}}}
	agent, ac := e.NewAgent("admin@acme.test", "City bot", agents.Input{Scopes: &scopes})
	records := ac.Records("companies", "city", 10)
	var items []map[string]any
	for i, rec := range records {
		items = append(items, map[string]any{"object": "companies", "record_id": rec.ID, "field": "city", "expected_old": rec.Values["city"],
			"proposed": fmt.Sprintf("Whatif %d", i), "confidence": 0.99, "rationale": "registry",
			"evidence": []map[string]any{{"url": "https://registry.example/" + rec.ID}}})
	}
	items[9]["confidence"] = 0.3
	ac.Propose(items...)
	// the reviewer rejects two of the eligible nine and approves the rest
	var claimed struct {
		Items []struct {
			ID         string
			ProposalID string `json:"proposal_id"`
		}
	}
	json.Unmarshal(reviewer.Do("POST", "/api/v1/review/claims", map[string]any{"count": 20}).Body, &claimed)
	if len(claimed.Items) != 10 {
		t.Fatalf("claimed %d items", len(claimed.Items))
	}
	rejected := 0
	for _, it := range claimed.Items {
		var conf float64
		e.Owner.Conn(t.Context()).Raw(`SELECT confidence FROM proposals WHERE id = ?`, it.ProposalID).Scan(&conf)
		verdict := map[string]any{"verdict": "approve"}
		if conf > 0.9 && rejected < 2 {
			verdict, rejected = map[string]any{"verdict": "reject", "reason_code": "wrong_value"}, rejected+1
		}
		if res := reviewer.Do("POST", "/api/v1/review/items/"+it.ID+"/decisions", verdict); res.Status != 200 {
			t.Fatalf("decide: %d %s", res.Status, res.Body)
		}
	}
	var w struct {
		Proposals     int
		Draft, Actual struct {
			Blocked, Review, Auto int
			AutoCorrected         int `json:"auto_corrected"`
		}
	}
	res := admin.Do("POST", "/api/v1/insights/what-if", map[string]any{"agent_id": agent.ID, "stage": "full"})
	if json.Unmarshal(res.Body, &w); res.Status != 200 || w.Proposals != 10 || w.Actual.Review != 10 || w.Draft.Auto != 9 ||
		w.Draft.Review != 1 || w.Draft.AutoCorrected != 2 {
		t.Fatalf("what-if full: %d %s", res.Status, res.Body)
	}
	res = admin.Do("POST", "/api/v1/insights/what-if", map[string]any{"agent_id": agent.ID, "stage": "full", "mode": "review"})
	if json.Unmarshal(res.Body, &w); res.Status != 200 || w.Draft.Auto != 0 || w.Draft.Review != 10 {
		t.Fatalf("what-if full but review mode: %d %s", res.Status, res.Body)
	}
	res = admin.Do("POST", "/api/v1/insights/what-if", map[string]any{"agent_id": agent.ID, "stage": "full", "threshold": 0.25})
	if json.Unmarshal(res.Body, &w); res.Status != 200 || w.Draft.Auto != 10 {
		t.Fatalf("what-if full at threshold 0.25: %d %s", res.Status, res.Body)
	}
	for body, field := range map[string]map[string]any{
		"threshold":   {"agent_id": agent.ID, "threshold": 2},
		"percent_bps": {"agent_id": agent.ID, "stage": "canary"},
		"fields[0]":   {"agent_id": agent.ID, "fields": []string{"companies.nope"}},
		"agent_id":    {"agent_id": "x"},
	} {
		if res := admin.Do("POST", "/api/v1/insights/what-if", field); res.Status != 400 || servertest.FieldErr(res) != body {
			t.Errorf("what-if %v: %d %s, want 400 naming %s", field, res.Status, res.Body, body)
		}
	}
	admin.Do("POST", "/api/v1/insights/refresh", nil)
	var cal struct {
		Bins []struct {
			From               float64
			Decided, Corrected int
		}
		Text string
	}
	res = admin.Do("GET", "/api/v1/insights/calibration?agent="+agent.ID+"&field=companies.city", nil)
	if json.Unmarshal(res.Body, &cal); res.Status != 200 || len(cal.Bins) == 0 {
		t.Fatalf("calibration: %d %s", res.Status, res.Body)
	}
	top := cal.Bins[len(cal.Bins)-1]
	if top.From != 0.99 || top.Decided != 9 || top.Corrected != 2 || cal.Text == "" {
		t.Errorf("calibration's top bin: %+v (%s)", top, cal.Text)
	}
	if res := admin.Do("GET", "/api/v1/insights/calibration?agent="+agent.ID+"&field=companies.city&target=1.5", nil); res.Status != 400 ||
		servertest.FieldErr(res) != "target" {
		t.Errorf("calibration target 1.5: %d %s", res.Status, res.Body)
	}
}
