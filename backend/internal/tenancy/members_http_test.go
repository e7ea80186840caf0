package tenancy_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"countersign/backend/internal/server/servertest"
)

func TestInvite_accept_then_role_change_applies_on_next_request(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	token := servertest.Invite(t, admin, "Newbie@Acme.test", "viewer")

	preview := e.Anon().Do("GET", "/api/v1/invitations/"+token, nil)
	if preview.Status != 200 || !strings.Contains(string(preview.Body), `"existing_user":false`) || !strings.Contains(string(preview.Body), `"tenant_name":"Acme Inc"`) {
		t.Fatalf("preview: %d %s", preview.Status, preview.Body)
	}
	newbie := e.Anon()
	if res := newbie.Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "New Bie", "password": "short"}); res.Status != 400 || !strings.Contains(string(res.Body), `"field":"password"`) {
		t.Fatalf("short password: %d %s", res.Status, res.Body)
	}
	res := newbie.Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "New Bie", "password": "correct horse battery"})
	if res.Status != 200 {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	if perms := res.JSON(t)["permissions"]; !equalAny(perms, "changelog.read", "fields.read") {
		t.Errorf("viewer permissions = %v", perms)
	}
	if again := e.Anon().Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"name": "X", "password": "correct horse battery"}); again.Status != 410 || again.Code() != "invite_used" {
		t.Errorf("second accept: %d %s", again.Status, again.Body)
	}
	if res := newbie.Do("GET", "/api/v1/members", nil); res.Status != 403 {
		t.Fatalf("viewer lists members: %d", res.Status)
	}
	id := admin.MemberID("newbie@acme.test")
	if res := admin.Do("PATCH", "/api/v1/members/"+id, map[string]any{"roles": []string{"admin"}}); res.Status != 200 {
		t.Fatalf("make admin: %d %s", res.Status, res.Body)
	}
	if res := newbie.Do("GET", "/api/v1/members", nil); res.Status != 200 {
		t.Errorf("after promotion, the very next request: %d, want 200", res.Status)
	}
}

func TestInvite_validation_names_each_field(t *testing.T) {
	e := servertest.NewEnv(t)
	res := e.SignIn("admin@acme.test").Do("POST", "/api/v1/invites", map[string]any{"email": "not-an-email", "roles": []string{"superuser"}})
	if res.Status != 400 {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	for _, want := range []string{`"field":"email"`, `"field":"roles"`, "superuser"} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("missing %s in %s", want, res.Body)
		}
	}
	dup := e.SignIn("admin@acme.test").Do("POST", "/api/v1/invites", map[string]any{"email": "viewer@acme.test", "roles": []string{"viewer"}})
	if dup.Status != 409 || dup.Code() != "already_member" {
		t.Errorf("inviting a member: %d %s", dup.Status, dup.Body)
	}
}

func TestInvite_expired_and_revoked_links_410(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	old := servertest.Invite(t, admin, "late@acme.test", "viewer")
	e.Clock.Advance(8 * 24 * time.Hour)
	if res := e.Anon().Do("GET", "/api/v1/invitations/"+old, nil); res.Status != 410 || res.Code() != "invite_expired" {
		t.Errorf("expired: %d %s", res.Status, res.Body)
	}
	admin = e.SignIn("admin@acme.test")
	revoked := servertest.Invite(t, admin, "nope@acme.test", "viewer")
	list := admin.Do("GET", "/api/v1/invites", nil)
	var out struct{ Invites []struct{ ID, Email string } }
	json.Unmarshal(list.Body, &out)
	for _, inv := range out.Invites {
		if inv.Email == "nope@acme.test" {
			if res := admin.Do("DELETE", "/api/v1/invites/"+inv.ID, nil); res.Status != 204 {
				t.Fatalf("revoke: %d %s", res.Status, res.Body)
			}
		}
	}
	if res := e.Anon().Do("POST", "/api/v1/invitations/"+revoked+"/accept", map[string]any{"name": "N", "password": "correct horse battery"}); res.Status != 410 || res.Code() != "invite_revoked" {
		t.Errorf("revoked: %d %s", res.Status, res.Body)
	}
	if res := e.Anon().Do("GET", "/api/v1/invitations/garbage", nil); res.Status != 404 {
		t.Errorf("unknown token: %d", res.Status)
	}
}

