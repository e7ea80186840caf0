package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, o hubspottest.Options, opts ...hubspot.Option) (*hubspottest.Server, *hubspot.Connector, *httpxtest.Clock) {
	t.Helper()
	srv := hubspottest.NewServer(t, o)
	clock := httpxtest.NewClock(epoch)
	base := []hubspot.Option{clock.Option(), httpx.WithRateLimit(0, 0), httpx.WithRetry(4, 10*time.Millisecond)}
	c, err := hubspot.New(srv.Connection(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clock
}

func byName(fs []crm.Field) map[string]crm.Field {
	m := map[string]crm.Field{}
	for _, f := range fs {
		m[f.Name] = f
	}
	return m
}

func TestFieldsMergeEverySensitivityAndArchived(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{FieldsPerObject: 40})
	fs, err := c.Fields(context.Background(), "deals")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 40 {
		t.Fatalf("got %d fields, want all 40", len(fs))
	}
	if n := srv.Count("GET /crm/v3/properties/deals"); n != 6 {
		t.Fatalf("property calls = %d, want 3 sensitivities x archived/not", n)
	}
	m := byName(fs)
	checks := []struct {
		name string
		want crm.FieldType
	}{
		{"hs_object_id", crm.TypeID}, {"amount", crm.TypeCurrency}, {"dealstage", crm.TypeEnumeration},
		{"closedate", crm.TypeDateTime}, {"hubspot_owner_id", crm.TypeReference}, {"dealname", crm.TypeString},
		{"custom_1", crm.TypeNumber}, {"custom_3", crm.TypeDate}, {"custom_5", crm.TypeBool},
		{"custom_6", crm.TypeText}, {"custom_7", crm.TypePhone},
	}
	for _, ck := range checks {
		if got := m[ck.name].Type; got != ck.want {
			t.Errorf("%s: type %q, want %q", ck.name, got, ck.want)
		}
	}
	if len(m["dealstage"].Options) != 3 || m["dealstage"].Options[1] != (crm.Option{Value: "closedwon", Label: "Closed won"}) {
		t.Errorf("dealstage options = %v", m["dealstage"].Options)
	}
	if !m["hs_object_id"].ReadOnly || !m["createdate"].ReadOnly || m["amount"].ReadOnly {
		t.Error("read-only comes from modificationMetadata.readOnlyValue")
	}
	if m["custom_3"].Sensitivity != "sensitive" || m["custom_5"].Sensitivity != "highly_sensitive" || m["amount"].Sensitivity != "non_sensitive" {
		t.Errorf("sensitivity: %q %q %q", m["custom_3"].Sensitivity, m["custom_5"].Sensitivity, m["amount"].Sensitivity)
	}
	if !m["custom_12"].Archived || m["custom_11"].Archived {
		t.Error("archived properties are listed and flagged")
	}
	if !m["custom_0"].Custom || m["dealname"].Custom {
		t.Error("custom = not hubspotDefined")
	}
}

func TestFieldsOfEmailAndPhoneOnContacts(t *testing.T) {
	_, c, _ := setup(t, hubspottest.Options{})
	fs, err := c.Fields(context.Background(), "contacts")
	if err != nil {
		t.Fatal(err)
	}
	m := byName(fs)
	if m["email"].Type != crm.TypeEmail || m["phone"].Type != crm.TypePhone || m["phone"].Sensitivity != "sensitive" {
		t.Fatalf("email %+v phone %+v", m["email"], m["phone"])
	}
}

func TestFieldsOfUnknownObjectIsNotFound(t *testing.T) {
	_, c, _ := setup(t, hubspottest.Options{})
	if _, err := c.Fields(context.Background(), "widgets"); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestListRecordsPagesWithAfter(t *testing.T) {
	_, c, _ := setup(t, hubspottest.Options{Records: 25})
	var ids []string
	after, pages := "", 0
	for {
		p, err := c.ListRecords(context.Background(), "deals", []string{"dealname", "amount"}, 10, after)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			ids = append(ids, r.ID)
			if r.Values["dealname"] == nil || r.Values["amount"] == nil {
				t.Fatalf("record %s values = %v", r.ID, r.Values)
			}
		}
		pages++
		if after = p.Next; after == "" {
			break
		}
	}
	if pages != 3 || len(ids) != 25 || ids[0] != "1001" || ids[24] != "1025" {
		t.Fatalf("pages = %d, ids = %v", pages, ids)
	}
}

func TestReadRecordsBatchesOf100AndSkipsMissing(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{Records: 250})
	ids := []string{"999999"}
	for i := range 250 {
		ids = append(ids, fmt.Sprint(1001+i))
	}
	recs, err := c.ReadRecords(context.Background(), "deals", ids, []string{"dealstage", "closedate"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 250 || srv.Count("POST /crm/v3/objects/deals/batch/read") != 3 {
		t.Fatalf("records = %d, calls = %d; want 250 in 3 calls", len(recs), srv.Count("POST /crm/v3/objects/deals/batch/read"))
	}
	if recs[0].ID != "1001" || recs[0].Values["dealstage"] != "appointmentscheduled" {
		t.Fatalf("first record = %+v", recs[0])
	}
}

func TestUpdate250RecordsTakesThreeBatches(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{Records: 250})
	var ups []crm.Update
	for i := range 250 {
		ups = append(ups, crm.Update{RecordID: fmt.Sprint(1001 + i), Values: map[string]any{"amount": float64(i) + 0.5, "dealname": nil}})
	}
	res, err := c.UpdateRecords(context.Background(), "deals", ups)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("POST /crm/v3/objects/deals/batch/update"); n != 3 {
		t.Fatalf("batch calls = %d, want 3", n)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.RecordID, r.Err)
		}
	}
	if srv.Value("deals", "1011", "amount") != "10.5" || srv.Value("deals", "1011", "dealname") != "" {
		t.Fatal("values not written, or nil did not clear")
	}
}

