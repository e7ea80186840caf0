package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"countersign/backend/api"
	"countersign/backend/internal/access"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/server/servertest"
)

func specRoutes(t *testing.T) []access.Route {
	t.Helper()
	spec, err := api.GetSwagger()
	if err != nil {
		t.Fatal(err)
	}
	routes, err := access.RoutesFromSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

// fillPath puts ids into a spec path; ids must name every parameter, so a new
// route with a new parameter fails here until the sweep knows how to fill it.
func fillPath(t *testing.T, r access.Route, ids map[string]string) string {
	t.Helper()
	p := r.Path
	for strings.Contains(p, "{") {
		i, j := strings.Index(p, "{"), strings.Index(p, "}")
		name := p[i+1 : j]
		id, ok := ids[name]
		if !ok {
			t.Fatalf("%s %s: no id for path parameter %q — teach this test about it", r.Method, r.Path, name)
		}
		p = p[:i] + id + p[j+1:]
	}
	return "/api/v1" + p
}

var demoUsers = map[access.Role]string{
	access.Admin:      "admin@acme.test",
	access.Reviewer:   "reviewer@acme.test",
	access.Compliance: "compliance@acme.test",
	access.Viewer:     "viewer@acme.test",
}

// TestRoutePermissions_each_role_on_each_route is generated from the route
// list in openapi.yaml: every operation must declare x-permission, and each
// role is allowed exactly where the grants say.
func TestRoutePermissions_each_role_on_each_route(t *testing.T) {
	e := servertest.NewEnv(t)
	placeholder := "00000000-0000-4000-8000-000000000000"
	ids := map[string]string{"memberId": placeholder, "inviteId": placeholder, "token": "no-such-token",
		"connectionId": placeholder, "fieldId": placeholder, "runId": placeholder, "object": "deals", "recordId": "1",
		"agentId": placeholder, "keyId": placeholder, "proposalId": placeholder, "alertId": placeholder, "itemId": placeholder,
		"queueId": placeholder, "changeId": placeholder, "rollbackId": placeholder, "rolloutId": placeholder, "exportId": placeholder,
		"scheduleId": placeholder, "auditId": placeholder, "changeSeq": "1"}
	for _, role := range access.Roles {
		c := e.SignIn(demoUsers[role])
		for _, r := range specRoutes(t) {
			if r.Access == access.Public || r.Access == access.Authenticated || r.OperationID == "logout" {
				continue
			}
			allowed := slices.Contains(access.Grants[role], access.Permission(r.Access))
			res := c.Do(r.Method, fillPath(t, r, ids), map[string]any{})
			switch {
			case allowed && (res.Status == 403 || res.Status == 401):
				t.Errorf("%s %s %s: %d, want allowed (%s)", role, r.Method, r.Path, res.Status, r.Access)
			case !allowed && (res.Status != 403 || res.Code() != "forbidden"):
				t.Errorf("%s %s %s: %d %s, want 403 forbidden", role, r.Method, r.Path, res.Status, res.Body)
			}
		}
	}
}

func TestRoutePermissions_signed_out_gets_401_except_public(t *testing.T) {
	e := servertest.NewEnv(t)
	ids := map[string]string{"memberId": "x", "inviteId": "x", "token": "no-such-token",
		"connectionId": "x", "fieldId": "x", "runId": "x", "object": "deals", "recordId": "1",
		"agentId": "x", "keyId": "x", "proposalId": "x", "alertId": "x", "itemId": "x", "queueId": "x", "changeId": "x", "rollbackId": "x", "rolloutId": "x",
		"exportId": "x", "scheduleId": "x", "auditId": "x", "changeSeq": "1"}
	for _, r := range specRoutes(t) {
		res := e.Anon().Do(r.Method, fillPath(t, r, ids), map[string]any{})
		if r.Access == access.Public {
			if res.Status == 401 && res.Code() == "unauthenticated" {
				t.Errorf("public %s %s asked for a session", r.Method, r.Path)
			}
			continue
		}
		if res.Status != 401 || res.Code() != "unauthenticated" {
			t.Errorf("%s %s signed out: %d %s, want 401", r.Method, r.Path, res.Status, res.Body)
		}
	}
}

// TestCrossTenantSweep calls every tenant-scoped route with a path id as an
// acme admin, using globex's ids: each must answer 404, exactly like a missing id.
func TestCrossTenantSweep_foreign_ids_answer_404_like_missing_ones(t *testing.T) {
	e := servertest.NewEnv(t, true)
	g := e.SignIn("admin@globex.test")
	inv := g.Do("POST", "/api/v1/invites", map[string]any{"email": "someone@globex.test", "roles": []string{"viewer"}})
	if inv.Status != 201 {
		t.Fatalf("globex invite: %d %s", inv.Status, inv.Body)
	}
	var created struct{ ID string }
	json.Unmarshal(inv.Body, &created)
	conn := g.FirstConnection()
	var fields struct{ Fields []struct{ ID string } }
	json.Unmarshal(g.Do("GET", "/api/v1/fields?limit=1&connection_id="+conn.ID, nil).Body, &fields)
	var records struct{ Records []struct{ ID string } }
	json.Unmarshal(g.Do("GET", "/api/v1/sandbox/"+conn.ID+"/records/deals?limit=1", nil).Body, &records)
	if len(fields.Fields) == 0 || len(records.Records) == 0 {
		t.Fatal("globex has no catalog to sweep with")
	}
	ga, gagent := e.NewAgent("admin@globex.test", "Globex bot", agents.Input{})
	gkey := ga.Keys
	if refreshed, err := e.Srv.Agents.Get(e.As(ga.TenantID), ga.TenantID, ga.ID); err == nil {
		gkey = refreshed.Keys
	}
	prop := gagent.Propose(map[string]any{"object": "deals", "record_id": records.Records[0].ID, "field": "dealstage",
		"proposed": "closedwon", "confidence": 0.5})
	var alertID string
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO alerts (tenant_id, kind, severity, title, created_at) VALUES (?, 'test', 'info', 'x', now()) RETURNING id`,
		ga.TenantID).Scan(&alertID)
	var item struct{ ID, QueueID string }
	e.Owner.Conn(t.Context()).Raw(`SELECT id, queue_id FROM review_items WHERE proposal_id = ?`, prop[0].ID).Scan(&item)
	if item.ID == "" {
		t.Fatal("globex's proposal has no review item")
	}
	seqs, err := e.Srv.Changes.Append(e.As(ga.TenantID), ga.TenantID, []changelog.Entry{{ConnectionID: conn.ID, Object: "deals",
		RecordID: records.Records[0].ID, Field: "dealstage", Before: "a", After: "b", ActorKind: changelog.ActorSystem, At: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	var changeID, rollbackID string
	e.Owner.Conn(t.Context()).Raw(`SELECT id FROM change_events WHERE tenant_id = ? AND seq = ?`, ga.TenantID, seqs[0]).Scan(&changeID)
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO rollbacks (tenant_id, filter, filter_key, state, max_seq, created_at)
		VALUES (?, '{}', 'x', 'done', 1, now()) RETURNING id`, ga.TenantID).Scan(&rollbackID)
	var rolloutID string
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO rollouts (tenant_id, agent_id, name, salt, stage_since, created_at, updated_at)
		VALUES (?, ?, 'Swept', 'salt', now(), now(), now()) RETURNING id`, ga.TenantID, ga.ID).Scan(&rolloutID)
	var exportID, scheduleID, auditID string
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO exports (tenant_id, format, filter, state, created_at, expires_at)
		VALUES (?, 'csv', '{}', 'done', now(), now() + interval '1 day') RETURNING id`, ga.TenantID).Scan(&exportID)
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO export_schedules (tenant_id, format, filter, cadence, next_run_at, created_at)
		VALUES (?, 'csv', '{}', 'monthly', now(), now()) RETURNING id`, ga.TenantID).Scan(&scheduleID)
	e.Owner.Conn(t.Context()).Raw(`INSERT INTO audits (tenant_id, since, until, rate_bps, seed, population, created_at)
		VALUES (?, now() - interval '1 day', now(), 100, 1, 1, now()) RETURNING id`, ga.TenantID).Scan(&auditID)
	e.Owner.Conn(t.Context()).Exec(`INSERT INTO audit_items (tenant_id, audit_id, change_seq, stratum) VALUES (?, ?, ?, 'swept')`,
		ga.TenantID, auditID, seqs[0])
	if exportID == "" || scheduleID == "" || auditID == "" {
		t.Fatal("globex has no export, schedule or audit to sweep with")
	}
	foreign := map[string]string{"exportId": exportID, "scheduleId": scheduleID, "auditId": auditID, "changeSeq": fmt.Sprint(seqs[0]),
		"rolloutId": rolloutID, "changeId": changeID, "rollbackId": rollbackID, "itemId": item.ID, "queueId": item.QueueID, "memberId": g.MemberID("admin@globex.test"), "inviteId": created.ID,
		"connectionId": conn.ID, "fieldId": fields.Fields[0].ID, "runId": conn.LastRun.ID, "object": "deals",
		"recordId": records.Records[0].ID, "agentId": ga.ID, "keyId": gkey[0].ID, "proposalId": prop[0].ID, "alertId": alertID}
	none := "00000000-0000-4000-8000-000000000000"
	missing := map[string]string{"exportId": none, "scheduleId": none, "auditId": none, "changeSeq": "999999", "rolloutId": none, "changeId": none, "rollbackId": none, "itemId": none, "queueId": none, "memberId": none, "inviteId": none, "connectionId": none, "fieldId": none, "runId": none,
		"object": "deals", "recordId": "999999999", "agentId": none, "keyId": none, "proposalId": none, "alertId": none}

	a := e.SignIn("admin@acme.test")
	swept := 0
	for _, r := range specRoutes(t) {
		if !strings.Contains(r.Path, "{") || r.Access == access.Public {
			continue // public routes take a token, not a tenant's id
		}
		// a body valid for every swept write, so only the id can make the difference
		body := map[string]any{"roles": []string{"viewer"}, "sensitivity": "low", "mode": "review", "name": "Swept",
			"values": map[string]any{"dealname": "Swept"}, "verdict": "approve", "stage": "shadow"}
		if strings.EqualFold(r.OperationID, "markAuditItem") {
			body["verdict"], body["note"] = "incorrect", "swept"
		}
		got := a.Do(r.Method, fillPath(t, r, foreign), body)
		want := a.Do(r.Method, fillPath(t, r, missing), body)
		if strings.EqualFold(r.OperationID, "getRecordTimeline") { // an address, not a row: another tenant's record reads as one with no history
			if got.Status != 200 || strings.TrimSpace(string(got.Body)) != `{"entries":[]}` || strings.TrimSpace(string(want.Body)) != `{"entries":[]}` {
				t.Errorf("%s %s with globex ids: %d %s; missing ids: %d %s", r.Method, r.Path, got.Status, got.Body, want.Status, want.Body)
			}
			continue
		}
		if got.Status != 404 || got.Code() != want.Code() || want.Status != 404 {
			t.Errorf("%s %s with globex ids: %d %s; missing ids: %d %s", r.Method, r.Path, got.Status, got.Body, want.Status, want.Body)
		}
		swept++
	}
	if swept < 2 {
		t.Fatalf("swept %d routes; the sweep is not looking at the spec", swept)
	}
	// and globex's data is untouched
	if res := g.Do("GET", "/api/v1/invites", nil); !strings.Contains(string(res.Body), "someone@globex.test") {
		t.Errorf("globex invite was affected: %s", res.Body)
	}
	if res := a.Do("GET", "/api/v1/members", nil); strings.Contains(string(res.Body), "globex.test") {
		t.Errorf("acme member list shows globex members: %s", res.Body)
	}
}
