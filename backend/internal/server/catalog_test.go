package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

type fieldRef struct {
	ID, Object, Name string
	Policy           struct {
		Sensitivity, Mode, Reason string
		Decided                   bool
		Tags                      []string
	}
}

func (c *client) fields(query string) ([]fieldRef, int) {
	c.e.t.Helper()
	res := c.do("GET", "/api/v1/fields?"+query, nil)
	var out struct {
		Fields []fieldRef
		Total  int
	}
	if err := json.Unmarshal(res.body, &out); err != nil || res.status != 200 {
		c.e.t.Fatalf("fields?%s: %d %s", query, res.status, res.body)
	}
	return out.Fields, out.Total
}

func TestSeededCatalog_has_the_sandbox_fields_with_default_policies(t *testing.T) {
	e := newEnv(t, true)
	v := e.signIn("viewer@acme.test")
	conn := v.firstConnection()
	if conn.Name != "Acme sandbox CRM" || conn.LastRun.Status != "succeeded" {
		t.Fatalf("seeded connection %+v", conn)
	}
	stage, _ := v.fields("q=dealstage&object=deals")
	if len(stage) != 1 || stage[0].Policy.Mode != "review" || stage[0].Policy.Sensitivity != "high" ||
		!strings.Contains(stage[0].Policy.Reason, "pipeline and forecasting") || stage[0].Policy.Decided {
		t.Errorf("dealstage %+v", stage)
	}
	utm, _ := v.fields("q=utm_source&object=contacts")
	if len(utm) != 1 || utm[0].Policy.Mode != "blocked" {
		t.Errorf("utm_source %+v", utm)
	}
	_, total := v.fields("limit=1")
	_, undecided := v.fields("limit=1&needs_decision=true")
	if total < 60 || undecided != total {
		t.Errorf("catalog of %d fields, %d needing a decision", total, undecided)
	}
	// globex's catalog is its own
	_, gtotal := e.signIn("admin@globex.test").fields("limit=1&q=Acme")
	if gtotal != 0 {
		t.Errorf("globex search found acme fields")
	}
}

func TestFields_filters_paging_and_bad_params(t *testing.T) {
	e := newEnv(t, true)
	a := e.signIn("admin@acme.test")
	all, total := a.fields("limit=500")
	page2, total2 := a.fields("limit=10&offset=10&sort=name")
	if total2 != total || len(page2) != 10 {
		t.Fatalf("paging: %d/%d, page of %d", total2, total, len(page2))
	}
	blocked, nb := a.fields("mode=blocked&limit=500")
	for _, f := range blocked {
		if f.Policy.Mode != "blocked" {
			t.Fatalf("mode filter leaked %+v", f)
		}
	}
	if nb == 0 || nb >= len(all) {
		t.Errorf("%d blocked of %d", nb, len(all))
	}
	for _, q := range []string{"mode=sometimes", "limit=0", "limit=abc", "sort=colour", "tag=vibes"} {
		res := a.do("GET", "/api/v1/fields?"+q, nil)
		field := strings.SplitN(q, "=", 2)[0]
		if res.status != 400 || !strings.Contains(string(res.body), fmt.Sprintf(`"field":"%s"`, field)) {
			t.Errorf("%s: %d %s", q, res.status, res.body)
		}
	}
}

func TestBulkTagging_and_field_history_through_the_api(t *testing.T) {
	e := newEnv(t, true)
	a := e.signIn("admin@acme.test")
	page, _ := a.fields("object=contacts&needs_decision=true&limit=10")
	ids := make([]string, len(page))
	for i, f := range page {
		ids[i] = f.ID
	}
	res := a.do("POST", "/api/v1/fields/bulk-policy", map[string]any{"field_ids": ids, "add_tags": []string{"pii"}, "sensitivity": "medium"})
	if res.status != 200 || !strings.Contains(string(res.body), `"updated":10`) {
		t.Fatalf("bulk: %d %s", res.status, res.body)
	}
	detail := a.do("GET", "/api/v1/fields/"+ids[0], nil)
	var d struct {
		PolicyHistory []struct {
			ActorEmail string `json:"actor_email"`
			Source     string
			Before     *struct{ Sensitivity string }
			After      struct {
				Sensitivity string
				Tags        []string
			}
		} `json:"policy_history"`
	}
	json.Unmarshal(detail.body, &d)
	if len(d.PolicyHistory) != 2 || d.PolicyHistory[0].Source != "bulk" || d.PolicyHistory[0].ActorEmail != "admin@acme.test" ||
		d.PolicyHistory[0].After.Sensitivity != "medium" || d.PolicyHistory[1].Source != "default" || d.PolicyHistory[1].Before != nil {
		t.Errorf("history: %s", detail.body)
	}
	// reviewers read, never write
	r := e.signIn("reviewer@acme.test")
	if res := r.do("GET", "/api/v1/fields/"+ids[0], nil); res.status != 200 {
		t.Errorf("reviewer reading a field: %d", res.status)
	}
	if res := r.do("PUT", "/api/v1/fields/"+ids[0]+"/policy", map[string]any{"sensitivity": "low", "mode": "auto"}); res.status != 403 {
		t.Errorf("reviewer editing a policy: %d", res.status)
	}
	if res := a.do("PUT", "/api/v1/fields/not-a-uuid/policy", map[string]any{"sensitivity": "low", "mode": "auto"}); res.status != 404 {
		t.Errorf("a malformed field id: %d %s", res.status, res.body)
	}
}

