package pipedrive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/crm/pipedrive"
	"countersign/backend/internal/crm/pipedrive/pipedrivetest"
)

func list(c *pipedrive.Connector) error {
	_, err := c.ListRecords(context.Background(), "deals", []string{"title"}, 5, "")
	return err
}

func TestRateLimitWaitsRetryAfter(t *testing.T) {
	srv, c, clock := setup(t, pipedrivetest.Options{})
	srv.ThrottleNext(2, 2)
	if err := list(c); err != nil {
		t.Fatal(err)
	}
	if got := clock.Sleeps(); srv.Total() != 3 || len(got) != 2 || got[0] != 2*time.Second {
		t.Fatalf("requests %d, sleeps %v; want two 2s waits then success", srv.Total(), got)
	}
}

func TestExpiredTokenFailsTheRestOfAnUpdate(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{})
	srv.ExpireToken()
	ups := []crm.Update{{RecordID: "1", Values: map[string]any{"title": "a"}}, {RecordID: "2", Values: map[string]any{"title": "b"}}}
	res, err := c.UpdateRecords(context.Background(), "deals", ups)
	if !errors.Is(err, crm.ErrAuthExpired) || srv.Total() != 1 {
		t.Fatalf("err = %v after %d requests; stop at the first 401", err, srv.Total())
	}
	if !errors.Is(res[1].Err, crm.ErrAuthExpired) {
		t.Fatalf("the record not attempted carries the error: %v", res[1].Err)
	}
}

func TestServerErrorsRetried(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{})
	srv.Fail5xx(3)
	if err := list(c); err != nil || srv.Total() != 4 {
		t.Fatalf("err = %v after %d requests", err, srv.Total())
	}
	srv.Fail5xx(4)
	if err := list(c); !errors.Is(err, crm.ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
}

func TestHistorySourcesSinceAndOrder(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{})
	srv.SetChangelog("deals", 2, "title",
		pipedrivetest.Change{FieldKey: "title", NewValue: "c", ActorUserID: 3, Time: "2026-02-03 00:00:00", ChangeSource: "marketplace_app"},
		pipedrivetest.Change{FieldKey: "title", NewValue: "b", ActorUserID: 3, Time: "2026-02-02 00:00:00", ChangeSource: "import"},
		pipedrivetest.Change{FieldKey: "title", NewValue: "a", ActorUserID: 4, Time: "2026-02-01 00:00:00", ChangeSource: "mobile"})
	got, err := c.History(context.Background(), "deals", []string{"1", "2"}, []string{"title"}, pipedrivetest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, ch := range got {
		seq = append(seq, fmt.Sprintf("%s:%s:%s:%v", ch.RecordID, ch.Source, ch.Actor, ch.Value))
	}
	want := "[1:human:7:edited 1:api:9:Title 0 2:human:4:a 2:import:3:b 2:unknown:3:c]"
	if fmt.Sprint(seq) != want {
		t.Fatalf("history = %v\nwant      %s", seq, want)
	}
	late, _ := c.History(context.Background(), "deals", []string{"2"}, []string{"title"}, time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC))
	if len(late) != 2 {
		t.Fatalf("since keeps 2 changes, got %d", len(late))
	}
}

func TestChangelogPagesWithCursor(t *testing.T) {
	srv, c, _ := setup(t, pipedrivetest.Options{})
	var many []pipedrivetest.Change
	for i := range 600 {
		at := pipedrivetest.Epoch.Add(time.Duration(600-i) * time.Minute).Format(time.DateTime)
		many = append(many, pipedrivetest.Change{FieldKey: "value", NewValue: i, ActorUserID: 7, Time: at, ChangeSource: "app"})
	}
	srv.SetChangelog("deals", 1, "value", many...)
	got, err := c.History(context.Background(), "deals", []string{"1"}, []string{"value"}, pipedrivetest.Epoch)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 600 || srv.Count("GET /api/v1/deals/1/changelog") != 2 || !got[0].At.Before(got[599].At) {
		t.Fatalf("%d changes in %d calls", len(got), srv.Count("GET /api/v1/deals/1/changelog"))
	}
}
