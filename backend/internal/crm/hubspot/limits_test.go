package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/httpx"
	"countersign/backend/internal/crm/hubspot"
	"countersign/backend/internal/crm/hubspot/hubspottest"
)

func list(c *hubspot.Connector) error {
	_, err := c.ListRecords(context.Background(), "contacts", []string{"email"}, 5, "")
	return err
}

func TestTenSecondly429WaitsRetryAfterThenSucceeds(t *testing.T) {
	srv, c, clock := setup(t, hubspottest.Options{})
	srv.ThrottleNext(2, 3)
	if err := list(c); err != nil {
		t.Fatal(err)
	}
	if srv.Total() != 3 {
		t.Fatalf("requests = %d, want 3", srv.Total())
	}
	if got := clock.Sleeps(); len(got) != 2 || got[0] != 3*time.Second || got[1] != 3*time.Second {
		t.Fatalf("sleeps = %v, want Retry-After 3s twice", got)
	}
}

func TestDailyLimitIsNotRetried(t *testing.T) {
	srv, c, clock := setup(t, hubspottest.Options{})
	srv.ExhaustDaily()
	err := list(c)
	e, ok := crm.AsError(err)
	if !ok || e.Kind != crm.KindRateLimited || e.RetryAfter != 12*time.Hour {
		t.Fatalf("err = %#v, want rate limited until midnight (12h)", err)
	}
	if srv.Total() != 1 || len(clock.Sleeps()) != 0 {
		t.Fatalf("requests = %d, sleeps = %v", srv.Total(), clock.Sleeps())
	}
}

func TestExpiredTokenIsAuthExpired(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{})
	srv.ExpireToken()
	err := list(c)
	if !errors.Is(err, crm.ErrAuthExpired) || srv.Total() != 1 {
		t.Fatalf("err = %v after %d requests", err, srv.Total())
	}
	if e, _ := crm.AsError(err); e.Message != "The OAuth token used to make this call expired 75 second(s) ago." {
		t.Fatalf("message = %q", e.Message)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{})
	srv.Fail5xx(2)
	if err := list(c); err != nil || srv.Total() != 3 {
		t.Fatalf("err = %v after %d requests, want success on the 3rd", err, srv.Total())
	}
	srv.Fail5xx(10)
	if err := list(c); !errors.Is(err, crm.ErrUnavailable) {
		t.Fatalf("err = %v, want unavailable once retries are spent", err)
	}
}

func TestBucketKeepsUnderAnEnforcedLimit(t *testing.T) {
	srv := hubspottest.NewServer(t, hubspottest.Options{})
	srv.Limit(10, 100*time.Millisecond)
	// At most 5 + 40/s x 0.1s = 9 requests in any 100ms window.
	c, err := hubspot.New(srv.Connection(), httpx.WithRateLimit(40, 5), httpx.WithRetry(1, time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := range 30 {
		if err := list(c); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if el := time.Since(start); el < 500*time.Millisecond {
		t.Fatalf("30 requests took %v: the bucket did not space them", el)
	}
}

func TestHistoryMapsSourcesOldestFirst(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{})
	srv.SetHistory("deals", "1002", "dealstage",
		hubspottest.HistoryValue{Value: "x", Timestamp: "2026-02-03T00:00:00.000Z", SourceType: "SOMETHING_NEW"},
		hubspottest.HistoryValue{Value: "closedwon", Timestamp: "2026-02-02T00:00:00.000Z", SourceType: "WORKFLOW", SourceID: "flow:9"},
		hubspottest.HistoryValue{Value: "1", Timestamp: "2026-02-01T00:00:00.000Z", SourceType: "CALCULATED"})
	got, err := c.History(context.Background(), "deals", []string{"1001", "1002"}, []string{"dealstage"}, hubspottest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, ch := range got {
		seq = append(seq, fmt.Sprintf("%s:%s:%s", ch.RecordID, ch.Source, ch.Actor))
	}
	want := "[1001:import:import:7 1001:human:12345 1001:api:app:4242 1002:system: 1002:system:flow:9 1002:unknown:]"
	if fmt.Sprint(seq) != want {
		t.Fatalf("history = %v\nwant      %s", seq, want)
	}
}

func TestHistorySinceAndBatchesOf50(t *testing.T) {
	srv, c, _ := setup(t, hubspottest.Options{Records: 120})
	var ids []string
	for i := range 120 {
		ids = append(ids, fmt.Sprint(1001+i))
	}
	got, err := c.History(context.Background(), "contacts", ids, []string{"email"}, hubspottest.Epoch.Add(100*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("POST /crm/v3/objects/contacts/batch/read"); n != 3 {
		t.Fatalf("history calls = %d, want 3 (50 per call)", n)
	}
	for _, ch := range got {
		if ch.At.Before(hubspottest.Epoch.Add(100 * time.Hour)) {
			t.Fatalf("change before since: %+v", ch)
		}
	}
	if len(got) == 0 || len(got) >= 360 {
		t.Fatalf("%d changes: since must cut some, not all", len(got))
	}
}
