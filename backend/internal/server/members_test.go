package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// invite creates an invite as c and returns the token from its link.
func invite(t *testing.T, c *client, email string, roles ...string) string {
	t.Helper()
	res := c.do("POST", "/api/v1/invites", map[string]any{"email": email, "roles": roles})
	if res.status != 201 {
		t.Fatalf("invite %s: %d %s", email, res.status, res.body)
	}
	var inv struct{ URL string }
	json.Unmarshal(res.body, &inv)
	if !strings.HasPrefix(inv.URL, "http://console.test/invite/") {
		t.Fatalf("invite url %q does not point at the console", inv.URL)
	}
	return strings.TrimPrefix(inv.URL, "http://console.test/invite/")
}

func TestInvite_accept_then_role_change_applies_on_next_request(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	token := invite(t, admin, "Newbie@Acme.test", "viewer")

	preview := e.anon().do("GET", "/api/v1/invitations/"+token, nil)
	if preview.status != 200 || !strings.Contains(string(preview.body), `"existing_user":false`) || !strings.Contains(string(preview.body), `"tenant_name":"Acme Inc"`) {
		t.Fatalf("preview: %d %s", preview.status, preview.body)
	}
	newbie := e.anon()
	if res := newbie.do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "New Bie", "password": "short"}); res.status != 400 || !strings.Contains(string(res.body), `"field":"password"`) {
		t.Fatalf("short password: %d %s", res.status, res.body)
	}
	res := newbie.do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "New Bie", "password": "correct horse battery"})
	if res.status != 200 {
		t.Fatalf("accept: %d %s", res.status, res.body)
	}
	if perms := res.json(t)["permissions"]; !equalAny(perms, "changelog.read", "fields.read") {
		t.Errorf("viewer permissions = %v", perms)
	}
	if again := e.anon().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "X", "password": "correct horse battery"}); again.status != 410 || again.code() != "invite_used" {
		t.Errorf("second accept: %d %s", again.status, again.body)
	}
	if res := newbie.do("GET", "/api/v1/members", nil); res.status != 403 {
		t.Fatalf("viewer lists members: %d", res.status)
	}
	id := admin.memberID("newbie@acme.test")
	if res := admin.do("PATCH", "/api/v1/members/"+id, map[string]any{"roles": []string{"admin"}}); res.status != 200 {
		t.Fatalf("make admin: %d %s", res.status, res.body)
	}
	if res := newbie.do("GET", "/api/v1/members", nil); res.status != 200 {
		t.Errorf("after promotion, the very next request: %d, want 200", res.status)
	}
}

func TestInvite_validation_names_each_field(t *testing.T) {
	e := newEnv(t)
	res := e.signIn("admin@acme.test").do("POST", "/api/v1/invites", map[string]any{"email": "not-an-email", "roles": []string{"superuser"}})
	if res.status != 400 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	for _, want := range []string{`"field":"email"`, `"field":"roles"`, "superuser"} {
		if !strings.Contains(string(res.body), want) {
			t.Errorf("missing %s in %s", want, res.body)
		}
	}
	dup := e.signIn("admin@acme.test").do("POST", "/api/v1/invites", map[string]any{"email": "viewer@acme.test", "roles": []string{"viewer"}})
	if dup.status != 409 || dup.code() != "already_member" {
		t.Errorf("inviting a member: %d %s", dup.status, dup.body)
	}
}

func TestInvite_expired_and_revoked_links_410(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	old := invite(t, admin, "late@acme.test", "viewer")
	e.clock.Advance(8 * 24 * time.Hour)
	if res := e.anon().do("GET", "/api/v1/invitations/"+old, nil); res.status != 410 || res.code() != "invite_expired" {
		t.Errorf("expired: %d %s", res.status, res.body)
	}
	admin = e.signIn("admin@acme.test")
	revoked := invite(t, admin, "nope@acme.test", "viewer")
	list := admin.do("GET", "/api/v1/invites", nil)
	var out struct{ Invites []struct{ ID, Email string } }
	json.Unmarshal(list.body, &out)
	for _, inv := range out.Invites {
		if inv.Email == "nope@acme.test" {
			if res := admin.do("DELETE", "/api/v1/invites/"+inv.ID, nil); res.status != 204 {
				t.Fatalf("revoke: %d %s", res.status, res.body)
			}
		}
	}
	if res := e.anon().do("POST", "/api/v1/invitations/"+revoked+"/accept", map[string]any{"name": "N", "password": "correct horse battery"}); res.status != 410 || res.code() != "invite_revoked" {
		t.Errorf("revoked: %d %s", res.status, res.body)
	}
	if res := e.anon().do("GET", "/api/v1/invitations/garbage", nil); res.status != 404 {
		t.Errorf("unknown token: %d", res.status)
	}
}