func TestUpdatePartialFailureNamesRecordAndField(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{})
	srv.RejectUpdates("amount", "1003")
	ups := []crm.Update{
		{RecordID: "1001", Values: map[string]any{"amount": 5.0}},
		{RecordID: "1003", Values: map[string]any{"amount": 7.0}},
		{RecordID: "1004", Values: map[string]any{"dealstage": "won-ish"}},
		{RecordID: "1005", Values: map[string]any{"hs_object_id": "1"}},
		{RecordID: "424242", Values: map[string]any{"amount": 1.0}},
	}
	res, err := c.UpdateRecords(context.Background(), "deals", ups)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  crm.Kind
		field string
	}{{"", ""}, {crm.KindValidation, "amount"}, {crm.KindValidation, "dealstage"}, {crm.KindValidation, "hs_object_id"}, {crm.KindNotFound, ""}}
	for i, w := range want {
		e, _ := crm.AsError(res[i].Err)
		if (w.kind == "") != (res[i].Err == nil) || (e != nil && (e.Kind != w.kind || e.Field != w.field)) {
			t.Errorf("%s: err = %v, want %s on %q", res[i].RecordID, res[i].Err, w.kind, w.field)
		}
	}
	if e, _ := crm.AsError(res[2].Err); e != nil && e.Message != "Property values were not valid: won-ish was not one of the allowed options" {
		t.Errorf("message = %q: the provider's message, not its body", e.Message)
	}
	if srv.Value("deals", "1001", "amount") != "5" || srv.Value("deals", "1003", "amount") == "7" {
		t.Fatal("the valid record is written, the refused one is not")
	}
}

func TestUpdateWholeBatchRefusalIsSplitToTheBadRecord(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{Records: 8})
	srv.WholeBatchErrors(true)
	srv.RejectUpdates("amount", "1006")
	var ups []crm.Update
	for i := range 8 {
		ups = append(ups, crm.Update{RecordID: fmt.Sprint(1001 + i), Values: map[string]any{"amount": 3.0}})
	}
	res, err := c.UpdateRecords(context.Background(), "deals", ups)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		e, _ := crm.AsError(r.Err)
		if bad := r.RecordID == "1006"; bad != (e != nil) || (bad && e.Field != "amount") {
			t.Errorf("%s: err = %v", r.RecordID, r.Err)
		}
	}
	if srv.Value("deals", "1001", "amount") != "3" {
		t.Fatal("good records of a refused batch are written after the split")
	}
}
