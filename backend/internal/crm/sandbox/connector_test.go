package sandbox

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/clock"
)

func TestConnector_reads_records_with_the_fields_asked_for(t *testing.T) {
	w := newWorld(t)
	c := w.connector(t)
	id := w.firstID(t, "deals")
	recs, err := c.ReadRecords(w.ctx(), "deals", []string{id, "999"}, []string{"dealstage", "amount", "no_such_field"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ID != id {
		t.Fatalf("records = %+v, want only %s (missing ids are absent)", recs, id)
	}
	v := recs[0].Values
	if _, ok := v["amount"].(float64); !ok || v["dealstage"] == nil || len(v) != 3 || v["no_such_field"] != nil {
		t.Errorf("values = %v", v)
	}
	if _, err := c.ReadRecords(w.ctx(), "invoices", []string{id}, nil); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("unknown object: err = %v", err)
	}
}

func TestConnector_lists_every_record_once_in_id_order(t *testing.T) {
	w := newWorld(t)
	c := w.connector(t)
	seen, after, pages := map[string]bool{}, "", 0
	last := int64(0)
	for {
		page, err := c.ListRecords(w.ctx(), "contacts", []string{"email"}, 100, after)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Records {
			n, _ := strconv.ParseInt(r.ID, 10, 64)
			if seen[r.ID] || n <= last {
				t.Fatalf("page %d: %s out of order or repeated", pages, r.ID)
			}
			seen[r.ID], last = true, n
			if !strings.Contains(r.Values["email"].(string), "@") {
				t.Errorf("%s: email %v", r.ID, r.Values["email"])
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if len(seen) != numContacts || pages != numContacts/100 {
		t.Errorf("%d contacts in %d pages, want %d in %d", len(seen), pages, numContacts, numContacts/100)
	}
}

func TestConnector_update_fails_only_the_bad_records(t *testing.T) {
	w := newWorld(t)
	c := w.connector(t)
	ctx := w.ctx()
	page, _ := c.ListRecords(ctx, "deals", nil, 4, "")
	ids := []string{page.Records[0].ID, page.Records[1].ID, page.Records[2].ID, page.Records[3].ID}
	results, err := c.UpdateRecords(ctx, "deals", []crm.Update{
		{RecordID: ids[0], Values: map[string]any{"dealstage": "closedwon", "amount": "12500", "hs_next_step": nil}},
		{RecordID: ids[1], Values: map[string]any{"dealstage": "won-ish"}},
		{RecordID: ids[2], Values: map[string]any{"hs_object_id": "1"}},
		{RecordID: "424242", Values: map[string]any{"amount": 1.0}},
		{RecordID: ids[3], Values: map[string]any{"closedate": "next week"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Err != nil {
		t.Errorf("good update: %v", results[0].Err)
	}
	wantKinds := []struct {
		kind  crm.Kind
		field string
	}{{}, {crm.KindValidation, "dealstage"}, {crm.KindValidation, "hs_object_id"}, {crm.KindNotFound, ""}, {crm.KindValidation, "closedate"}}
	for i, want := range wantKinds[1:] {
		e, ok := crm.AsError(results[i+1].Err)
		if !ok || e.Kind != want.kind || e.Field != want.field || e.Provider != crm.Sandbox {
			t.Errorf("update %d: err = %v, want %s on %q", i+1, results[i+1].Err, want.kind, want.field)
		}
	}
	recs, _ := c.ReadRecords(ctx, "deals", ids[:2], nil)
	if recs[0].Values["dealstage"] != "closedwon" || recs[0].Values["amount"] != 12500.0 || recs[0].Values["hs_lastmodifieddate"] != "2026-11-20T10:00:00.000Z" {
		t.Errorf("written record = %v", recs[0].Values)
	}
	if _, ok := recs[0].Values["hs_next_step"]; ok {
		t.Error("a nil value did not clear the field")
	}
	if recs[1].Values["dealstage"] == "won-ish" {
		t.Error("a refused value was written")
	}

	changes, err := c.History(ctx, "deals", []string{ids[0]}, []string{"dealstage", "amount"}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range changes {
		if ch.Source != crm.SourceAPI || ch.Actor != Actor || !ch.At.Equal(testNow) {
			t.Errorf("change = %+v, want source api by %s at %s", ch, Actor, testNow)
		}
	}
	if len(changes) == 0 || len(changes) > 2 {
		t.Errorf("%d changes since the update, want one per changed field", len(changes))
	}
}

func TestConnector_history_is_oldest_first_since_a_time(t *testing.T) {
	w := newWorld(t)
	c := w.connector(t)
	all, err := c.History(w.ctx(), "deals", nil, []string{"dealstage"}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 100 {
		t.Fatalf("only %d dealstage changes", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].At.Before(all[i-1].At) {
			t.Fatalf("change %d at %s before %s", i, all[i].At, all[i-1].At)
		}
	}
	since := all[len(all)/2].At
	recent, _ := c.History(w.ctx(), "deals", nil, []string{"dealstage"}, since)
	if len(recent) == 0 || len(recent) >= len(all) || recent[0].At.Before(since) {
		t.Errorf("%d of %d changes since %s", len(recent), len(all), since)
	}
}

func TestConnector_fields_follow_a_changed_definition(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	w.d.Conn(ctx).Exec(`UPDATE sandbox_fields SET options = options || '[{"value":"onhold","label":"On hold"}]'::jsonb, read_only = true
		WHERE tenant_id = ? AND connection_id = ? AND object = 'deals' AND name = 'dealstage'`, w.tenantID, w.connectionID)
	fields, err := w.connector(t).Fields(ctx, "deals")
	if err != nil {
		t.Fatal(err)
	}
	if f := fieldNamed(t, fields, "dealstage"); len(f.Options) != 8 || f.Options[7].Value != "onhold" || !f.ReadOnly {
		t.Errorf("dealstage = %+v", f)
	}
}

func TestFactory_refuses_what_is_not_the_tenants_sandbox(t *testing.T) {
	w := newWorld(t)
	other := newTenant(t, w.d, "globex")
	f := Factory(w.d, clock.System{})
	for name, conn := range map[string]crm.Connection{
		"another tenant": {ID: w.connectionID, TenantID: other, Provider: crm.Sandbox},
		"a HubSpot one":  {ID: newConnection(t, w.d, w.tenantID, "hubspot"), TenantID: w.tenantID, Provider: crm.HubSpot},
	} {
		if _, err := f(w.ctx(), conn); !errors.Is(err, crm.ErrNotFound) {
			t.Errorf("%s: err = %v, want not found", name, err)
		}
	}
}

func TestFactory_provisions_a_new_connection(t *testing.T) {
	w := newWorld(t)
	fresh := newConnection(t, w.d, w.tenantID, "sandbox")
	c, err := Factory(w.d, clock.System{})(w.ctx(), crm.Connection{ID: fresh, TenantID: w.tenantID, Provider: crm.Sandbox})
	if err != nil {
		t.Fatal(err)
	}
	if page, err := c.ListRecords(w.ctx(), "tickets", nil, 10, ""); err != nil || len(page.Records) != 10 {
		t.Errorf("tickets of a new connection: %v, %v", page, err)
	}
}
