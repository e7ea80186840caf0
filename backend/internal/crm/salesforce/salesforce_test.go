package salesforce_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
	"countersign/backend/internal/crm/salesforce"
	"countersign/backend/internal/crm/salesforce/salesforcetest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	tokenRoute = "POST /services/oauth2/token"
	queryRoute = "GET /services/data/v60.0/query"
	saveRoute  = "PATCH /services/data/v60.0/composite/sobjects"
)

func setup(t *testing.T, o salesforcetest.Options) (*salesforcetest.Server, *salesforce.Connector, *httpxtest.Clock) {
	t.Helper()
	srv := salesforcetest.NewServer(t, o)
	clock := httpxtest.NewClock(epoch)
	c, err := salesforce.New(srv.Connection(), clock.Option(), httpx.WithRateLimit(0, 0), httpx.WithRetry(4, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clock
}

func ids(object string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, salesforcetest.RecordID(object, i))
	}
	return out
}

func TestFieldsTypesOptionsReadOnlyAndClassification(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{FieldsPerObject: 30})
	fs, err := c.Fields(context.Background(), "Opportunity")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]crm.Field{}
	for _, f := range fs {
		m[f.Name] = f
	}
	types := map[string]crm.FieldType{"Id": crm.TypeID, "OwnerId": crm.TypeReference, "CreatedDate": crm.TypeDateTime,
		"StageName": crm.TypeEnumeration, "Amount": crm.TypeCurrency, "Probability": crm.TypeNumber, "CloseDate": crm.TypeDate,
		"Custom_0__c": crm.TypeString, "Custom_1__c": crm.TypeNumber, "Custom_5__c": crm.TypeBool, "Custom_6__c": crm.TypeText,
		"Custom_7__c": crm.TypePhone, "Custom_8__c": crm.TypeEmail, "Custom_9__c": crm.TypeURL}
	for name, want := range types {
		if m[name].Type != want {
			t.Errorf("%s: %q, want %q", name, m[name].Type, want)
		}
	}
	if len(fs) != 30 || m["StageName"].RawType != "picklist" {
		t.Fatalf("%d fields, StageName raw %q", len(fs), m["StageName"].RawType)
	}
	if opts := m["StageName"].Options; len(opts) != 3 || opts[1].Value != "Closed Won" {
		t.Errorf("StageName options = %v: active values only", opts)
	}
	if !m["Id"].ReadOnly || !m["Custom_8__c"].ReadOnly || m["Amount"].ReadOnly {
		t.Error("read-only = not updateable")
	}
	if m["Custom_2__c"].Sensitivity != "Restricted" || m["Custom_4__c"].Sensitivity != "Internal" || m["Amount"].Sensitivity != "" {
		t.Errorf("sensitivity from FieldDefinition: %q %q %q", m["Custom_2__c"].Sensitivity, m["Custom_4__c"].Sensitivity, m["Amount"].Sensitivity)
	}
	if !m["Custom_0__c"].Custom || m["Amount"].Custom {
		t.Error("custom flag")
	}
	if srv.Count(tokenRoute) != 1 || srv.Count(queryRoute) != 1 {
		t.Fatalf("token calls %d, queries %d", srv.Count(tokenRoute), srv.Count(queryRoute))
	}
}

