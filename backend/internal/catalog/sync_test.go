package catalog

import (
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/crm"
)

func TestSync_first_sync_applies_defaults_with_reasons_then_is_idempotent(t *testing.T) {
	k := newKit(t, map[string]int{"contacts": 3, "deals": 2})
	k.crm.edit(func(m map[string][]crm.Field) {
		m["deals"] = append(m["deals"], crm.Field{Object: "deals", Name: "dealstage", Label: "Deal stage", Type: crm.TypeEnumeration,
			Options: []crm.Option{{Value: "closedwon", Label: "Closed won"}}})
	})
	c, run := k.connect(k.acme, "HubSpot")
	if run.Status != "succeeded" || run.Summary == nil {
		t.Fatalf("run %+v", run)
	}
	if s := *run.Summary; s.New != 6 || s.Unchanged != 0 || s.NeedsDecision != 6 {
		t.Errorf("first sync summary %+v, want 6 new, 6 needing a decision", s)
	}
	if run.Progress.ObjectsDone != 2 || run.Progress.ObjectsTotal != 2 || run.Progress.FieldsSeen != 6 {
		t.Errorf("progress %+v", run.Progress)
	}
	stage, _ := k.fields(k.acme, FieldFilter{Query: "dealstage"})
	if len(stage) != 1 || stage[0].Policy.Mode != "review" || stage[0].Policy.Decided || !strings.Contains(stage[0].Policy.Reason, "pipeline and forecasting") {
		t.Fatalf("dealstage policy %+v", stage)
	}
	if len(stage[0].Options) != 1 || stage[0].Options[0].Label != "Closed won" {
		t.Errorf("options not kept: %+v", stage[0].Options)
	}
	again := k.resync(k.acme, c)
	if s := *again.Summary; s.New != 0 || s.Unchanged != 6 || s.Changed != 0 {
		t.Errorf("re-sync summary %+v, want all 6 unchanged", s)
	}
	if _, total := k.fields(k.acme, FieldFilter{}); total != 6 {
		t.Errorf("re-sync duplicated fields: %d", total)
	}
	d, err := k.svc.FieldDetail(as(k.acme), k.acme.TenantID, stage[0].ID)
	if err != nil || len(d.Definitions) != 1 || d.Definitions[0].Change != "new" || len(d.Policies) != 1 || d.Policies[0].Source != "default" {
		t.Errorf("history after two syncs: %+v %v", d, err)
	}
}

func TestSync_reports_changed_archived_and_restored_definitions(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 3})
	c, _ := k.connect(k.acme, "HubSpot")
	k.crm.edit(func(m map[string][]crm.Field) {
		m["deals"][0].Label = "Renamed"
		m["deals"][0].Options = []crm.Option{{Value: "a", Label: "A"}}
		m["deals"][1].Archived = true
		m["deals"] = m["deals"][:2] // field_002 disappears
	})
	run := k.resync(k.acme, c)
	if s := *run.Summary; s.Changed != 1 || s.Archived != 2 || s.New != 0 {
		t.Fatalf("summary %+v, want 1 changed, 2 archived", s)
	}
	live, total := k.fields(k.acme, FieldFilter{})
	if total != 1 || live[0].Label != "Renamed" {
		t.Fatalf("live fields %+v", live)
	}
	d, _ := k.svc.FieldDetail(as(k.acme), k.acme.TenantID, live[0].ID)
	label, ok := d.Definitions[0].Detail["label"].(map[string]any)
	if d.Definitions[0].Change != "changed" || !ok || label["before"] != "Field 0" || label["after"] != "Renamed" {
		t.Errorf("definition change %+v", d.Definitions[0])
	}
	k.crm.edit(func(m map[string][]crm.Field) {
		m["deals"][1].Archived = false
		m["deals"] = append(m["deals"], crm.Field{Object: "deals", Name: "field_002", Label: "Field 2", Type: crm.TypeString})
	})
	back := k.resync(k.acme, c)
	if s := *back.Summary; s.Restored != 2 || s.Unchanged != 1 {
		t.Errorf("restore summary %+v", s)
	}
	if _, total := k.fields(k.acme, FieldFilter{}); total != 3 {
		t.Errorf("after restore %d live fields", total)
	}
}

