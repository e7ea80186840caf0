package hubspot_test

import (
	"context"
	"testing"

	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
)

// BenchmarkFields2000 reads a 2,000-property portal (4 objects x 500) with
// limits off: the catalog sync's cost on our side plus the fake's.
func BenchmarkFields2000(b *testing.B) {
	srv := hubspottest.NewServer(b, hubspottest.Options{FieldsPerObject: 500, Records: 1})
	c, err := hubspot.New(srv.Connection(), httpx.WithRateLimit(0, 0))
	if err != nil {
		b.Fatal(err)
	}
	objs, _ := c.ObjectTypes(context.Background())
	for b.Loop() {
		n := 0
		for _, o := range objs {
			fs, err := c.Fields(context.Background(), o.Name)
			if err != nil {
				b.Fatal(err)
			}
			n += len(fs)
		}
		if n != 2000 {
			b.Fatalf("%d fields", n)
		}
	}
}
