package pipedrive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/httpx/httpxtest"
	"countersign/backend/internal/crm/pipedrive"
	"countersign/backend/internal/crm/pipedrive/pipedrivetest"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T, o pipedrivetest.Options) (*pipedrivetest.Server, *pipedrive.Connector, *httpxtest.Clock) {
	t.Helper()
	srv := pipedrivetest.NewServer(t, o)
	clock := httpxtest.NewClock(epoch)
	c, err := pipedrive.New(srv.Connection(), clock.Option(), httpx.WithRateLimit(0, 0), httpx.WithRetry(4, 10*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c, clock
}

func TestFieldsPagedTypedAndFlagged(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{FieldsPerObject: 700})
	fs, err := c.Fields(context.Background(), "deals")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 700 || srv.Count("GET /api/v1/dealFields") != 2 {
		t.Fatalf("%d fields in %d calls, want 700 in 2 pages of 500", len(fs), srv.Count("GET /api/v1/dealFields"))
	}
	m := map[string]crm.Field{}
	for _, f := range fs {
		m[f.Name] = f
	}
	key := func(i int) string { return pipedrivetest.CustomKey("deals", i) }
	types := map[string]crm.FieldType{"id": crm.TypeID, "title": crm.TypeString, "value": crm.TypeCurrency, "status": crm.TypeEnumeration,
		"user_id": crm.TypeReference, "expected_close_date": crm.TypeDate, "probability": crm.TypeNumber,
		key(0): crm.TypeString, key(1): crm.TypeNumber, key(2): crm.TypeEnumeration, key(3): crm.TypeEnumeration,
		key(5): crm.TypeText, key(6): crm.TypePhone, key(7): crm.TypeCurrency, key(8): crm.TypeReference, key(9): crm.TypeOther}
	for name, want := range types {
		if m[name].Type != want {
			t.Errorf("%s (%s): %q, want %q", name, m[name].RawType, m[name].Type, want)
		}
	}
	if o := m[key(2)].Options; len(o) != 3 || o[0] != (crm.Option{Value: "106", Label: "Small"}) {
		t.Errorf("enum options = %v", o)
	}
	if o := m["status"].Options; len(o) != 3 || o[1].Value != "won" {
		t.Errorf("status options = %v", o)
	}
	if !m["add_time"].ReadOnly || !m["id"].ReadOnly || m["title"].ReadOnly || m[key(0)].ReadOnly {
		t.Error("read-only: system fields only")
	}
	if !m[key(0)].Custom || m["title"].Custom || !m[key(12)].Archived || m[key(11)].Archived {
		t.Error("custom = edit_flag, archived = inactive")
	}
}

func TestPersonEmailIsEmail(t *testing.T) {
	_, c, _ := setup(t, pipedrivetest.Options{})
	fs, _ := c.Fields(context.Background(), "persons")
	for _, f := range fs {
		if f.Name == "email" && f.Type != crm.TypeEmail {
			t.Fatalf("email: %q", f.Type)
		}
	}
	if _, err := c.Fields(context.Background(), "leads"); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown object: %v", err)
	}
}

func TestReadRecordsByIdsHundredPerCall(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{Records: 250})
	ids := []string{"abc", "9999"}
	for i := range 250 {
		ids = append(ids, fmt.Sprint(i+1))
	}
	custom := pipedrivetest.CustomKey("persons", 7)
	recs, err := c.ReadRecords(context.Background(), "persons", ids, []string{"email", "owner_id", custom})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 250 || srv.Count("GET /api/v2/persons") != 3 {
		t.Fatalf("%d records in %d calls", len(recs), srv.Count("GET /api/v2/persons"))
	}
	r := recs[4]
	if r.ID != "5" || r.Values["email"] != "person4@example.com" || r.Values["owner_id"] != 7.0 || r.Values[custom] != 400.0 {
		t.Fatalf("record = %+v: structured v2 values are flattened", r)
	}
}

func TestListRecordsFollowsCursor(t *testing.T) {
	_, c, _ := setup(t, pipedrivetest.Options{Records: 25})
	var n, pages int
	for after := ""; ; pages++ {
		p, err := c.ListRecords(context.Background(), "deals", []string{"title", "user_id"}, 10, after)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Records)
		if p.Records[0].Values["user_id"] != 7.0 {
			t.Fatalf("user_id is read from v2's owner_id: %v", p.Records[0].Values)
		}
		if after = p.Next; after == "" {
			break
		}
	}
	if n != 25 || pages != 2 {
		t.Fatalf("%d records over %d more pages", n, pages)
	}
}

func TestUpdatePerRecordWithPartialFailure(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{})
	enum := pipedrivetest.CustomKey("deals", 2)
	srv.RejectUpdates("title", 3)
	ups := []crm.Update{
		{RecordID: "1", Values: map[string]any{"title": "Renewal", "user_id": 42, enum: 107}},
		{RecordID: "3", Values: map[string]any{"title": "Nope", "probability": 50}},
		{RecordID: "4", Values: map[string]any{enum: 999, "title": "x"}},
		{RecordID: "5", Values: map[string]any{"add_time": "2020-01-01"}},
		{RecordID: "999", Values: map[string]any{"title": "ghost"}},
		{RecordID: "abc", Values: map[string]any{"title": "not an id"}},
	}
	res, err := c.UpdateRecords(context.Background(), "deals", ups)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  crm.Kind
		field string
	}{{"", ""}, {crm.KindValidation, "title"}, {crm.KindValidation, enum}, {crm.KindValidation, "add_time"}, {crm.KindNotFound, ""}, {crm.KindNotFound, ""}}
	for i, w := range want {
		e, _ := crm.AsError(res[i].Err)
		if (w.kind == "") != (res[i].Err == nil) || (e != nil && (e.Kind != w.kind || e.Field != w.field)) {
			t.Errorf("%s: err = %v, want %q on %q", res[i].RecordID, res[i].Err, w.kind, w.field)
		}
	}
	if n := srv.Count("PATCH /api/v2/deals/1") + srv.Count("PATCH /api/v2/deals/3"); n != 2 {
		t.Fatalf("one PATCH per record, got %d for two", n)
	}
	if srv.Value("deals", 1, "title") != "Renewal" || srv.Value("deals", 1, "user_id") != 42.0 || srv.Value("deals", 3, "title") == "Nope" {
		t.Fatal("the good record is written (user_id as owner_id), the refused one is not")
	}
}

func TestUpdatePersonEmailAsPrimaryEntry(t *testing.T) {
	_, c, _ := setup(t, pipedrivetest.Options{})
	res, err := c.UpdateRecords(context.Background(), "persons", []crm.Update{{RecordID: "2", Values: map[string]any{"email": "new@example.com"}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res[0].Err)
	}
	recs, _ := c.ReadRecords(context.Background(), "persons", []string{"2"}, []string{"email"})
	if recs[0].Values["email"] != "new@example.com" {
		t.Fatalf("email = %v", recs[0].Values["email"])
	}
}