func TestInvite_existing_user_joins_with_own_password(t *testing.T) {
	e := newEnv(t)
	token := invite(t, e.signIn("admin@globex.test"), "reviewer@acme.test", "reviewer")
	if res := e.anon().do("GET", "/api/v1/invitations/"+token, nil); !strings.Contains(string(res.body), `"existing_user":true`) {
		t.Fatalf("preview: %s", res.body)
	}
	if res := e.anon().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "wrong password!!"}); res.status != 401 || res.code() != "invalid_credentials" {
		t.Fatalf("wrong password: %d %s, want sign-in's 401 invalid_credentials", res.status, res.body)
	}
	c := e.anon()
	res := c.do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "countersign-demo"})
	if res.status != 200 || res.json(t)["tenant"].(map[string]any)["slug"] != "globex" {
		t.Fatalf("accept: %d %s", res.status, res.body)
	}
	if n := len(res.json(t)["tenants"].([]any)); n != 2 {
		t.Errorf("tenants after joining = %d, want 2", n)
	}
}

func TestDisableMember_ends_their_session_and_blocks_sign_in(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	viewer := e.signIn("viewer@acme.test")
	id := admin.memberID("viewer@acme.test")
	if res := admin.do("PATCH", "/api/v1/members/"+id, map[string]any{"status": "disabled"}); res.status != 200 || !strings.Contains(string(res.body), `"status":"disabled"`) {
		t.Fatalf("disable: %d %s", res.status, res.body)
	}
	if res := viewer.do("GET", "/api/v1/session", nil); res.status != 401 {
		t.Errorf("disabled member's session: %d, want 401", res.status)
	}
	if res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"}); res.status != 403 || res.code() != "no_membership" {
		t.Errorf("disabled member signs in: %d %s", res.status, res.body)
	}
	if res := admin.do("PATCH", "/api/v1/members/"+id, map[string]any{"status": "active"}); res.status != 200 {
		t.Fatalf("enable: %d", res.status)
	}
	e.signIn("viewer@acme.test")
}

func TestUpdateMember_keeps_an_admin_and_refuses_self_lockout(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	self := admin.memberID("admin@acme.test")
	if res := admin.do("PATCH", "/api/v1/members/"+self, map[string]any{"roles": []string{"viewer"}}); res.status != 409 || res.code() != "self_lockout" {
		t.Errorf("demote self: %d %s", res.status, res.body)
	}
	if res := admin.do("PATCH", "/api/v1/members/"+self, map[string]any{"status": "disabled"}); res.status != 409 || res.code() != "self_lockout" {
		t.Errorf("disable self: %d %s", res.status, res.body)
	}
	if res := admin.do("GET", "/api/v1/members", nil); !strings.Contains(string(res.body), `"roles":["admin"]`) {
		t.Errorf("a refused change was half-applied: %s", res.body)
	}
	// a second admin may be demoted; the last one is protected by the guard
	other := admin.memberID("reviewer@acme.test")
	if res := admin.do("PATCH", "/api/v1/members/"+other, map[string]any{"roles": []string{"admin", "reviewer", "reviewer"}}); res.status != 200 || !strings.Contains(string(res.body), `"roles":["admin","reviewer"]`) {
		t.Fatalf("promote: %d %s", res.status, res.body)
	}
	if res := admin.do("PATCH", "/api/v1/members/"+other, map[string]any{"roles": []string{"reviewer"}}); res.status != 200 {
		t.Fatalf("demote the second admin: %d %s", res.status, res.body)
	}
}

