package server_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

type auditPage struct {
	Entries []struct {
		Seq        int64
		At         time.Time
		Action     string
		ActorEmail string `json:"actor_email"`
		Target     string
	}
	NextCursor *string `json:"next_cursor"`
}

func auditOf(t *testing.T, c *client, query string) auditPage {
	t.Helper()
	res := c.do("GET", "/api/v1/audit?"+query, nil)
	if res.status != 200 {
		t.Fatalf("audit?%s: %d %s", query, res.status, res.body)
	}
	var p auditPage
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAuditTrail_records_agent_actions_and_not_failed_ones: creating, pausing
// and updating an agent, creating and revoking its key and resetting its
// breaker each leave an entry; a refused change leaves none.
func TestAuditTrail_records_agent_actions_and_not_failed_ones(t *testing.T) {
	e := newEnv(t, true)
	admin := e.signIn("admin@acme.test")
	res := admin.do("POST", "/api/v1/agents", map[string]any{"name": "Audited bot"})
	if res.status != 201 {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var a struct{ ID string }
	json.Unmarshal(res.body, &a)
	if res := admin.do("POST", "/api/v1/agents", map[string]any{"name": "Audited bot"}); res.status < 400 {
		t.Fatalf("a duplicate name was accepted: %d", res.status)
	}
	if res := admin.do("PATCH", "/api/v1/agents/"+a.ID, map[string]any{"status": "paused", "paused_reason": "audit"}); res.status != 200 {
		t.Fatalf("pause: %d %s", res.status, res.body)
	}
	res = admin.do("POST", "/api/v1/agents/"+a.ID+"/keys", map[string]any{"name": "ci"})
	if res.status != 201 {
		t.Fatalf("key: %d %s", res.status, res.body)
	}
	var k struct{ ID string }
	json.Unmarshal(res.body, &k)
	if res := admin.do("DELETE", "/api/v1/agents/"+a.ID+"/keys/"+k.ID, nil); res.status >= 300 {
		t.Fatalf("revoke: %d %s", res.status, res.body)
	}
	var tenantID string
	e.owner.Conn(t.Context()).Raw(`SELECT tenant_id FROM agents WHERE id = ?`, a.ID).Scan(&tenantID)
	if tripped, err := e.srv.Agents.TripBreaker(e.as(tenantID), tenantID, a.ID, nil); err != nil || !tripped {
		t.Fatalf("trip: %v %v", tripped, err)
	}
	if res := admin.do("POST", "/api/v1/agents/"+a.ID+"/breaker/reset", nil); res.status != 200 {
		t.Fatalf("reset: %d %s", res.status, res.body)
	}
	p := auditOf(t, e.signIn("compliance@acme.test"), "action=agent.&limit=200")
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
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	start := e.clock.Now()
	for i := range 5 {
		e.clock.Advance(time.Hour)
		invite(t, admin, "p"+string(rune('a'+i))+"@acme.test", "viewer")
	}
	e.signIn("compliance@acme.test")
	c := e.signIn("compliance@acme.test")

	// paging: 2 + 2 + 1 invites, with an entry arriving between pages
	var seen []string
	cursor := ""
	for pages := 0; ; pages++ {
		q := "action=member.invited&limit=2"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := auditOf(t, c, q)
		for _, en := range p.Entries {
			seen = append(seen, en.Target)
		}
		if pages == 0 {
			invite(t, admin, "late@acme.test", "viewer") // newer than the cursor: not on later pages
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
	all := auditOf(t, c, "limit=200")
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
		p := auditOf(t, c, q)
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
	if p := auditOf(t, c, "actor=COMPLIANCE"); len(p.Entries) != 2 || p.Entries[0].Action != "auth.signed_in" {
		t.Errorf("actor filter: %+v", p.Entries)
	}
	from := start.Add(2 * time.Hour).UTC().Format(time.RFC3339Nano)
	to := start.Add(4 * time.Hour).UTC().Format(time.RFC3339Nano)
	p := auditOf(t, c, "action=member.invited&from="+url.QueryEscape(from)+"&to="+url.QueryEscape(to))
	if len(p.Entries) != 2 || p.Entries[0].Target != "pc@acme.test" || p.Entries[1].Target != "pb@acme.test" {
		t.Errorf("date range [+2h, +4h): %+v", p.Entries)
	}
	if p := auditOf(t, c, "action=nothing.here"); len(p.Entries) != 0 || p.NextCursor != nil {
		t.Errorf("no match: %+v", p)
	}
	for q, field := range map[string]string{"cursor=bogus": "cursor", "from=" + url.QueryEscape(to) + "&to=" + url.QueryEscape(from): "to"} {
		if res := c.do("GET", "/api/v1/audit?"+q, nil); res.status != 400 || !strings.Contains(string(res.body), `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", q, res.status, res.body)
		}
	}
}
