package server_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLogin_success_sets_httponly_samesite_cookie(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	res := c.do("POST", "/api/v1/auth/login", map[string]any{"email": "Admin@Acme.test ", "password": "countersign-demo"})
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	cookie := res.header.Get("Set-Cookie")
	for _, want := range []string{"countersign_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	body := res.json(t)
	if body["tenant"].(map[string]any)["slug"] != "acme" {
		t.Errorf("opened tenant %v, want acme (the first)", body["tenant"])
	}
	if len(body["tenants"].([]any)) != 2 {
		t.Errorf("admin@acme.test should see both tenants for the switcher, got %v", body["tenants"])
	}
	if got := c.do("GET", "/api/v1/session", nil); got.status != 200 {
		t.Errorf("session after sign-in: %d", got.status)
	}
}

func TestLogin_wrong_password_401_without_saying_which(t *testing.T) {
	e := newEnv(t)
	wrong := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "admin@acme.test", "password": "nope"})
	unknown := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "ghost@acme.test", "password": "nope"})
	for _, res := range []response{wrong, unknown} {
		if res.status != 401 || res.code() != "invalid_credentials" {
			t.Errorf("got %d %s, want 401 invalid_credentials", res.status, res.body)
		}
		if res.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("content type %q", res.header.Get("Content-Type"))
		}
	}
	if string(wrong.body[strings.Index(string(wrong.body), `"detail"`):strings.Index(string(wrong.body), `"code"`)]) !=
		string(unknown.body[strings.Index(string(unknown.body), `"detail"`):strings.Index(string(unknown.body), `"code"`)]) {
		t.Errorf("unknown and wrong-password answers differ: %s vs %s", wrong.body, unknown.body)
	}
}

func TestLogin_missing_fields_400_names_each_field(t *testing.T) {
	e := newEnv(t)
	res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{})
	if res.status != 400 || res.code() != "validation_failed" {
		t.Fatalf("got %d %s", res.status, res.body)
	}
	for _, f := range []string{`"field":"email"`, `"field":"password"`} {
		if !strings.Contains(string(res.body), f) {
			t.Errorf("errors lack %s: %s", f, res.body)
		}
	}
}

func TestLogin_lockout_after_five_failures_429_then_unlocks(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		if res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "bad"}); res.status != 401 {
			t.Fatalf("failure %d: %d", i, res.status)
		}
	}
	res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"})
	if res.status != 429 || res.code() != "login_locked" {
		t.Fatalf("right password while locked: %d %s, want 429 login_locked", res.status, res.body)
	}
	if res.header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the lockout")
	}
	// other accounts are not affected
	e.signIn("reviewer@acme.test")
	e.clock.Advance(16 * time.Minute)
	e.signIn("viewer@acme.test")
}

func TestCSRF_cookie_write_without_token_403(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin@acme.test")
	body := map[string]any{"email": "new@acme.test", "roles": []string{"viewer"}}
	missing := c.doWith("POST", "/api/v1/invites", body, map[string]string{"X-CSRF-Token": ""})
	if missing.status != 403 || missing.code() != "csrf_failed" {
		t.Errorf("no token: %d %s", missing.status, missing.body)
	}
	wrong := c.doWith("POST", "/api/v1/invites", body, map[string]string{"X-CSRF-Token": "forged"})
	if wrong.status != 403 || wrong.code() != "csrf_failed" {
		t.Errorf("wrong token: %d %s", wrong.status, wrong.body)
	}
	foreign := c.doWith("POST", "/api/v1/invites", body, map[string]string{"Origin": "https://evil.example"})
	if foreign.status != 403 || foreign.code() != "bad_origin" {
		t.Errorf("foreign origin: %d %s", foreign.status, foreign.body)
	}
	if ok := c.do("POST", "/api/v1/invites", body); ok.status != 201 {
		t.Errorf("with the token: %d %s", ok.status, ok.body)
	}
}

func TestLogout_ends_the_session(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("reviewer@acme.test")
	if res := c.do("POST", "/api/v1/auth/logout", nil); res.status != 204 {
		t.Fatalf("logout: %d %s", res.status, res.body)
	}
	if res := c.do("GET", "/api/v1/session", nil); res.status != 401 {
		t.Errorf("session after logout: %d", res.status)
	}
}