func TestSync_crm_failure_fails_the_run_with_a_readable_message(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 1})
	c, _ := k.connect(k.acme, "HubSpot")
	k.crm.fail = &crm.Error{Kind: crm.KindAuthExpired, Provider: crm.HubSpot, Status: 401}
	run := k.resync(k.acme, c)
	if run.Status != "failed" || !strings.Contains(run.Error, "rejected the credentials") {
		t.Fatalf("run %+v", run)
	}
	got, _ := k.svc.Connection(as(k.acme), k.acme.TenantID, c.ID)
	if got.Status != "error" || got.LastError == "" {
		t.Errorf("connection status %q %q", got.Status, got.LastError)
	}
	res, err := k.svc.TestConnection(as(k.acme), k.acme.TenantID, c.ID)
	if err != nil || res.OK || !strings.Contains(res.Message, "credentials") {
		t.Errorf("test connection: %+v %v", res, err)
	}
}

func TestStartSync_while_one_is_queued_returns_it(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 1})
	name := "HubSpot"
	c, err := k.svc.CreateConnection(as(k.acme), k.acme, ConnectionInput{Name: &name, Provider: crm.HubSpot,
		Credentials: map[string]string{"access_token": "pat-na1-secret-token-1234"}})
	if err != nil {
		t.Fatal(err)
	}
	again, err := k.svc.StartSync(as(k.acme), k.acme, c.ID)
	if err != nil || again.ID != c.LastRun.ID {
		t.Errorf("second start: %v %v, want the queued run %s", again.ID, err, c.LastRun.ID)
	}
}

func TestSync_runs_in_the_background_through_the_job_queue(t *testing.T) {
	k := newKit(t, map[string]int{"contacts": 4})
	ctx := as(k.acme)
	if err := k.jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer k.jobs.Stop(ctx)
	name := "HubSpot"
	c, err := k.svc.CreateConnection(ctx, k.acme, ConnectionInput{Name: &name, Provider: crm.HubSpot,
		Credentials: map[string]string{"access_token": "pat-na1-secret-token-1234"}})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		run, _ := k.svc.Run(ctx, k.acme.TenantID, c.LastRun.ID)
		if run.Status == "succeeded" {
			if run.Summary.New != 4 {
				t.Errorf("summary %+v", run.Summary)
			}
			return
		}
		if run.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("background sync did not succeed: %+v", run)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestScheduledSync_is_queued_when_due(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 1})
	name, every := "HubSpot", 60
	c, err := k.svc.CreateConnection(as(k.acme), k.acme, ConnectionInput{Name: &name, Provider: crm.HubSpot,
		SyncIntervalMinutes: &every, Credentials: map[string]string{"access_token": "pat-na1-secret-token-1234"}})
	if err != nil {
		t.Fatal(err)
	}
	k.sync(k.acme, c.LastRun.ID)
	if n, _ := k.svc.QueueDueSyncs(as(k.acme)); n != 0 {
		t.Fatalf("queued %d syncs before they were due", n)
	}
	k.clock.Advance(61 * time.Minute)
	if n, err := k.svc.QueueDueSyncs(as(k.acme)); n != 1 || err != nil {
		t.Fatalf("queued %d (%v), want 1", n, err)
	}
	runs, _ := k.svc.Runs(as(k.acme), k.acme.TenantID, c.ID)
	if runs[0].Trigger != "schedule" || runs[0].Status != "queued" {
		t.Errorf("latest run %+v", runs[0])
	}
	if n, _ := k.svc.QueueDueSyncs(as(k.acme)); n != 0 {
		t.Errorf("the schedule did not move on: queued %d more", n)
	}
}
