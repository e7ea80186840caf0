package audit_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/server/servertest"
)

// TestAuditTrail_records_agent_actions_and_not_failed_ones: creating, pausing
// and updating an agent, creating and revoking its key and resetting its
// breaker each leave an entry; a refused change leaves none.
func TestAuditTrail_records_agent_actions_and_not_failed_ones(t *testing.T) {
	e := servertest.NewEnv(t, true)
	admin := e.SignIn("admin@acme.test")
	res := admin.Do("POST", "/api/v1/agents", map[string]any{"name": "Audited bot"})
	if res.Status != 201 {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	var a struct{ ID string }
	json.Unmarshal(res.Body, &a)
	if res := admin.Do("POST", "/api/v1/agents", map[string]any{"name": "Audited bot"}); res.Status < 400 {
		t.Fatalf("a duplicate name was accepted: %d", res.Status)
	}
	if res := admin.Do("PATCH", "/api/v1/agents/"+a.ID, map[string]any{"status": "paused", "paused_reason": "audit"}); res.Status != 200 {
		t.Fatalf("pause: %d %s", res.Status, res.Body)
	}
	res = admin.Do("POST", "/api/v1/agents/"+a.ID+"/keys", map[string]any{"name": "ci"})
	if res.Status != 201 {
		t.Fatalf("key: %d %s", res.Status, res.Body)
	}
	var k struct{ ID string }
	json.Unmarshal(res.Body, &k)
	if res := admin.Do("DELETE", "/api/v1/agents/"+a.ID+"/keys/"+k.ID, nil); res.Status >= 300 {
		t.Fatalf("revoke: %d %s", res.Status, res.Body)
	}
	var tenantID string
	e.Owner.Conn(t.Context()).Raw(`SELECT tenant_id FROM agents WHERE id = ?`, a.ID).Scan(&tenantID)
	agent, err := e.Srv.Agents.Get(e.As(tenantID), tenantID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Srv.Agents.Trip(e.As(tenantID), agent, 20); err != nil {
		t.Fatalf("trip: %v", err)
	}
	if res := admin.Do("POST", "/api/v1/agents/"+a.ID+"/breaker/reset", nil); res.Status != 200 {
		t.Fatalf("reset: %d %s", res.Status, res.Body)
	}
	p := servertest.AuditOf(t, e.SignIn("compliance@acme.test"), "action=agent.&limit=200")
	var got []string
	for _, en := range p.Entries {
		got = append(got, en.Action+" "+en.Target+" "+en.ActorEmail)
	}
	want := []string{"agent.breaker_reset Audited bot admin@acme.test", "agent.key_revoked Audited bot admin@acme.test",
		"agent.key_created Audited bot admin@acme.test", "agent.updated Audited bot admin@acme.test", "agent.created Audited bot admin@acme.test"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("agent entries, newest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestAuditTrail_filters_and_keyset_paging: actor, action and a date range
// narrow the trail; pages follow an opaque cursor over (at, seq), newest
// first, and neither repeat nor skip an entry when new ones arrive meanwhile.
func TestAuditTrail_filters_and_keyset_paging(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	start := e.Clock.Now()
	for i := range 5 {
		e.Clock.Advance(time.Hour)
		servertest.Invite(t, admin, "p"+string(rune('a'+i))+"@acme.test", "viewer")
	}
	e.SignIn("compliance@acme.test")
	c := e.SignIn("compliance@acme.test")

	// paging: 2 + 2 + 1 invites, with an entry arriving between pages
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		q := "action=member.invited&limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := servertest.AuditOf(t, c, q)
		for _, en := range p.Entries {
			seen = append(seen, en.Target)
		}
		if pages == 0 {
			servertest.Invite(t, admin, "late@acme.test", "viewer") // newer than the cursor: not on later pages
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if got := strings.Join(seen, ","); got != "pe@acme.test,pd@acme.test,pc@acme.test,pb@acme.test,pa@acme.test" {
		t.Errorf("paged invites: %s", got)
	}
	// the same instant for many entries: seq breaks the tie, still stable
	all := servertest.AuditOf(t, c, "limit=200")
	for i := 1; i < len(all.Entries); i++ {
		a, b := all.Entries[i-1], all.Entries[i]
		if a.At.Before(b.At) || (a.At.Equal(b.At) && a.Seq < b.Seq) {
			t.Fatalf("not newest first at %d: %+v then %+v", i, a, b)
		}
	}
	byOne := []int64{}
	for cur := ""; ; {
		q := "limit=1"
		if cur != "" {
			q += "&cursor=" + url.QueryEscape(cur)
		}
		p := servertest.AuditOf(t, c, q)
		for _, en := range p.Entries {
			byOne = append(byOne, en.Seq)
		}
		if p.NextCursor == nil {
			break
		}
		cur = *p.NextCursor
	}
	if len(byOne) != len(all.Entries) {
		t.Errorf("one by one %d entries, at once %d", len(byOne), len(all.Entries))
	}
	for i := range byOne {
		if i < len(all.Entries) && byOne[i] != all.Entries[i].Seq {
			t.Fatalf("one by one differs at %d", i)
		}
	}

	// filters
	if p := servertest.AuditOf(t, c, "actor=COMPLIANCE"); len(p.Entries) != 2 || p.Entries[0].Action != "auth.signed_in" {
		t.Errorf("actor filter: %+v", p.Entries)
	}
	from := start.Add(2 * time.Hour).UTC().Format(time.RFC3339Nano)
	to := start.Add(4 * time.Hour).UTC().Format(time.RFC3339Nano)
	p := servertest.AuditOf(t, c, "action=member.invited&from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to))
	if len(p.Entries) != 2 || p.Entries[0].Target != "pc@acme.test" || p.Entries[1].Target != "pb@acme.test" {
		t.Errorf("date range [+2h, +4h): %+v", p.Entries)
	}
	if p := servertest.AuditOf(t, c, "action=nothing.here"); len(p.Entries) != 0 || p.NextCursor != nil {
		t.Errorf("no match: %+v", p)
	}
	for q, field := range map[string]string{"cursor=bogus": "cursor", "from=" + url.QueryEscape(to) + "&to=" + url.QueryEscape(from): "to"} {
		if res := c.Do("GET", "/api/v1/audit?"+q, nil); res.Status != 400 || !strings.Contains(string(res.Body), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", q, res.Status, res.Body)
		}
	}
}

func TestAuditTrail_records_admin_actions_for_compliance_only_in_own_tenant(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	servertest.Invite(t, admin, "audited@acme.test", "viewer")
	id := admin.MemberID("viewer@acme.test")
	admin.Do("PATCH", "/api/v1/members/"+id, map[string]any{"roles": []string{"reviewer"}})

	res := e.SignIn("compliance@acme.test").Do("GET", "/api/v1/audit?limit=50", nil)
	if res.Status != 200 {
		t.Fatalf("audit: %d %s", res.Status, res.Body)
	}
	body := string(res.Body)
	for _, want := range []string{`"action":"auth.signed_in"`, `"action":"member.invited"`, `"target":"audited@acme.test"`,
		`"action":"member.roles_changed"`, `"before":["viewer"]`, `"after":["reviewer"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
	globex := e.SignIn("admin@globex.test").Do("GET", "/api/v1/audit", nil)
	if strings.Contains(string(globex.Body), "audited@acme.test") {
		t.Errorf("globex sees acme's audit trail")
	}
	page := e.SignIn("compliance@acme.test").Do("GET", "/api/v1/audit?limit=1", nil)
	if !strings.Contains(string(page.Body), `"next_cursor"`) {
		t.Errorf("first page of one has no cursor: %s", page.Body)
	}
	if res := e.SignIn("compliance@acme.test").Do("GET", "/api/v1/audit?limit=0", nil); res.Status != 400 || !strings.Contains(string(res.Body), `"field":"limit"`) {
		t.Errorf("limit=0: %d %s", res.Status, res.Body)
	}
	// append-only, enforced by the database itself
	if err := e.Owner.Conn(t.Context()).Exec(`UPDATE audit_log SET action = 'x'`).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE audit_log: %v, want refusal", err)
	}
	if err := e.Owner.Conn(t.Context()).Exec(`DELETE FROM audit_log`).Error; err == nil {
		t.Error("DELETE FROM audit_log succeeded")
	}
}
