package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"countersign/backend/internal/access"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

// globexMarker is written into globex's rows wherever a name or text can
// carry it; no acme list may ever show it.
const globexMarker = "sweepmarker-globex"

// TestCollectionSweep_lists_never_show_another_tenants_rows seeds rows in
// both tenants, then reads every collection route of the console API (taken
// from the spec) and of the agent API as acme. No response may carry a globex
// id or marker, and the lists that acme has rows in must show acme's, so an
// empty answer cannot pass. Removing the tenant filter from any list query
// makes this test fail.
func TestCollectionSweep_lists_never_show_another_tenants_rows(t *testing.T) {
	e := servertest.NewEnv(t, true)
	g := e.SignIn("admin@globex.test")
	a := e.SignIn("admin@acme.test")

	foreign := seedListRows(t, e, g, "admin@globex.test", globexMarker)
	own := seedListRows(t, e, a, "admin@acme.test", "sweepmarker-acme")
	_, acmeAgent := e.NewAgent("admin@acme.test", "Acme reader", agents.Input{})

	check := func(what string, body []byte) {
		t.Helper()
		for _, m := range foreign.markers {
			if strings.Contains(string(body), m) {
				t.Errorf("%s shows globex's %q: %.300s", what, m, body)
			}
		}
	}
	// Every list must have had the chance to leak: routes that take query
	// parameters are read with each tenant's own filter values where needed.
	query := map[string]string{"/fields": "?limit=500", "/proposals": "?limit=200", "/audit": "?limit=200", "/alerts": ""}
	query["/insights/calibration"] = "?agent=" + own.agentID + "&field=deals.dealstage"
	swept := map[string]bool{}
	for _, r := range specRoutes(t) {
		if r.Method != "GET" || strings.Contains(r.Path, "{") || r.Access == access.Public {
			continue
		}
		res := a.Do("GET", "/api/v1"+r.Path+query[r.Path], nil)
		if res.Status != 200 {
			t.Errorf("GET %s: %d %s", r.Path, res.Status, res.Body)
			continue
		}
		check("GET "+r.Path, res.Body)
		swept[r.Path] = true
	}
	// the lists acme has rows in show them: the sweep did not read empty pages
	for path, mark := range map[string]string{"/agents": own.agentID, "/rollouts": own.rolloutID, "/proposals": own.proposalIDs[0],
		"/alerts": own.alertID, "/invites": own.inviteEmail, "/fields": own.fieldIDs[0], "/connections": own.connectionID} {
		if !swept[path] {
			t.Errorf("GET %s was not swept: is it still in the spec?", path)
			continue
		}
		if res := a.Do("GET", "/api/v1"+path+query[path], nil); !strings.Contains(string(res.Body), mark) {
			t.Errorf("GET %s does not show acme's own %q: the sweep proves nothing there", path, mark)
		}
	}

	for _, path := range []string{"/fields", "/feedback", "/records/deals?limit=100&fields=dealname"} {
		res := acmeAgent.Do("GET", path, nil)
		if res.Status != 200 {
			t.Errorf("agent GET %s: %d %s", path, res.Status, res.Body)
		}
		check("agent GET "+path, res.Body)
	}
	if res := acmeAgent.Do("GET", "/proposals/"+foreign.proposalIDs[0], nil); res.Status != 404 {
		t.Errorf("agent GET of a globex proposal: %d %s, want 404", res.Status, res.Body)
	}
}

type listRows struct {
	rolloutID                      string
	markers                        []string
	agentID, alertID, connectionID string
	inviteEmail                    string
	proposalIDs, fieldIDs          []string
}

