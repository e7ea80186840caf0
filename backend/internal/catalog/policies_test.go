package catalog

import (
	"strings"
	"testing"

	"countersign/backend/internal/platform/problem"
)

func fieldErrors(err error) string {
	pe, ok := problem.As(err)
	if !ok {
		return ""
	}
	var b strings.Builder
	for _, f := range pe.Fields {
		b.WriteString(f.Field + ": " + f.Message + "\n")
	}
	return b.String()
}

func TestSetPolicy_records_who_changed_what(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 2})
	k.connect(k.acme, "HubSpot")
	fs, _ := k.fields(k.acme, FieldFilter{})
	sla, thr := 240, 0.9
	f, err := k.svc.SetPolicy(as(k.acme), k.acme, fs[0].ID, PolicyInput{Sensitivity: "high", Mode: "two_person",
		ConfidenceThreshold: &thr, EvidenceRequired: true, SLAMinutes: &sla, Tags: []string{"forecast", "pipeline", "forecast"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := f.Policy; p.Mode != "two_person" || !p.Decided || p.ConfidenceThreshold != 0.9 || *p.SLAMinutes != 240 || strings.Join(p.Tags, ",") != "forecast,pipeline" {
		t.Errorf("policy %+v", p)
	}
	d, _ := k.svc.FieldDetail(as(k.acme), k.acme.TenantID, fs[0].ID)
	if len(d.Policies) != 2 || d.Policies[0].ActorEmail != "admin@acme.test" || d.Policies[0].Source != "console" ||
		d.Policies[0].Before.Mode != "auto" || d.Policies[0].After.Mode != "two_person" {
		t.Errorf("policy history %+v", d.Policies)
	}
	_, err = k.svc.SetPolicy(as(k.acme), k.acme, fs[0].ID, PolicyInput{Sensitivity: "critical", Mode: "auto", Tags: []string{"vibes"}})
	if msg := fieldErrors(err); !strings.Contains(msg, "mode: critical fields are human-only") || !strings.Contains(msg, "tags[0]") {
		t.Errorf("critical+auto and a bad tag: %v", err)
	}
	if _, err := k.svc.SetPolicy(as(k.globex), k.globex, fs[0].ID, PolicyInput{Sensitivity: "low", Mode: "auto"}); !problem.Is(err, "not_found") {
		t.Errorf("another tenant's field: %v", err)
	}
}

func TestBulkUpdate_all_or_nothing_with_history(t *testing.T) {
	k := newKit(t, map[string]int{"contacts": 12})
	k.connect(k.acme, "HubSpot")
	fs, _ := k.fields(k.acme, FieldFilter{})
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = fs[i].ID
	}
	n, err := k.svc.BulkUpdate(as(k.acme), k.acme, BulkInput{FieldIDs: ids, Sensitivity: "medium", AddTags: []string{"pii"}})
	if err != nil || n != 10 {
		t.Fatalf("bulk: %d %v", n, err)
	}
	tagged, total := k.fields(k.acme, FieldFilter{Tag: "pii"})
	if total != 10 || tagged[0].Policy.Sensitivity != "medium" || !tagged[0].Policy.Decided {
		t.Errorf("after bulk: %d tagged, %+v", total, tagged[0].Policy)
	}
	if _, undecided := k.fields(k.acme, FieldFilter{NeedsDecision: true}); undecided != 2 {
		t.Errorf("needs decision = %d, want the 2 untouched", undecided)
	}
	d, _ := k.svc.FieldDetail(as(k.acme), k.acme.TenantID, ids[3])
	if d.Policies[0].Source != "bulk" || d.Policies[0].Before.Sensitivity != "low" {
		t.Errorf("history %+v", d.Policies[0])
	}
	// one foreign id spoils the whole batch
	k.connect(k.globex, "Theirs")
	theirs, _ := k.fields(k.globex, FieldFilter{})
	_, err = k.svc.BulkUpdate(as(k.acme), k.acme, BulkInput{FieldIDs: append(ids[:2:2], theirs[0].ID), Mode: "blocked"})
	if !problem.Is(err, "not_found") {
		t.Fatalf("bulk with a foreign id: %v", err)
	}
	if blocked, _ := k.fields(k.acme, FieldFilter{Mode: "blocked"}); len(blocked) != 0 {
		t.Errorf("a failed bulk left %d fields changed", len(blocked))
	}
	if _, err := k.svc.BulkUpdate(as(k.acme), k.acme, BulkInput{FieldIDs: ids}); !strings.Contains(fieldErrors(err), "choose a change") {
		t.Errorf("bulk with no change: %v", err)
	}
}

func TestPolicyFile_export_then_dry_run_then_apply(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 3})
	k.connect(k.acme, "HubSpot")
	ctx := as(k.acme)
	y, n, err := k.svc.Export(ctx, k.acme.TenantID, "")
	if err != nil || n != 3 || !strings.Contains(y, "connection: HubSpot") || !strings.Contains(y, "field_001:") {
		t.Fatalf("export (%d fields, %v):\n%s", n, err, y)
	}
	edited := strings.Replace(y, "field_001:\n                sensitivity: low\n                mode: auto", "field_001:\n                sensitivity: high\n                mode: review", 1)
	if edited == y {
		t.Fatalf("could not edit the export:\n%s", y)
	}
	dry, err := k.svc.Import(ctx, k.acme, edited, true)
	if err != nil || dry.Applied || len(dry.Changes) != 3 {
		// every field flips to decided; field_001 also changes mode
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	if f, _ := k.fields(k.acme, FieldFilter{Query: "field_001"}); f[0].Policy.Mode != "auto" {
		t.Fatal("a dry run changed a policy")
	}
	res, err := k.svc.Import(ctx, k.acme, edited, false)
	if err != nil || !res.Applied {
		t.Fatalf("apply: %+v %v", res, err)
	}
	f, _ := k.fields(k.acme, FieldFilter{Query: "field_001"})
	if f[0].Policy.Mode != "review" || !f[0].Policy.Decided {
		t.Errorf("after import %+v", f[0].Policy)
	}
	again, _ := k.svc.Import(ctx, k.acme, edited, true)
	if len(again.Changes) != 0 || again.Unchanged != 3 {
		t.Errorf("re-importing the same file: %+v", again)
	}
	bad := "version: 1\nconnections:\n  - connection: Nope\n    objects: {}\n  - connection: HubSpot\n    objects:\n      deals:\n        ghost: {sensitivity: low, mode: auto}\n        field_000: {sensitivity: extreme, mode: auto}\n"
	_, err = k.svc.Import(ctx, k.acme, bad, true)
	msg := fieldErrors(err)
	for _, want := range []string{"connections[0].connection", "connections[1].objects.deals.ghost", "connections[1].objects.deals.field_000.sensitivity"} {
		if !strings.Contains(msg, want) {
			t.Errorf("import errors lack %s:\n%s", want, msg)
		}
	}
	if _, err := k.svc.Import(ctx, k.acme, "version: 1\nconection: typo\n", true); !strings.Contains(fieldErrors(err), "yaml") {
		t.Errorf("unknown key accepted: %v", err)
	}
}