func TestFieldsOfUnknownObjectIsNotFound(t *testing.T) {
	_, c, _ := setup(t, salesforcetest.Options{})
	if _, err := c.Fields(context.Background(), "Widget__c"); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadRecordsQueries200IdsAtATime(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{Records: 450})
	want := append(ids("Account", 450), "001999999999999AAA")
	recs, err := c.ReadRecords(context.Background(), "Account", want, []string{"Name", "NumberOfEmployees"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 450 || srv.Count(queryRoute) != 3 {
		t.Fatalf("%d records in %d queries, want 450 in 3", len(recs), srv.Count(queryRoute))
	}
	if r := recs[2]; r.Values["Name"] != "Account Name 2" || r.Values["NumberOfEmployees"] != 20.0 {
		t.Fatalf("record = %+v", r)
	}
}

func TestNamesCannotInjectSOQL(t *testing.T) {
	_, c, _ := setup(t, salesforcetest.Options{})
	_, err := c.ReadRecords(context.Background(), "Account", []string{"x"}, []string{"Name FROM User"})
	if e, ok := crm.AsError(err); !ok || e.Kind != crm.KindValidation {
		t.Fatalf("err = %v", err)
	}
	recs, err := c.ReadRecords(context.Background(), "Account", []string{`x' OR Name != '`}, []string{"Name"})
	if err != nil || len(recs) != 0 {
		t.Fatalf("a quoted id must stay one value: %v, %d records", err, len(recs))
	}
}

func TestListRecordsFollowsNextRecordsURL(t *testing.T) {
	_, c, _ := setup(t, salesforcetest.Options{Records: 450})
	var sizes []int
	after := ""
	for {
		p, err := c.ListRecords(context.Background(), "Lead", []string{"Email"}, 200, after)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(p.Records))
		if after = p.Next; after == "" {
			break
		}
	}
	if len(sizes) != 3 || sizes[0] != 200 || sizes[2] != 50 {
		t.Fatalf("page sizes = %v, want [200 200 50]", sizes)
	}
	if _, err := c.ListRecords(context.Background(), "Lead", nil, 200, "https://evil.example/x"); err == nil {
		t.Fatal("a cursor that is not a Salesforce path must be refused")
	}
}

func TestUpdatePartialFailureNamesRecordAndField(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	id := ids("Opportunity", 6)
	srv.RejectUpdates("Amount", id[1])
	ups := []crm.Update{
		{RecordID: id[0], Values: map[string]any{"Amount": 500.0, "CloseDate": nil}},
		{RecordID: id[1], Values: map[string]any{"Amount": -1.0}},
		{RecordID: id[2], Values: map[string]any{"StageName": "Legacy"}},
		{RecordID: id[3], Values: map[string]any{"CreatedDate": "2020-01-01T00:00:00Z"}},
		{RecordID: "006999999999999AAA", Values: map[string]any{"Amount": 1.0}},
		{RecordID: id[5], Values: map[string]any{"StageName": "Closed Won"}},
	}
	res, err := c.UpdateRecords(context.Background(), "Opportunity", ups)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  crm.Kind
		field string
	}{{"", ""}, {crm.KindValidation, "Amount"}, {crm.KindValidation, "StageName"}, {crm.KindValidation, "CreatedDate"}, {crm.KindNotFound, "Id"}, {"", ""}}
	for i, w := range want {
		e, _ := crm.AsError(res[i].Err)
		if (w.kind == "") != (res[i].Err == nil) || (e != nil && (e.Kind != w.kind || e.Field != w.field)) {
			t.Errorf("%s: err = %v, want %q on %q", res[i].RecordID, res[i].Err, w.kind, w.field)
		}
	}
	if srv.Value(id[0], "Amount") != 500.0 || srv.Value(id[0], "CloseDate") != nil || srv.Value(id[5], "StageName") != "Closed Won" {
		t.Fatal("valid records are written, nil clears")
	}
}

func TestUpdate450RecordsTakesThreeCalls(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{Records: 450})
	var ups []crm.Update
	for _, id := range ids("Case", 450) {
		ups = append(ups, crm.Update{RecordID: id, Values: map[string]any{"Status": "Closed"}})
	}
	res, err := c.UpdateRecords(context.Background(), "Case", ups)
	if err != nil || len(res) != 450 || srv.Count(saveRoute) != 3 {
		t.Fatalf("err %v, %d results, %d calls; want 3 calls of at most 200", err, len(res), srv.Count(saveRoute))
	}
}