// seedListRows gives the signed-in admin's tenant a row in every list: an
// agent whose proposals supersede each other (feedback), an alert, an invite,
// and a sandbox record renamed with the marker.
func seedListRows(t *testing.T, e *servertest.Env, c *servertest.Client, adminEmail, marker string) listRows {
	t.Helper()
	var rows listRows
	conn := c.FirstConnection()
	rows.connectionID = conn.ID
	var fields struct{ Fields []struct{ ID string } }
	json.Unmarshal(c.Do("GET", "/api/v1/fields?limit=500&connection_id="+conn.ID, nil).Body, &fields)
	for _, f := range fields.Fields {
		rows.fieldIDs = append(rows.fieldIDs, f.ID)
	}
	var records struct{ Records []struct{ ID string } }
	json.Unmarshal(c.Do("GET", "/api/v1/sandbox/"+conn.ID+"/records/deals?limit=2", nil).Body, &records)
	if len(rows.fieldIDs) == 0 || len(records.Records) < 2 {
		t.Fatalf("%s has no catalog or records to seed with", adminEmail)
	}
	if res := c.Do("PATCH", "/api/v1/sandbox/"+conn.ID+"/records/deals/"+records.Records[0].ID,
		map[string]any{"values": map[string]any{"dealname": marker + " deal"}}); res.Status != 200 {
		t.Fatalf("renaming a sandbox deal: %d %s", res.Status, res.Body)
	}

	agent, ac := e.NewAgent(adminEmail, marker+" bot", agents.Input{})
	rows.agentID = agent.ID
	for _, stage := range []string{"qualifiedtobuy", "closedwon"} { // the second supersedes the first
		for _, r := range ac.Propose(map[string]any{"object": "deals", "record_id": records.Records[1].ID, "field": "dealstage",
			"proposed": stage, "confidence": 0.5, "rationale": marker + " rationale"}) {
			if r.ID == "" {
				t.Fatalf("proposal not stored: %+v", r)
			}
			rows.proposalIDs = append(rows.proposalIDs, r.ID)
		}
	}
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO alerts (tenant_id, kind, severity, title, created_at)
		VALUES (?, 'test', 'info', ?, now()) RETURNING id`, agent.TenantID, marker+" alert").Scan(&rows.alertID)
	var rollout struct{ ID string }
	res := c.Do("POST", "/api/v1/rollouts", map[string]any{"agent_id": agent.ID, "name": marker + " rollout", "fields": []string{"deals.dealstage"}})
	if json.Unmarshal(res.Body, &rollout); res.Status != 201 {
		t.Fatalf("rollout: %d %s", res.Status, res.Body)
	}
	rows.rolloutID = rollout.ID
	if res := c.Do("POST", "/api/v1/insights/refresh", nil); res.Status != 200 {
		t.Fatalf("insights refresh: %d %s", res.Status, res.Body)
	}
	rows.inviteEmail = marker + "@invited.test"
	if res := c.Do("POST", "/api/v1/invites", map[string]any{"email": rows.inviteEmail, "roles": []string{"viewer"}}); res.Status != 201 {
		t.Fatalf("invite: %d %s", res.Status, res.Body)
	}
	rows.markers = append([]string{marker, rows.agentID, rows.rolloutID, rows.alertID, rows.connectionID, rows.inviteEmail,
		fmt.Sprintf("%q", adminEmail)}, rows.proposalIDs...)
	rows.markers = append(rows.markers, rows.fieldIDs...)
	return rows
}

// TestRLS_list_queries_without_their_tenant_filter_show_only_the_declared_tenant
// runs the console's list queries with their tenant filter removed, as the
// app role under acme: the database itself keeps globex's rows out.
func TestRLS_list_queries_without_their_tenant_filter_show_only_the_declared_tenant(t *testing.T) {
	e := servertest.NewEnv(t, true)
	foreign := seedListRows(t, e, e.SignIn("admin@globex.test"), "admin@globex.test", globexMarker)
	own := seedListRows(t, e, e.SignIn("admin@acme.test"), "admin@acme.test", "sweepmarker-acme")
	acme := e.Admin("admin@acme.test").TenantID
	for table, want := range map[string]string{"proposals": own.proposalIDs[0], "alerts": own.alertID, "agents": own.agentID,
		"crm_fields": own.fieldIDs[0], "crm_connections": own.connectionID} {
		var ids []string
		if err := e.DB.Conn(e.As(acme)).Raw(`SELECT id::text FROM ` + table).Scan(&ids).Error; err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		got := strings.Join(ids, " ")
		if !strings.Contains(got, want) {
			t.Errorf("SELECT id FROM %s under acme does not show acme's %s", table, want)
		}
		for _, m := range foreign.markers {
			if strings.Contains(got, m) {
				t.Errorf("SELECT id FROM %s under acme shows globex's %s", table, m)
			}
		}
	}
}
