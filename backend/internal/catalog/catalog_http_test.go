package catalog_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/server/servertest"
)

func TestSeededCatalog_has_the_sandbox_fields_with_default_policies(t *testing.T) {
	e := servertest.NewEnv(t, true)
	v := e.SignIn("viewer@acme.test")
	conn := v.FirstConnection()
	if conn.Name != "Acme sandbox CRM" || conn.LastRun.Status != "succeeded" {
		t.Fatalf("seeded connection %+v", conn)
	}
	stage, _ := v.Fields("q=dealstage&object=deals")
	if len(stage) != 1 || stage[0].Policy.Mode != "review" || stage[0].Policy.Sensitivity != "high" ||
		!strings.Contains(stage[0].Policy.Reason, "pipeline and forecasting") || stage[0].Policy.Decided {
		t.Errorf("dealstage %+v", stage)
	}
	utm, _ := v.Fields("q=utm_source&object=contacts")
	if len(utm) != 1 || utm[0].Policy.Mode != "blocked" {
		t.Errorf("utm_source %+v", utm)
	}
	_, total := v.Fields("limit=1")
	_, undecided := v.Fields("limit=1&needs_decision=true")
	if total < 60 || undecided != total {
		t.Errorf("catalog of %d fields, %d needing a decision", total, undecided)
	}
	// globex's catalog is its own
	_, gtotal := e.SignIn("admin@globex.test").Fields("limit=1&q=Acme")
	if gtotal != 0 {
		t.Errorf("globex search found acme fields")
	}
}

func TestFields_filters_paging_and_bad_params(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a := e.SignIn("admin@acme.test")
	all, total := a.Fields("limit=500")
	page2, total2 := a.Fields("limit=10&offset=10&sort=name")
	if total2 != total || len(page2) != 10 {
		t.Fatalf("paging: %d/%d, page of %d", total2, total, len(page2))
	}
	blocked, nb := a.Fields("mode=blocked&limit=500")
	for _, f := range blocked {
		if f.Policy.Mode != "blocked" {
			t.Fatalf("mode filter leaked %+v", f)
		}
	}
	if nb == 0 || nb >= len(all) {
		t.Errorf("%d blocked of %d", nb, len(all))
	}
	for _, q := range []string{"mode=sometimes", "limit=0", "limit=abc", "sort=colour", "tag=vibes"} {
		res := a.Do("GET", "/api/v1/fields?"+q, nil)
		field := strings.SplitN(q, "=", 2)[0]
		if res.Status != 400 || !strings.Contains(string(res.Body), fmt.Sprintf(`"field":"%s"`, field)) {
			t.Errorf("%s: %d %s", q, res.Status, res.Body)
		}
	}
}

func TestBulkTagging_and_field_history_through_the_api(t *testing.T) {
	e := servertest.NewEnv(t, true)
	a := e.SignIn("admin@acme.test")
	page, _ := a.Fields("object=contacts&needs_decision=true&limit=10")
	ids := make([]string, len(page))
	for i, f := range page {
		ids[i] = f.ID
	}
	res := a.Do("POST", "/api/v1/fields/bulk-policy", map[string]any{"field_ids": ids, "add_tags": []string{"pii"}, "sensitivity": "medium"})
	if res.Status != 200 || !strings.Contains(string(res.Body), `"updated":10`) {
		t.Fatalf("bulk: %d %s", res.Status, res.Body)
	}
	detail := a.Do("GET", "/api/v1/fields/"+ids[0], nil)
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
	json.Unmarshal(detail.Body, &d)
	if len(d.PolicyHistory) != 2 || d.PolicyHistory[0].Source != "bulk" || d.PolicyHistory[0].ActorEmail != "admin@acme.test" ||
		d.PolicyHistory[0].After.Sensitivity != "medium" || d.PolicyHistory[1].Source != "default" || d.PolicyHistory[1].Before != nil {
		t.Errorf("history: %s", detail.Body)
	}
	// reviewers read, never write
	r := e.SignIn("reviewer@acme.test")
	if res := r.Do("GET", "/api/v1/fields/"+ids[0], nil); res.Status != 200 {
		t.Errorf("reviewer reading a field: %d", res.Status)
	}
	if res := r.Do("PUT", "/api/v1/fields/"+ids[0]+"/policy", map[string]any{"sensitivity": "low", "mode": "auto"}); res.Status != 403 {
		t.Errorf("reviewer editing a policy: %d", res.Status)
	}
	if res := a.Do("PUT", "/api/v1/fields/not-a-uuid/policy", map[string]any{"sensitivity": "low", "mode": "auto"}); res.Status != 404 {
		t.Errorf("a malformed field id: %d %s", res.Status, res.Body)
	}
}

func TestConnections_add_sync_in_background_and_never_return_secrets(t *testing.T) {
	e := servertest.NewEnv(t)
	if err := e.Srv.Jobs.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer e.Srv.Jobs.Stop(t.Context())
	a := e.SignIn("admin@acme.test")
	res := a.Do("POST", "/api/v1/connections", map[string]any{"name": "HubSpot prod", "provider": "hubspot",
		"credentials": map[string]string{"access_token": "pat-na1-abcdef-super-secret-9f3c"}})
	if res.Status != 201 || strings.Contains(string(res.Body), "super-secret") || !strings.Contains(string(res.Body), `"access_token":"••••9f3c"`) {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	if list := a.Do("GET", "/api/v1/connections", nil); strings.Contains(string(list.Body), "super-secret") {
		t.Error("the list shows the secret")
	}
	bad := a.Do("POST", "/api/v1/connections", map[string]any{"name": "", "provider": "zoho"})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"field":"name"`) || !strings.Contains(string(bad.Body), `"field":"provider"`) {
		t.Errorf("bad connection: %d %s", bad.Status, bad.Body)
	}
	// the sandbox syncs for real, in the background
	res = a.Do("POST", "/api/v1/connections", map[string]any{"name": "Demo", "provider": "sandbox"})
	if res.Status != 201 {
		t.Fatalf("sandbox: %d %s", res.Status, res.Body)
	}
	var c servertest.ConnectionRef
	json.Unmarshal(res.Body, &c)
	deadline := time.Now().Add(20 * time.Second)
	for {
		run := a.Do("GET", "/api/v1/sync-runs/"+c.LastRun.ID, nil)
		var r struct {
			Status  string
			Summary *struct {
				New           int
				NeedsDecision int `json:"needs_decision"`
			} `json:"summary"`
		}
		json.Unmarshal(run.Body, &r)
		if r.Status == "succeeded" {
			if r.Summary.New < 60 || r.Summary.NeedsDecision > r.Summary.New || r.Summary.NeedsDecision < r.Summary.New-2 {
				t.Errorf("summary %s", run.Body)
			}
			break
		}
		if r.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("sync: %s", run.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	test := a.Do("POST", "/api/v1/connections/"+c.ID+"/test", nil)
	if !strings.Contains(string(test.Body), `"ok":true`) || !strings.Contains(string(test.Body), "deals") {
		t.Errorf("test connection: %s", test.Body)
	}
}
