package identity_test

import (
	"context"
	"testing"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/seed/seedtest"
)

const password = "countersign-demo"

// kit is the demo users and tenants (seed.Demo) and the identity service on a fixed clock.
type kit struct {
	ctx     context.Context
	svc     *identity.Service
	clock   *clock.Fixed
	tenants map[string]string // slug → id
}

func newKit(t *testing.T) *kit {
	t.Helper()
	ctx := context.Background()
	sdb := seedtest.Open(t)
	d := sdb.App
	var rows []struct{ ID, Slug string }
	if err := sdb.Owner(t).Conn(ctx).Raw(`SELECT id, slug FROM tenants`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	k := &kit{ctx: ctx, clock: clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), tenants: map[string]string{}}
	for _, r := range rows {
		k.tenants[r.Slug] = r.ID
	}
	k.svc = identity.NewService(d, audit.New(d), k.clock)
	return k
}

func TestCheckCredentials_locks_an_account_out_after_five_failures(t *testing.T) {
	k := newKit(t)
	if _, err := k.svc.CheckCredentials(k.ctx, "nobody@acme.test", password, "192.0.2.1"); !problem.Is(err, "invalid_credentials") {
		t.Errorf("an unknown email: %v, want it answered as a wrong password", err)
	}
	for i := range identity.MaxFailuresByEmail {
		if _, err := k.svc.CheckCredentials(k.ctx, "Viewer@acme.test ", "wrong password", "192.0.2.1"); !problem.Is(err, "invalid_credentials") {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	if _, err := k.svc.CheckCredentials(k.ctx, "viewer@acme.test", password, "192.0.2.2"); !problem.Is(err, "login_locked") {
		t.Fatalf("the right password while locked out: %v, want login_locked", err)
	}
	k.clock.Advance(identity.LockoutWindow)
	u, err := k.svc.CheckCredentials(k.ctx, "viewer@acme.test", password, "192.0.2.2")
	if err != nil || u.Email != "viewer@acme.test" {
		t.Fatalf("after the lockout window: %v %v", u, err)
	}
}

func TestCheckCredentials_a_success_clears_the_failures(t *testing.T) {
	k := newKit(t)
	fail := func(n int) {
		t.Helper()
		for range n {
			if _, err := k.svc.CheckCredentials(k.ctx, "viewer@acme.test", "wrong password", "192.0.2.1"); !problem.Is(err, "invalid_credentials") {
				t.Fatal(err)
			}
		}
	}
	fail(identity.MaxFailuresByEmail - 1)
	if _, err := k.svc.CheckCredentials(k.ctx, "viewer@acme.test", password, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	fail(identity.MaxFailuresByEmail - 1)
	if _, err := k.svc.CheckCredentials(k.ctx, "viewer@acme.test", password, "192.0.2.1"); err != nil {
		t.Errorf("after a success and %d more failures: %v", identity.MaxFailuresByEmail-1, err)
	}
}

func TestSignIn_opens_a_session_that_moves_between_tenants_and_ends(t *testing.T) {
	k := newKit(t)
	u, err := k.svc.CheckCredentials(k.ctx, "admin@acme.test", password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	token, p, err := k.svc.SignIn(k.ctx, u, k.tenants["acme"], "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.svc.Authenticate(k.ctx, token)
	if err != nil || got.UserID != u.ID || got.TenantID != k.tenants["acme"] || got.CSRFToken != p.CSRFToken {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	ctx := db.WithUser(db.WithTenant(k.ctx, p.TenantID), p.UserID)
	if _, err := k.svc.MoveSession(ctx, p, k.tenants["globex"]); err != nil {
		t.Fatal(err)
	}
	if got, err := k.svc.Authenticate(k.ctx, token); err != nil || got.TenantID != k.tenants["globex"] {
		t.Fatalf("after moving: %+v %v, want the globex tenant", got, err)
	}
	if err := k.svc.Logout(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.Authenticate(k.ctx, token); !problem.Is(err, "unauthenticated") {
		t.Errorf("after signing out: %v, want unauthenticated", err)
	}
}
