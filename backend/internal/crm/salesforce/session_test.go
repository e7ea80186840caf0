package salesforce_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/salesforce"
	"countersign/backend/internal/crm/salesforce/salesforcetest"
)

func read(c *salesforce.Connector) error {
	_, err := c.ReadRecords(context.Background(), "Lead", ids("Lead", 3), []string{"Email"})
	return err
}

func TestExpiredSessionRefreshesOnceAndSucceeds(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSession()
	srv.ResetCounts()
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	if srv.Count(tokenRoute) != 1 || srv.Count(queryRoute) != 2 {
		t.Fatalf("token calls %d, queries %d; want 1 refresh and the query retried once", srv.Count(tokenRoute), srv.Count(queryRoute))
	}
}

func TestRefusedRefreshIsAuthExpired(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	srv.ExpireSession()
	srv.RevokeRefreshToken()
	srv.ResetCounts()
	err := read(c)
	if !errors.Is(err, crm.ErrAuthExpired) || srv.Count(tokenRoute) != 1 {
		t.Fatalf("err = %v after %d refreshes", err, srv.Count(tokenRoute))
	}
	if e, _ := crm.AsError(err); e.Message != "invalid_grant: expired access/refresh token" {
		t.Fatalf("message = %q", e.Message)
	}
}

func TestWrongClientSecretFailsAtFirstCall(t *testing.T) {
	srv := salesforcetest.NewServer(t, salesforcetest.Options{})
	conn := srv.Connection()
	conn.Credentials["client_secret"] = "wrong"
	c, err := salesforce.New(conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := read(c); !errors.Is(err, crm.ErrAuthExpired) {
		t.Fatalf("err = %v", err)
	}
}

func TestConcurrencyLimitWaitsRetryAfter(t *testing.T) {
	srv, c, clock := setup(t, salesforcetest.Options{})
	read(c)
	srv.ResetCounts()
	srv.ThrottleNext(1, 2)
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); srv.Count(queryRoute) != 2 || len(got) != 1 || got[0] != 2*time.Second {
		t.Fatalf("queries %d, sleeps %v; want the limit honoured for 2s then success", srv.Count(queryRoute), got)
	}
}

func TestDailyLimitIsRateLimitedNotAuth(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	read(c)
	srv.ExhaustDailyLimit()
	srv.ResetCounts()
	err := read(c)
	if !errors.Is(err, crm.ErrRateLimited) || srv.Count(queryRoute) != 1 || srv.Count(tokenRoute) != 0 {
		t.Fatalf("err = %v after %d queries, %d refreshes", err, srv.Count(queryRoute), srv.Count(tokenRoute))
	}
}

func TestServerUnavailableIsRetried(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	read(c)
	srv.Fail5xx(2)
	if err := read(c); err != nil {
		t.Fatal(err)
	}
	srv.Fail5xx(10)
	if err := read(c); !errors.Is(err, crm.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestHistorySourcesByIntegrationUser(t *testing.T) {
	srv, c, _ := setup(t, salesforcetest.Options{})
	opp := ids("Opportunity", 2)
	srv.SetHistory(opp[1], "StageName", salesforcetest.HistoryRow{ParentID: opp[1], Field: "StageName", NewValue: "Closed Lost",
		CreatedByID: "005HUMAN000000002AAA", CreatedDate: salesforcetest.Epoch.Add(100 * time.Hour)})
	got, err := c.History(context.Background(), "Opportunity", opp, []string{"StageName", "Amount"}, salesforcetest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, ch := range got {
		seq = append(seq, fmt.Sprintf("%s/%s/%s/%v", ch.RecordID[12:15], ch.Field, ch.Source, ch.Value))
	}
	want := "[001/StageName/human/edited 001/Amount/human/edited 002/Amount/human/edited 001/StageName/api/Prospecting 001/Amount/api/0 002/Amount/api/10 002/StageName/human/Closed Lost]"
	if fmt.Sprint(seq) != want {
		t.Fatalf("history = %v\nwant      %s", seq, want)
	}
}

func TestHistorySinceAndOwnWrites(t *testing.T) {
	_, c, _ := setup(t, salesforcetest.Options{})
	lead := ids("Lead", 1)
	start := time.Now().Add(-time.Minute)
	res, err := c.UpdateRecords(context.Background(), "Lead", []crm.Update{{RecordID: lead[0], Values: map[string]any{"Email": "new@example.com"}}})
	if err != nil || res[0].Err != nil {
		t.Fatal(err, res)
	}
	got, err := c.History(context.Background(), "Lead", lead, []string{"Email"}, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Source != crm.SourceAPI || got[0].Value != "new@example.com" || got[0].Actor != salesforcetest.IntegrationUserID {
		t.Fatalf("history since the write = %+v", got)
	}
}