func TestConnections_add_sync_in_background_and_never_return_secrets(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Jobs.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer e.srv.Jobs.Stop(t.Context())
	a := e.signIn("admin@acme.test")
	res := a.do("POST", "/api/v1/connections", map[string]any{"name": "HubSpot prod", "provider": "hubspot",
		"credentials": map[string]string{"access_token": "pat-na1-abcdef-super-secret-9f3c"}})
	if res.status != 201 || strings.Contains(string(res.body), "super-secret") || !strings.Contains(string(res.body), `"access_token":"••••9f3c"`) {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	if list := a.do("GET", "/api/v1/connections", nil); strings.Contains(string(list.body), "super-secret") {
		t.Error("the list shows the secret")
	}
	bad := a.do("POST", "/api/v1/connections", map[string]any{"name": "", "provider": "zoho"})
	if bad.status != 400 || !strings.Contains(string(bad.body), `"field":"name"`) || !strings.Contains(string(bad.body), `"field":"provider"`) {
		t.Errorf("bad connection: %d %s", bad.status, bad.body)
	}
	// the sandbox syncs for real, in the background
	res = a.do("POST", "/api/v1/connections", map[string]any{"name": "Demo", "provider": "sandbox"})
	if res.status != 201 {
		t.Fatalf("sandbox: %d %s", res.status, res.body)
	}
	var c connectionRef
	json.Unmarshal(res.body, &c)
	deadline := time.Now().Add(20 * time.Second)
	for {
		run := a.do("GET", "/api/v1/sync-runs/"+c.LastRun.ID, nil)
		var r struct {
			Status  string
			Summary *struct {
				New           int
				NeedsDecision int `json:"needs_decision"`
			} `json:"summary"`
		}
		json.Unmarshal(run.body, &r)
		if r.Status == "succeeded" {
			if r.Summary.New < 60 || r.Summary.NeedsDecision > r.Summary.New || r.Summary.NeedsDecision < r.Summary.New-2 {
				t.Errorf("summary %s", run.body)
			}
			break
		}
		if r.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("sync: %s", run.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	test := a.do("POST", "/api/v1/connections/"+c.ID+"/test", nil)
	if !strings.Contains(string(test.body), `"ok":true`) || !strings.Contains(string(test.body), "deals") {
		t.Errorf("test connection: %s", test.body)
	}
}

func TestSandboxEdit_as_a_human_is_in_the_record_history(t *testing.T) {
	e := newEnv(t, true)
	a := e.signIn("admin@acme.test")
	conn := a.firstConnection()
	var page struct{ Records []struct{ ID string } }
	json.Unmarshal(a.do("GET", "/api/v1/sandbox/"+conn.ID+"/records/deals?limit=1", nil).body, &page)
	path := "/api/v1/sandbox/" + conn.ID + "/records/deals/" + page.Records[0].ID
	res := a.do("PATCH", path, map[string]any{"values": map[string]any{"dealstage": "closedwon"}})
	if res.status != 200 || !strings.Contains(string(res.body), `"dealstage":"closedwon"`) || !strings.Contains(string(res.body), `"source":"human"`) {
		t.Fatalf("edit: %d %.400s", res.status, res.body)
	}
	bad := a.do("PATCH", path, map[string]any{"values": map[string]any{"dealstage": "won-ish"}})
	if bad.status != 400 || !strings.Contains(string(bad.body), `"field":"values.dealstage"`) {
		t.Errorf("bad value: %d %s", bad.status, bad.body)
	}
	if res := e.signIn("viewer@acme.test").do("GET", path, nil); res.status != 403 {
		t.Errorf("viewer reading the sandbox editor: %d", res.status)
	}
}
