package identity_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/server/servertest"
)

func TestLogin_success_sets_httponly_samesite_cookie(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.Anon()
	res := c.Do("POST", "/api/v1/auth/login", map[string]any{"email": "Admin@Acme.test ", "password": "countersign-demo"})
	if res.Status != 200 {
		t.Fatalf("status %d: %s", res.Status, res.Body)
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{"countersign_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	body := res.JSON(t)
	if body["tenant"].(map[string]any)["slug"] != "acme" {
		t.Errorf("opened tenant %v, want acme (the first)", body["tenant"])
	}
	if len(body["tenants"].([]any)) != 2 {
		t.Errorf("admin@acme.test should see both tenants for the switcher, got %v", body["tenants"])
	}
	if got := c.Do("GET", "/api/v1/session", nil); got.Status != 200 {
		t.Errorf("session after sign-in: %d", got.Status)
	}
}

func TestLogin_wrong_password_401_without_saying_which(t *testing.T) {
	e := servertest.NewEnv(t)
	wrong := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "admin@acme.test", "password": "nope"})
	unknown := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "ghost@acme.test", "password": "nope"})
	for _, res := range []servertest.Response{wrong, unknown} {
		if res.Status != 401 || res.Code() != "invalid_credentials" {
			t.Errorf("got %d %s, want 401 invalid_credentials", res.Status, res.Body)
		}
		if res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("content type %q", res.Header.Get("Content-Type"))
		}
	}
	if string(wrong.Body[strings.Index(string(wrong.Body), `"detail"`):strings.Index(string(wrong.Body), `"code"`)]) !=
		string(unknown.Body[strings.Index(string(unknown.Body), `"detail"`):strings.Index(string(unknown.Body), `"code"`)]) {
		t.Errorf("unknown and wrong-password answers differ: %s vs %s", wrong.Body, unknown.Body)
	}
}

func TestLogin_missing_fields_400_names_each_field(t *testing.T) {
	e := servertest.NewEnv(t)
	res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{})
	if res.Status != 400 || res.Code() != "validation_failed" {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
	for _, f := range []string{`"field":"email"`, `"field":"password"`} {
		if !strings.Contains(string(res.Body), f) {
			t.Errorf("errors lack %s: %s", f, res.Body)
		}
	}
}

func TestLogin_lockout_after_five_failures_429_then_unlocks(t *testing.T) {
	e := servertest.NewEnv(t)
	for i := 0; i < 5; i++ {
		if res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "bad"}); res.Status != 401 {
			t.Fatalf("failure %d: %d", i, res.Status)
		}
	}
	res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"})
	if res.Status != 429 || res.Code() != "login_locked" {
		t.Fatalf("right password while locked: %d %s, want 429 login_locked", res.Status, res.Body)
	}
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After on the lockout")
	}
	// other accounts are not affected
	e.SignIn("reviewer@acme.test")
	e.Clock.Advance(16 * time.Minute)
	e.SignIn("viewer@acme.test")
}

func TestCSRF_cookie_write_without_token_403(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.SignIn("admin@acme.test")
	body := map[string]any{"email": "new@acme.test", "roles": []string{"viewer"}}
	missing := c.DoWith("POST", "/api/v1/invites", body, map[string]string{"X-CSRF-Token": ""})
	if missing.Status != 403 || missing.Code() != "csrf_failed" {
		t.Errorf("no token: %d %s", missing.Status, missing.Body)
	}
	wrong := c.DoWith("POST", "/api/v1/invites", body, map[string]string{"X-CSRF-Token": "forged"})
	if wrong.Status != 403 || wrong.Code() != "csrf_failed" {
		t.Errorf("wrong token: %d %s", wrong.Status, wrong.Body)
	}
	foreign := c.DoWith("POST", "/api/v1/invites", body, map[string]string{"Origin": "https://evil.example"})
	if foreign.Status != 403 || foreign.Code() != "bad_origin" {
		t.Errorf("foreign origin: %d %s", foreign.Status, foreign.Body)
	}
	if ok := c.Do("POST", "/api/v1/invites", body); ok.Status != 201 {
		t.Errorf("with the token: %d %s", ok.Status, ok.Body)
	}
}

func TestLogout_ends_the_session(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.SignIn("reviewer@acme.test")
	if res := c.Do("POST", "/api/v1/auth/logout", nil); res.Status != 204 {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	if res := c.Do("GET", "/api/v1/session", nil); res.Status != 401 {
		t.Errorf("session after logout: %d", res.Status)
	}
}

func TestChangePassword_checks_current_and_ends_other_sessions(t *testing.T) {
	e := servertest.NewEnv(t)
	c := e.SignIn("viewer@acme.test")
	other := e.SignIn("viewer@acme.test")
	bad := c.Do("POST", "/api/v1/account/password", map[string]any{"current_password": "wrong", "new_password": "short"})
	if bad.Status != 400 || !strings.Contains(string(bad.Body), `"field":"current_password"`) || !strings.Contains(string(bad.Body), `"field":"new_password"`) {
		t.Fatalf("bad change: %d %s", bad.Status, bad.Body)
	}
	ok := c.Do("POST", "/api/v1/account/password", map[string]any{"current_password": "countersign-demo", "new_password": "a much longer passphrase"})
	if ok.Status != 204 {
		t.Fatalf("change: %d %s", ok.Status, ok.Body)
	}
	if res := other.Do("GET", "/api/v1/session", nil); res.Status != 401 {
		t.Errorf("the other session survived the password change: %d", res.Status)
	}
	if res := c.Do("GET", "/api/v1/session", nil); res.Status != 200 {
		t.Errorf("the changing session was ended: %d", res.Status)
	}
	if res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "a much longer passphrase"}); res.Status != 200 {
		t.Errorf("new password does not sign in: %d", res.Status)
	}
}

// TestLogin_parallel_wrong_passwords_are_all_counted fires twelve wrong
// passwords at once: no more than five may be checked, the rest are refused,
// and the account is locked afterwards.
func TestLogin_parallel_wrong_passwords_are_all_counted(t *testing.T) {
	e := servertest.NewEnv(t)
	statuses := make(chan int, 12)
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := e.AnonAt(fmt.Sprintf("198.51.100.%d", 10+i))
			statuses <- c.Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "wrong"}).Status
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
	if res := e.Anon().Do("POST", "/api/v1/auth/login", map[string]any{"email": "viewer@acme.test", "password": "countersign-demo"}); res.Status != 429 {
		t.Errorf("right password after the burst: %d, want 429", res.Status)
	}
}