func TestAuditTrail_records_admin_actions_for_compliance_only_in_own_tenant(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	invite(t, admin, "audited@acme.test", "viewer")
	id := admin.memberID("viewer@acme.test")
	admin.do("PATCH", "/api/v1/members/"+id, map[string]any{"roles": []string{"reviewer"}})

	res := e.signIn("compliance@acme.test").do("GET", "/api/v1/audit?limit=50", nil)
	if res.status != 200 {
		t.Fatalf("audit: %d %s", res.status, res.body)
	}
	body := string(res.body)
	for _, want := range []string{`"action":"auth.signed_in"`, `"action":"member.invited"`, `"target":"audited@acme.test"`,
		`"action":"member.roles_changed"`, `"before":["viewer"]`, `"after":["reviewer"]`} {
		if !strings.Contains(body, want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
	globex := e.signIn("admin@globex.test").do("GET", "/api/v1/audit", nil)
	if strings.Contains(string(globex.body), "audited@acme.test") {
		t.Errorf("globex sees acme's audit trail")
	}
	page := e.signIn("compliance@acme.test").do("GET", "/api/v1/audit?limit=1", nil)
	if !strings.Contains(string(page.body), `"next_cursor"`) {
		t.Errorf("first page of one has no cursor: %s", page.body)
	}
	if res := e.signIn("compliance@acme.test").do("GET", "/api/v1/audit?limit=0", nil); res.status != 400 || !strings.Contains(string(res.body), `"field":"limit"`) {
		t.Errorf("limit=0: %d %s", res.status, res.body)
	}
	// append-only, enforced by the database itself
	if err := e.owner.Conn(t.Context()).Exec(`UPDATE audit_log SET action = 'x'`).Error; err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE audit_log: %v, want refusal", err)
	}
	if err := e.owner.Conn(t.Context()).Exec(`DELETE FROM audit_log`).Error; err == nil {
		t.Error("DELETE FROM audit_log succeeded")
	}
}

func TestTenantSettings_rename_is_audited(t *testing.T) {
	e := newEnv(t)
	admin := e.signIn("admin@acme.test")
	if res := admin.do("PATCH", "/api/v1/tenant", map[string]any{"name": " "}); res.status != 400 || !strings.Contains(string(res.body), `"field":"name"`) {
		t.Errorf("blank name: %d %s", res.status, res.body)
	}
	if res := admin.do("PATCH", "/api/v1/tenant", map[string]any{"name": "Acme Corp"}); res.status != 200 || !strings.Contains(string(res.body), `"name":"Acme Corp"`) {
		t.Fatalf("rename: %d %s", res.status, res.body)
	}
	if res := admin.do("GET", "/api/v1/audit", nil); !strings.Contains(string(res.body), `"before":"Acme Inc"`) {
		t.Errorf("rename not audited: %s", res.body)
	}
}

func equalAny(v any, want ...string) bool {
	got, ok := v.([]any)
	if !ok || len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestInvite_accept_cannot_brute_force_an_existing_accounts_password: an
// admin who invites another tenant's user holds a link that checks that
// user's password; it is counted and locked out exactly like sign-in, and a
// wrong password is answered exactly like a wrong sign-in.
func TestInvite_accept_cannot_brute_force_an_existing_accounts_password(t *testing.T) {
	e := newEnv(t)
	token := invite(t, e.signIn("admin@globex.test"), "reviewer@acme.test", "reviewer")
	for i := 0; i < 5; i++ {
		res := e.anon().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": fmt.Sprintf("guess number %d", i)})
		login := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@acme.test", "password": "guess"})
		if res.status != 401 || res.code() != login.code() {
			t.Fatalf("guess %d: %d %s; a wrong sign-in answers %d %s", i, res.status, res.body, login.status, login.body)
		}
	}
	res := e.anon().do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "countersign-demo"})
	if res.status != 429 || res.code() != "login_locked" {
		t.Fatalf("the right password after five guesses: %d %s, want 429 login_locked", res.status, res.body)
	}
	// the guesses count towards the account's sign-in lockout too
	if res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "reviewer@acme.test", "password": "countersign-demo"}); res.status != 429 {
		t.Errorf("sign-in after five invite guesses: %d, want 429", res.status)
	}
}
