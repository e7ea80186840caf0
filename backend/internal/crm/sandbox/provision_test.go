package sandbox

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/platform/problem"
)

func TestProvision_creates_the_objects_fields_and_records(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	recs := w.count(t, `SELECT count(*) FROM sandbox_records WHERE tenant_id = ? AND connection_id = ?`, w.tenantID, w.connectionID)
	if recs < 2000 {
		t.Fatalf("records = %d, want at least 2,000", recs)
	}
	for object, want := range map[string]int{"contacts": numContacts, "companies": numCompanies, "deals": numDeals, "tickets": numTickets} {
		if n := w.count(t, `SELECT count(*) FROM sandbox_records WHERE tenant_id = ? AND object = ?`, w.tenantID, object); n != want {
			t.Errorf("%s: %d records, want %d", object, n, want)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM sandbox_fields WHERE tenant_id = ?`, w.tenantID); n < 80 || n > 120 {
		t.Errorf("fields = %d, want 80–120", n)
	}
	if n := w.count(t, `SELECT count(DISTINCT source) FROM sandbox_history WHERE tenant_id = ?`, w.tenantID); n != 4 {
		t.Errorf("history has %d kinds of source, want human, api, import and system", n)
	}

	c := w.connector(t)
	types, _ := c.ObjectTypes(ctx)
	if names := objectNames(types); !slices.Equal(names, []string{"contacts", "companies", "deals", "tickets"}) {
		t.Errorf("objects = %v", names)
	}
	deals, err := c.Fields(ctx, "deals")
	if err != nil {
		t.Fatal(err)
	}
	stage := fieldNamed(t, deals, "dealstage")
	if stage.Type != crm.TypeEnumeration || len(stage.Options) != 7 || stage.Options[5] != (crm.Option{Value: "closedwon", Label: "Closed Won"}) {
		t.Errorf("dealstage = %+v", stage)
	}
	if f := fieldNamed(t, deals, "commission_amount"); !f.Custom || f.Type != crm.TypeCurrency {
		t.Errorf("commission_amount = %+v", f)
	}
	contacts, _ := c.Fields(ctx, "contacts")
	checks := []struct {
		name        string
		sensitivity string
		archived    bool
		readOnly    bool
	}{
		{"email", "non_sensitive", false, false},
		{"hs_legal_basis", "sensitive", false, false},
		{"date_of_birth", "highly_sensitive", false, false},
		{"national_id", "highly_sensitive", false, false},
		{"old_lead_score", "non_sensitive", true, false},
		{"createdate", "non_sensitive", false, true},
		{"hs_object_id", "non_sensitive", false, true},
	}
	for _, tc := range checks {
		f := fieldNamed(t, contacts, tc.name)
		if f.Sensitivity != tc.sensitivity || f.Archived != tc.archived || f.ReadOnly != tc.readOnly {
			t.Errorf("%s = %+v", tc.name, f)
		}
	}
	for _, obj := range []string{"contacts", "deals"} {
		fields, _ := c.Fields(ctx, obj)
		if f := fieldNamed(t, fields, "utm_campaign"); !f.Custom {
			t.Errorf("%s.utm_campaign is not custom", obj)
		}
	}
	if f := fieldNamed(t, contacts, "marketing_consent"); len(f.Options) != 3 || !f.Custom {
		t.Errorf("marketing_consent = %+v", f)
	}
}

func objectNames(types []crm.ObjectType) []string {
	out := make([]string, len(types))
	for i, o := range types {
		out[i] = o.Name
	}
	return out
}

func TestProvision_twice_changes_nothing(t *testing.T) {
	w := newWorld(t)
	ctx := w.ctx()
	// A field edited after the first provision (as a test of re-sync would) stays edited.
	w.d.Conn(ctx).Exec(`UPDATE sandbox_fields SET label = 'Stage' WHERE tenant_id = ? AND name = 'dealstage'`, w.tenantID)
	before := w.count(t, `SELECT count(*) FROM sandbox_history WHERE tenant_id = ?`, w.tenantID)
	if err := Provision(ctx, w.d, w.tenantID, w.connectionID); err != nil {
		t.Fatal(err)
	}
	if after := w.count(t, `SELECT count(*) FROM sandbox_history WHERE tenant_id = ?`, w.tenantID); after != before {
		t.Errorf("history rows %d → %d", before, after)
	}
	if n := w.count(t, `SELECT count(*) FROM sandbox_fields WHERE tenant_id = ? AND label = 'Stage'`, w.tenantID); n != 1 {
		t.Error("the second provision overwrote an edited field")
	}
}

func TestProvision_concurrent_calls_provision_once(t *testing.T) {
	d := dbtest.New(t)
	tenantID := newTenant(t, d, "acme")
	connID := newConnection(t, d, tenantID, "sandbox")
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = Provision(db.WithTenant(context.Background(), tenantID), d, tenantID, connID) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	w := world{d: d, tenantID: tenantID, connectionID: connID}
	if n := w.count(t, `SELECT count(*) FROM sandbox_records WHERE connection_id = ?`, connID); n != numContacts+numCompanies+numDeals+numTickets {
		t.Errorf("records = %d", n)
	}
}

// Using a provisioned connection inside a long transaction (as intake does,
// building a connector in each batch's) does not hold up another
// transaction's use of it.
func TestProvision_of_a_provisioned_connection_does_not_wait_for_another_transaction(t *testing.T) {
	w := newWorld(t)
	held := make(chan struct{})
	release := make(chan struct{})
	go func() {
		_ = w.d.InTx(w.ctx(), func(ctx context.Context) error {
			if err := Provision(ctx, w.d, w.tenantID, w.connectionID); err != nil {
				t.Error(err)
			}
			close(held)
			<-release // the first transaction is still open
			return nil
		})
	}()
	defer close(release)
	<-held
	ctx, cancel := context.WithTimeout(w.ctx(), 3*time.Second)
	defer cancel()
	if err := Provision(ctx, w.d, w.tenantID, w.connectionID); err != nil {
		t.Fatalf("a second transaction's use of a provisioned connection: %v (it waited for the first)", err)
	}
}

func TestProvision_gives_every_database_the_same_data_set(t *testing.T) {
	a, b := newWorld(t), newWorld(t)
	const digest = `SELECT md5(string_agg(object || '/' || id || '/' || values::text || '/' || extract(epoch FROM created_at)::text,
		E'\n' ORDER BY object, length(id), id)) FROM sandbox_records WHERE connection_id = ?`
	const historyDigest = `SELECT md5(string_agg(object || '/' || record_id || '/' || field || '/' || coalesce(value::text, '') || '/' ||
		extract(epoch FROM at)::text || source || actor, E'\n' ORDER BY seq)) FROM sandbox_history WHERE connection_id = ?`
	for _, q := range []string{digest, historyDigest} {
		var ha, hb string
		a.d.Conn(a.ctx()).Raw(q, a.connectionID).Scan(&ha)
		b.d.Conn(b.ctx()).Raw(q, b.connectionID).Scan(&hb)
		if ha == "" || ha != hb {
			t.Errorf("data sets differ: %q vs %q", ha, hb)
		}
	}
}

func TestProvision_refuses_other_tenants_and_other_providers(t *testing.T) {
	w := newWorld(t)
	other := newTenant(t, w.d, "globex")
	hubspot := newConnection(t, w.d, w.tenantID, "hubspot")
	for name, tc := range map[string][2]string{
		"another tenant's connection": {other, w.connectionID},
		"a HubSpot connection":        {w.tenantID, hubspot},
		"no such connection":          {w.tenantID, "3f1e1c52-7a43-4a8c-9d55-1b1f9f0a0e11"},
		"not an id":                   {w.tenantID, "sandbox"},
	} {
		err := Provision(db.WithTenant(context.Background(), tc[0]), w.d, tc[0], tc[1])
		if p, ok := problem.As(err); !ok || p.Kind != problem.KindNotFound {
			t.Errorf("%s: err = %v, want not found", name, err)
		}
	}
}

// BenchmarkProvision measures provisioning the whole data set into a new connection.
func BenchmarkProvision(b *testing.B) {
	d := dbtest.New(b)
	tenantID := newTenant(b, d, "acme")
	if _, err := loadPayload(); err != nil { // generated once per process; measure the database work
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		connID := newConnection(b, d, tenantID, "sandbox")
		b.StartTimer()
		if err := Provision(db.WithTenant(context.Background(), tenantID), d, tenantID, connID); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(numContacts+numCompanies+numDeals+numTickets), "records/op")
}
