package gateway_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

// The agent API checks a proposed value with the one field-value type: what
// the CRM would refuse or mangle (NaN, ±Inf, a number beyond what float64
// keeps, an option the field lacks, a bad date) is refused per item, naming
// the item's field, the CRM field and the rule; nothing of it is stored, and
// the good items of the batch go through.
func TestIntake_refuses_values_the_field_cannot_hold_naming_field_and_rule(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("admin@acme.test", "Values", agents.Input{})
	deal := agent.Records("deals", "amount", 1)[0].ID
	item := func(field string, v any) map[string]any {
		return map[string]any{"object": "deals", "record_id": deal, "field": field, "proposed": v, "confidence": 0.5}
	}
	cases := []struct {
		item       map[string]any
		rule, says string // "" rule: accepted
	}{
		{item("amount", "NaN"), "not_a_number", "deals.amount"},
		{item("amount", "Inf"), "not_finite", "deals.amount"},
		{item("amount", "-Infinity"), "not_finite", "deals.amount"},
		{item("amount", "1e400"), "out_of_range", "deals.amount"},
		{item("amount", "12345678901234567890.5"), "too_precise", "deals.amount"},
		{item("amount", "1e3"), "", ""},
		{item("dealstage", "nonsense"), "not_an_option", "deals.dealstage"},
		{item("closedate", "31/12/2026"), "not_a_date", "deals.closedate"},
		{item("dealname", strings.Repeat("é", 10001)), "too_long", "10001 characters"},
	}
	body := make([]any, len(cases))
	for i, c := range cases {
		body[i] = c.item
	}
	res := agent.Do("POST", "/proposals", map[string]any{"proposals": body})
	var out struct {
		Results []struct {
			ID    string
			Error *struct{ Code, Field, Rule, Message string }
		}
	}
	if err := json.Unmarshal(res.Body, &out); err != nil || res.Status != 200 || len(out.Results) != len(cases) {
		t.Fatalf("batch: %d %s", res.Status, res.Body)
	}
	stored := 0
	for i, c := range cases {
		r := out.Results[i]
		if c.rule == "" {
			if r.Error != nil || r.ID == "" {
				t.Errorf("item %d (%v) refused: %+v", i, c.item["proposed"], r.Error)
			}
			stored++
			continue
		}
		want := "proposals[" + string(rune('0'+i)) + "].proposed"
		if r.Error == nil || r.ID != "" || r.Error.Code != "invalid_value" || r.Error.Field != want || r.Error.Rule != c.rule ||
			!strings.Contains(r.Error.Message, c.says) {
			t.Errorf("item %d (%.40v): %+v, want invalid_value %s on %s naming %s", i, c.item["proposed"], r.Error, c.rule, want, c.says)
		}
	}
	var n int64
	if err := e.Owner.Conn(context.Background()).Raw(`SELECT count(*) FROM proposals WHERE record_id = ? AND field = 'amount'`, deal).Scan(&n).Error; err != nil || n != int64(stored) {
		t.Errorf("stored proposals on the deal's amount: %d (%v), want %d", n, err, stored)
	}
}

// An empty value on set is refused: emptying a field is operation clear,
// which an agent's scope may withhold where it grants set.
func TestIntake_an_empty_value_on_set_is_refused_clear_empties(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("admin@acme.test", "Emptier", agents.Input{Scopes: &[]agents.Scope{
		{Object: "*", Field: "*", Operations: []string{"set"}}}})
	deal := agent.Records("deals", "amount", 1)[0].ID
	item := func(field, op string, v any) map[string]any {
		return map[string]any{"object": "deals", "record_id": deal, "field": field, "operation": op, "proposed": v, "confidence": 0.5}
	}
	res := agent.Propose(item("amount", "set", ""), item("closedate", "set", "  "), item("dealname", "set", ""), item("amount", "clear", nil))
	for i, field := range []string{"deals.amount", "deals.closedate", "deals.dealname"} {
		if r := res[i]; r.Error == nil || r.Error.Code != "invalid_value" || !strings.Contains(r.Error.Message, "operation clear") ||
			!strings.Contains(r.Error.Message, field) {
			t.Errorf("set %s to empty: %+v", field, r.Error)
		}
	}
	if r := res[3]; r.Error != nil || r.Status != "blocked" {
		t.Errorf("clear outside a set-only scope: %+v, want blocked", r)
	}
}
