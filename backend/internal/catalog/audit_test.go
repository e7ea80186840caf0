package catalog

import (
	"strings"
	"testing"

	"countersign/backend/internal/audit"
)

// actions lists the tenant's audit actions, newest first.
func (k *kit) actions(tenantID string) []string {
	k.t.Helper()
	es, err := audit.New(k.db).List(as(k.acme), tenantID, audit.Filter{}, audit.Cursor{}, 100)
	if err != nil {
		k.t.Fatal(err)
	}
	out := make([]string, 0, len(es))
	for _, e := range es {
		if strings.HasPrefix(e.Action, "policy.") {
			out = append(out, e.Action+" "+e.Target+" "+e.ActorEmail)
		}
	}
	return out
}

// TestPolicy_edits_are_audited_and_failed_ones_are_not: a single edit, a bulk
// edit and an applied import each write one entry in their transaction; a
// refused edit, a failed bulk edit and a dry run write none.
func TestPolicy_edits_are_audited_and_failed_ones_are_not(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 3})
	k.connect(k.acme, "HubSpot")
	ctx := as(k.acme)
	fs, _ := k.fields(k.acme, FieldFilter{})

	// failures first: nothing may be written
	if _, err := k.svc.SetPolicy(ctx, k.acme, fs[0].ID, PolicyInput{Sensitivity: "critical", Mode: "auto"}); err == nil {
		t.Fatal("critical+auto accepted")
	}
	if _, err := k.svc.BulkUpdate(ctx, k.acme, BulkInput{FieldIDs: []string{fs[0].ID, "00000000-0000-0000-0000-000000000000"}, Mode: "blocked"}); err == nil {
		t.Fatal("bulk with a missing field accepted")
	}
	y, _, _ := k.svc.Export(ctx, k.acme.TenantID, "")
	if _, err := k.svc.Import(ctx, k.acme, y, true); err != nil {
		t.Fatal(err)
	}
	if got := k.actions(k.acme.TenantID); len(got) != 0 {
		t.Fatalf("failed changes and a dry run were audited: %v", got)
	}

	if _, err := k.svc.SetPolicy(ctx, k.acme, fs[0].ID, PolicyInput{Sensitivity: "high", Mode: "review"}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.BulkUpdate(ctx, k.acme, BulkInput{FieldIDs: []string{fs[1].ID, fs[2].ID}, AddTags: []string{"pii"}}); err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(y, "sensitivity: low", "sensitivity: medium", 1)
	if _, err := k.svc.Import(ctx, k.acme, edited, false); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(k.actions(k.acme.TenantID), "\n")
	for _, want := range []string{"policy.changed deals." + fs[0].Name + " admin@acme.test", "policy.bulk_changed 2 fields admin@acme.test",
		"policy.imported "} {
		if !strings.Contains(got, want) {
			t.Errorf("audit trail lacks %q:\n%s", want, got)
		}
	}
	if n := len(k.actions(k.acme.TenantID)); n != 3 {
		t.Errorf("%d policy entries, want 3:\n%s", n, got)
	}
}