func TestChangePassword_checks_current_and_ends_other_sessions(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("viewer@acme.test")
	other := e.signIn("viewer@acme.test")
	bad := c.do("POST", "/api/v1/account/password", map[string]any{"current_password": "wrong", "new_password": "short"})
	if bad.status != 400 || !strings.Contains(string(bad.body), `"field":"current_password"`) || !strings.Contains(string(bad.body), `"field":"new_password"`) {
		t.Fatalf("bad change: %d %s", bad.status, bad.body)
	}
	ok := c.do("POST", "/api/v1/account/password", map[string]any{"current_password": "countersign-demo", "new_password": "a much longer passphrase"})
	if ok.status != 204 {
		t.Fatalf("change: %d %s", ok.status, ok.body)
	}
	if res := other.do("GET", "/api/v1/session", nil); res.status != 401 {
		t.Errorf("the other session survived the password change: %d", res.status)
	}
	if res := c.do("GET", "/api/v1/session", nil); res.status != 200 {
		t.Errorf("the changing session was ended: %d", res.status)
	}
	if res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "a much longer passphrase"}); res.status != 200 {
		t.Errorf("new password does not sign in: %d", res.status)
	}
}

func TestSwitchTenant_changes_roles_and_foreign_slug_404(t *testing.T) {
	e := newEnv(t)
	c := e.signIn("admin@acme.test")
	res := c.do("PUT", "/api/v1/session/tenant", map[string]any{"tenant": "globex"})
	if res.status != 200 {
		t.Fatalf("switch: %d %s", res.status, res.body)
	}
	if roles := res.json(t)["roles"].([]any); len(roles) != 1 || roles[0] != "viewer" {
		t.Errorf("roles in globex = %v, want [viewer]", roles)
	}
	if res := c.do("GET", "/api/v1/members", nil); res.status != 403 {
		t.Errorf("a globex viewer listing members: %d, want 403", res.status)
	}
	g := e.signIn("admin@globex.test")
	if res := g.do("PUT", "/api/v1/session/tenant", map[string]any{"tenant": "acme"}); res.status != 404 {
		t.Errorf("switching to a tenant one is not in: %d, want 404", res.status)
	}
}

func TestPlatformEndpoints(t *testing.T) {
	e := newEnv(t)
	c := e.anon()
	for path, want := range map[string]string{
		"/healthz":                `"status":"ok"`,
		"/readyz":                 `"status":"ready"`,
		"/api/openapi.json":       `"x-permission":"members.manage"`,
		"/api/agent/openapi.json": `"/proposals"`,
	} {
		res := c.do("GET", path, nil)
		if res.status != 200 || !strings.Contains(string(res.body), want) {
			t.Errorf("GET %s: %d %.200s", path, res.status, res.body)
		}
	}
	c.do("GET", "/api/v1/session", nil)
	// /metrics is served on its own listener (loopback by default), never on the public one
	if res := c.do("GET", "/metrics", nil); res.status == 200 && strings.Contains(string(res.body), "countersign_http_requests_total") {
		t.Errorf("the public listener serves /metrics: %d", res.status)
	}
	res, err := e.srv.Metrics.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(res.Body)
	for _, want := range []string{`countersign_http_requests_total{method="GET",route="/api/v1/session",status="401"}`, `go_sql_max_open_connections{db_name="countersign"}`} {
		if !strings.Contains(string(m), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if res := c.do("GET", "/api/v1/no-such-thing", nil); res.status != 404 || res.code() != "not_found" {
		t.Errorf("unknown API route: %d %s", res.status, res.body)
	}
	if res := c.do("GET", "/members", nil); res.status != 200 || !strings.Contains(res.header.Get("Content-Type"), "text/html") {
		t.Errorf("SPA fallback: %d %s", res.status, res.header.Get("Content-Type"))
	}
}

// TestLogin_parallel_wrong_passwords_are_all_counted fires twelve wrong
// passwords at once: no more than five may be checked, the rest are refused,
// and the account is locked afterwards.
func TestLogin_parallel_wrong_passwords_are_all_counted(t *testing.T) {
	e := newEnv(t)
	statuses := make(chan int, 12)
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := &client{e: e, ip: fmt.Sprintf("198.51.100.%d", 10+i)}
			statuses <- c.do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "wrong"}).status
		}(i)
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[401] != 5 || count[429] != 7 {
		t.Errorf("twelve parallel wrong passwords: %v, want exactly 5 checked (401) and 7 refused (429)", count)
	}
	if res := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"}); res.status != 429 {
		t.Errorf("right password after the burst: %d, want 429", res.status)
	}
}