// TestImport_errors_name_the_line_the_key_and_what_is_allowed: a policy file's
// errors speak of its lines and keys, never of Go types.
func TestImport_errors_name_the_line_the_key_and_what_is_allowed(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 2})
	ctx := as(k.acme)
	k.connect(k.acme, "HubSpot")
	for _, c := range []struct{ name, src, want string }{
		{"bad mode", "version: 1\nconnections:\n  - connection: HubSpot\n    objects:\n      deals:\n        field_000:\n          sensitivity: low\n          mode: sometimes\n",
			`line 8: "sometimes" is not one of [auto review two_person blocked]`},
		{"bad sensitivity", "version: 1\nconnections:\n  - connection: HubSpot\n    objects:\n      deals:\n        field_000: {sensitivity: extreme, mode: review}\n",
			`line 6: "extreme" is not one of [low medium high critical]`},
		{"unknown field", "version: 1\nconnections:\n  - connection: HubSpot\n    objects:\n      deals:\n        ghost: {sensitivity: low, mode: review}\n",
			"line 6: HubSpot has no field deals.ghost"},
		{"misspelt key", "version: 1\nconnections:\n  - connection: HubSpot\n    objects:\n      deals:\n        field_000: {sensitivity: low, modee: review}\n",
			`line 6: unknown key "modee"; here the keys are sensitivity, mode, confidence_threshold, evidence_required, sla_minutes, tags`},
		{"wrong type", "version: one\nconnections: []\n", `line 1: "one" is not a whole number`},
		{"malformed", "version: 1\nconnections:\n  - connection: HubSpot\n   objects: {\n", "line 2: did not find expected '-' indicator (not valid YAML)"},
	} {
		_, err := k.svc.Import(ctx, k.acme, c.src, true)
		msg := fieldErrors(err)
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s\nwant %s", c.name, msg, c.want)
		}
		for _, internal := range []string{"catalog.", "!!str", "unmarshal", "policyYAML"} {
			if strings.Contains(msg, internal) {
				t.Errorf("%s: the error shows Go internals (%s): %s", c.name, internal, msg)
			}
		}
	}
}

func TestConnection_credentials_are_sealed_and_never_returned(t *testing.T) {
	k := newKit(t, map[string]int{"deals": 1})
	c, _ := k.connect(k.acme, "HubSpot")
	if c.CredentialHints["access_token"] != "••••1234" {
		t.Errorf("hint %q", c.CredentialHints["access_token"])
	}
	var raw []byte
	k.db.Conn(as(k.acme)).Raw(`SELECT credentials FROM crm_connections WHERE id = ?`, c.ID).Scan(&raw)
	if len(raw) == 0 || strings.Contains(string(raw), "secret-token") {
		t.Errorf("credentials at rest: %q", raw)
	}
	if k.creds["access_token"] != "pat-na1-secret-token-1234" {
		t.Errorf("the connector got %v", k.creds)
	}
	// moving the sealed value to another connection must not open it
	other, _ := k.connect(k.globex, "Theirs")
	k.db.Conn(as(k.globex)).Exec(`UPDATE crm_connections SET credentials = ? WHERE id = ?`, raw, other.ID)
	res, _ := k.svc.TestConnection(as(k.globex), k.globex.TenantID, other.ID)
	if res.OK || !strings.Contains(res.Message, "cannot be read") {
		t.Errorf("a moved credential opened: %+v", res)
	}
	name := "Bad"
	_, err := k.svc.CreateConnection(as(k.acme), k.acme, ConnectionInput{Name: &name, Provider: "salesforce",
		BaseURL: refOf("ftp://x"), Credentials: map[string]string{"client_id": "x", "password": "y"}})
	msg := fieldErrors(err)
	for _, want := range []string{"base_url", "credentials.client_secret", "credentials.refresh_token", "credentials.password"} {
		if !strings.Contains(msg, want) {
			t.Errorf("errors lack %s:\n%s", want, msg)
		}
	}
	dup := "hubspot"
	if _, err := k.svc.CreateConnection(as(k.acme), k.acme, ConnectionInput{Name: &dup, Provider: "hubspot",
		Credentials: map[string]string{"access_token": "pat-na1-secret-token-1234"}}); !strings.Contains(fieldErrors(err), "name: another connection") {
		t.Errorf("duplicate name (case-insensitive): %v", err)
	}
}

func refOf[T any](v T) *T { return &v }
