package sandbox

import (
	"strings"
	"testing"

	"countersign/backend/api"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

const editor = "maria.lopez@northwind.example"

func TestEditAsHuman_records_the_person_as_the_source(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	id := w.firstID(t, "deals")
	d, err := w.service().EditAsHuman(ctx, w.tenantID, w.connectionID, "deals", id,
		map[string]any{"dealstage": "closedlost", "closed_lost_reason": "Went with a competitor"}, editor)
	if err != nil {
		t.Fatal(err)
	}
	if d.Values["dealstage"] != "closedlost" || d.Values["hs_lastmodifieddate"] != "2026-11-20T10:00:00.000Z" {
		t.Errorf("values = %v", d.Values)
	}
	newest := d.History[0]
	if newest.Source != crm.SourceHuman || newest.Actor != editor || !newest.At.Equal(testNow) {
		t.Errorf("newest change = %+v", newest)
	}
	for i := 1; i < len(d.History); i++ {
		if d.History[i].At.After(d.History[i-1].At) {
			t.Fatal("history is not newest first")
		}
	}
	// The connector sees the person's edit, as a sync would.
	changes, _ := w.connector(t).History(ctx, "deals", []string{id}, []string{"dealstage"}, testNow)
	if len(changes) != 1 || changes[0].Source != crm.SourceHuman || changes[0].Value != "closedlost" {
		t.Errorf("connector history = %+v", changes)
	}
}

func TestEditAsHuman_refuses_a_bad_value_naming_the_field(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	id := w.firstID(t, "deals")
	before := w.count(t, `SELECT count(*) FROM sandbox_history WHERE tenant_id = ?`, w.tenantID)
	_, err := w.service().EditAsHuman(ctx, w.tenantID, w.connectionID, "deals", id,
		map[string]any{"dealstage": "won", "amount": 100.0, "createdate": "2020-01-01T00:00:00Z"}, editor)
	p, ok := problem.As(err)
	if !ok || p.Kind != problem.KindInvalid || len(p.Fields) != 2 {
		t.Fatalf("err = %v, want two field errors", err)
	}
	if p.Fields[0].Field != "values.createdate" || p.Fields[1].Field != "values.dealstage" ||
		!strings.Contains(p.Fields[1].Message, `"won" is not one of the allowed options: appointmentscheduled`) {
		t.Errorf("fields = %+v", p.Fields)
	}
	if after := w.count(t, `SELECT count(*) FROM sandbox_history WHERE tenant_id = ?`, w.tenantID); after != before {
		t.Error("a refused edit wrote history")
	}
}

func TestService_answers_not_found_for_what_is_not_the_tenants_sandbox(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	other := newTenant(t, w.d, "globex")
	hubspot := newConnection(t, w.d, w.tenantID, "hubspot")
	id := w.firstID(t, "contacts")
	svc := w.service()
	cases := map[string][4]string{ // tenant, connection, object, record
		"another tenant's connection": {other, w.connectionID, "contacts", id},
		"a HubSpot connection":        {w.tenantID, hubspot, "contacts", id},
		"an unknown object":           {w.tenantID, w.connectionID, "invoices", id},
		"an unknown record":           {w.tenantID, w.connectionID, "contacts", "1"},
		"a malformed connection id":   {w.tenantID, "x", "contacts", id},
	}
	want := problem.NotFound("sandbox record").Error()
	for name, c := range cases {
		_, errRecord := svc.Record(ctx, c[0], c[1], c[2], c[3])
		_, errEdit := svc.EditAsHuman(ctx, c[0], c[1], c[2], c[3], map[string]any{"jobtitle": "CEO"}, editor)
		for _, err := range []error{errRecord, errEdit} {
			if err == nil || err.Error() != want {
				t.Errorf("%s: err = %v, want %q", name, err, want)
			}
		}
		if name == "an unknown record" {
			continue
		}
		if _, err := svc.Records(ctx, c[0], c[1], c[2], "", 10, ""); err == nil || err.Error() != want {
			t.Errorf("%s: listing: err = %v", name, err)
		}
	}
}

func TestService_searches_records_in_any_case(t *testing.T) {
	w := newWorld(t)
	svc := w.service()
	ctx := w.ctx()
	page, err := svc.Records(ctx, w.tenantID, w.connectionID, "deals", "CLOSEDWON", 200, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Records) < 50 {
		t.Fatalf("%d closed-won deals", len(page.Records))
	}
	for _, r := range page.Records {
		if r.Values["dealstage"] != "closedwon" && !strings.Contains(strings.ToLower(r.Values["dealname"].(string)), "closedwon") {
			t.Errorf("%s does not match: %v", r.ID, r.Values["dealstage"])
		}
	}
	none, _ := svc.Records(ctx, w.tenantID, w.connectionID, "deals", "50%_off", 10, "")
	if len(none.Records) != 0 || none.Next != "" {
		t.Errorf("a search with LIKE wildcards matched %d records", len(none.Records))
	}
	for _, limit := range []int{0, 201} {
		if _, err := svc.Records(ctx, w.tenantID, w.connectionID, "deals", "", limit, ""); !isInvalid(err, "limit") {
			t.Errorf("limit %d: err = %v", limit, err)
		}
	}
}

func isInvalid(err error, field string) bool {
	p, ok := problem.As(err)
	return ok && p.Kind == problem.KindInvalid && len(p.Fields) == 1 && p.Fields[0].Field == field
}

func TestHandlers_page_records_and_edit_as_the_signed_in_person(t *testing.T) {
	w := newWorld(t)
	h := NewHandlers(w.service())
	ctx := principal.With(w.ctx(), principal.Principal{TenantID: w.tenantID, Email: editor})
	resp, err := h.ListSandboxRecords(ctx, api.ListSandboxRecordsRequestObject{ConnectionId: w.connectionID, Object: "companies"})
	if err != nil {
		t.Fatal(err)
	}
	page := resp.(api.ListSandboxRecords200JSONResponse)
	if len(page.Records) != defaultLimit || page.Next == nil || page.Records[0].Object != "companies" {
		t.Fatalf("default page: %d records, next %v", len(page.Records), page.Next)
	}
	zero := 0
	if _, err := h.ListSandboxRecords(ctx, api.ListSandboxRecordsRequestObject{ConnectionId: w.connectionID, Object: "companies",
		Params: api.ListSandboxRecordsParams{Limit: &zero}}); !isInvalid(err, "limit") {
		t.Errorf("limit 0: err = %v", err)
	}
	id := page.Records[0].Id
	edited, err := h.EditSandboxRecord(ctx, api.EditSandboxRecordRequestObject{ConnectionId: w.connectionID, Object: "companies",
		RecordId: id, Body: &api.EditSandboxRecordJSONRequestBody{Values: map[string]any{"numberofemployees": 77.0}}})
	if err != nil {
		t.Fatal(err)
	}
	d := edited.(api.EditSandboxRecord200JSONResponse)
	if d.Values["numberofemployees"] != 77.0 || d.History[0].Actor != editor || d.History[0].Source != api.SandboxChangeSourceHuman {
		t.Errorf("edited = %v, newest change %+v", d.Values["numberofemployees"], d.History[0])
	}
	got, err := h.GetSandboxRecord(ctx, api.GetSandboxRecordRequestObject{ConnectionId: w.connectionID, Object: "companies", RecordId: id})
	if err != nil || len(got.(api.GetSandboxRecord200JSONResponse).History) != len(d.History) {
		t.Errorf("get: %v", err)
	}
}