func TestInvite_existing_user_joins_with_own_password(t *testing.T) {
	e := servertest.NewEnv(t)
	token := servertest.Invite(t, e.SignIn("admin@globex.test"), "reviewer@acme.test", "reviewer")
	if res := e.Anon().Do("GET", "/api/v1/invitations/"+token, nil); !strings.Contains(string(res.Body), `"existing_user":true`) {
		t.Fatalf("preview: %s", res.Body)
	}
	if res := e.Anon().Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "wrong password!!"}); res.Status != 401 || res.Code() != "invalid_credentials" {
		t.Fatalf("wrong password: %d %s, want sign-in's 401 invalid_credentials", res.Status, res.Body)
	}
	c := e.Anon()
	res := c.Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "countersign-demo"})
	if res.Status != 200 || res.JSON(t)["tenant"].(map[string]any)["slug"] != "globex" {
		t.Fatalf("accept: %d %s", res.Status, res.Body)
	}
	if n := len(res.JSON(t)["tenants"].([]any)); n != 2 {
		t.Errorf("tenants after joining = %d, want 2", n)
	}
}

func TestDisableMember_ends_their_session_and_blocks_sign_in(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	viewer := e.SignIn("viewer@acme.test")
	id := admin.MemberID("viewer@acme.test")
	if res := admin.Do("PATCH", "/api/v1/members/"+id, map[string]any{"status": "disabled"}); res.Status != 200 || !strings.Contains(string(res.Body), `"status":"disabled"`) {
		t.Fatalf("disable: %d %s", res.Status, res.Body)
	}
	if res := viewer.Do("GET", "/api/v1/session", nil); res.Status != 401 {
		t.Errorf("disabled member's session: %d, want 401", res.Status)
	}
	if res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"}); res.Status != 403 || res.Code() != "no_membership" {
		t.Errorf("disabled member signs in: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("PATCH", "/api/v1/members/"+id, map[string]any{"status": "active"}); res.Status != 200 {
		t.Fatalf("enable: %d", res.Status)
	}
	e.SignIn("viewer@acme.test")
}

func TestUpdateMember_keeps_an_admin_and_refuses_self_lockout(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	self := admin.MemberID("admin@acme.test")
	if res := admin.Do("PATCH", "/api/v1/members/"+self, map[string]any{"roles": []string{"viewer"}}); res.Status != 409 || res.Code() != "self_lockout" {
		t.Errorf("demote self: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("PATCH", "/api/v1/members/"+self, map[string]any{"status": "disabled"}); res.Status != 409 || res.Code() != "self_lockout" {
		t.Errorf("disable self: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("GET", "/api/v1/members", nil); !strings.Contains(string(res.Body), `"roles":["admin"]`) {
		t.Errorf("a refused change was half-applied: %s", res.Body)
	}
	// a second admin may be demoted; the last one is protected by the guard
	other := admin.MemberID("reviewer@acme.test")
	if res := admin.Do("PATCH", "/api/v1/members/"+other, map[string]any{"roles": []string{"admin", "reviewer", "reviewer"}}); res.Status != 200 || !strings.Contains(string(res.Body), `"roles":["admin","reviewer"]`) {
		t.Fatalf("promote: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("PATCH", "/api/v1/members/"+other, map[string]any{"roles": []string{"reviewer"}}); res.Status != 200 {
		t.Fatalf("demote the second admin: %d %s", res.Status, res.Body)
	}
}

func TestTenantSettings_rename_is_audited(t *testing.T) {
	e := servertest.NewEnv(t)
	admin := e.SignIn("admin@acme.test")
	if res := admin.Do("PATCH", "/api/v1/tenant", map[string]any{"name": " "}); res.Status != 400 || !strings.Contains(string(res.Body), `"field":"name"`) {
		t.Errorf("blank name: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("PATCH", "/api/v1/tenant", map[string]any{"name": "Acme Corp"}); res.Status != 200 || !strings.Contains(string(res.Body), `"name":"Acme Corp"`) {
		t.Fatalf("rename: %d %s", res.Status, res.Body)
	}
	if res := admin.Do("GET", "/api/v1/audit", nil); !strings.Contains(string(res.Body), `"before":"Acme Inc"`) {
		t.Errorf("rename not audited: %s", res.Body)
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
	e := servertest.NewEnv(t)
	token := servertest.Invite(t, e.SignIn("admin@globex.test"), "reviewer@acme.test", "reviewer")
	for i := 0; i < 5; i++ {
		res := e.Anon().Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": fmt.Sprintf("guess number %d", i)})
		login := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@acme.test", "password": "guess"})
		if res.Status != 401 || res.Code() != login.Code() {
			t.Fatalf("guess %d: %d %s; a wrong sign-in answers %d %s", i, res.Status, res.Body, login.Status, login.Body)
		}
	}
	res := e.Anon().Do("POST", "/api/v1/invitations/"+token+"/accept", map[string]any{"password": "countersign-demo"})
	if res.Status != 429 || res.Code() != "login_locked" {
		t.Fatalf("the right password after five guesses: %d %s, want 429 login_locked", res.Status, res.Body)
	}
	// the guesses count towards the account's sign-in lockout too
	if res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "reviewer@acme.test", "password": "countersign-demo"}); res.Status != 429 {
		t.Errorf("sign-in after five invite guesses: %d, want 429", res.Status)
	}
}
