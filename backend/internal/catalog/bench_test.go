package catalog

import (
	"context"
	"testing"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
)

// BenchmarkSync2000HubSpotFields measures a first sync of 2,000 fields (four
// objects × 500) from the HubSpot fake over HTTP with its rate limits off,
// into a fresh catalog on real PostgreSQL: fetch, plan, and the set-based
// writes of fields, versions and default policies. Target: under 5 s.
func BenchmarkSync2000HubSpotFields(b *testing.B) {
	fake := hubspottest.NewServer(b, hubspottest.Options{FieldsPerObject: 500, Records: 1})
	factory := func(_ context.Context, c crm.Connection) (crm.Connector, error) {
		return hubspot.New(fake.Connection(), httpx.WithRateLimit(0, 0))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		k := newKit(b, nil)
		k.svc.Factories = map[crm.Provider]crm.Factory{crm.HubSpot: factory}
		name := "HubSpot"
		c, err := k.svc.CreateConnection(as(k.acme), k.acme, ConnectionInput{Name: &name, Provider: crm.HubSpot,
			Credentials: map[string]string{"access_token": fake.Token}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := k.svc.RunSync(as(k.acme), k.acme.TenantID, c.LastRun.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		run, _ := k.svc.Run(as(k.acme), k.acme.TenantID, c.LastRun.ID)
		if run.Status != "succeeded" || run.Summary.New != 2000 {
			b.Fatalf("run %+v summary %+v", run, run.Summary)
		}
		b.ReportMetric(float64(run.Summary.New), "fields/sync")
	}
}

// BenchmarkListFields5000 is one page of the Fields page over a 5,000-field
// catalog, filtered and searched: what the console asks on every keystroke.
func BenchmarkListFields5000(b *testing.B) {
	k := newKit(b, map[string]int{"contacts": 2000, "companies": 1000, "deals": 1500, "tickets": 500})
	k.connect(k.acme, "Big CRM")
	ctx := as(k.acme)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs, total, err := k.svc.Fields(ctx, k.acme.TenantID, FieldFilter{Query: "field_1", NeedsDecision: true, Sort: "sensitivity", Limit: 100, Offset: 200})
		if err != nil || len(fs) != 100 || total < 1000 {
			b.Fatalf("%d of %d: %v", len(fs), total, err)
		}
	}
}
