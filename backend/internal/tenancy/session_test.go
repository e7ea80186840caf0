package tenancy_test

import (
	"slices"
	"testing"

	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/tenancy"
)

func TestSessionView_lists_each_tenant_with_its_roles(t *testing.T) {
	k := newKit(t)
	p := k.signIn("admin@acme.test", "")
	v, err := k.svc.SessionView(k.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := tenantRoles(v); !slices.Equal(got, []string{"acme:admin", "globex:viewer"}) {
		t.Errorf("tenants = %v, want acme as admin and globex as viewer", got)
	}
	if v.Current.Slug != "acme" || !slices.Contains(v.Permissions, "members.manage") {
		t.Errorf("current = %s with %v, want acme with members.manage", v.Current.Slug, v.Permissions)
	}

	p, err = k.svc.SwitchTenant(k.as(p), p, "globex")
	if err != nil {
		t.Fatal(err)
	}
	v, err = k.svc.SessionView(k.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if v.Current.Slug != "globex" || !slices.Equal(v.Current.Roles, []string{"viewer"}) ||
		!slices.Equal(v.Permissions, []string{"changelog.read", "fields.read"}) {
		t.Errorf("after switching: %s %v %v, want globex as a viewer", v.Current.Slug, v.Current.Roles, v.Permissions)
	}
}

func TestSignIn_offers_only_active_memberships(t *testing.T) {
	k := newKit(t)
	globex := k.signIn("admin@globex.test", "")
	if _, err := k.update(globex, "admin@acme.test", tenancy.MemberUpdate{Status: ptr(tenancy.StatusDisabled)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.svc.SignIn(k.ctx, tenancy.LoginInput{Email: "admin@acme.test", Password: password, Tenant: "globex"}); !problem.Is(err, "validation_failed") {
		t.Errorf("signing in to the disabled membership: %v, want validation_failed", err)
	}
	p := k.signIn("admin@acme.test", "")
	if _, err := k.svc.SwitchTenant(k.as(p), p, "globex"); !problem.Is(err, "not_found") {
		t.Errorf("switching to the disabled membership: %v, want not_found", err)
	}
	v, err := k.svc.SessionView(k.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if got := tenantRoles(v); !slices.Equal(got, []string{"acme:admin"}) {
		t.Errorf("tenants = %v, want acme alone", got)
	}

	acme := k.signIn("admin@acme.test", "acme")
	if _, err := k.update(acme, "viewer@acme.test", tenancy.MemberUpdate{Status: ptr(tenancy.StatusDisabled)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := k.svc.SignIn(k.ctx, tenancy.LoginInput{Email: "viewer@acme.test", Password: password}); !problem.Is(err, "no_membership") {
		t.Errorf("signing in without an active membership: %v, want no_membership", err)
	}
}

func TestCheckSession_ends_a_session_whose_membership_was_disabled(t *testing.T) {
	k := newKit(t)
	token, p, err := k.svc.SignIn(k.ctx, tenancy.LoginInput{Email: "viewer@acme.test", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	if err := k.svc.CheckSession(k.as(p), p); err != nil {
		t.Fatalf("an active member's session: %v", err)
	}
	// as if the session had opened while an admin disabled the membership
	if err := k.owner.Conn(k.ctx).Exec(`UPDATE memberships SET status = 'disabled' WHERE user_id = ?`, p.UserID).Error; err != nil {
		t.Fatal(err)
	}
	if err := k.svc.CheckSession(k.as(p), p); !problem.Is(err, "membership_disabled") {
		t.Fatalf("a disabled member's session: %v, want membership_disabled", err)
	}
	if _, err := k.ident.Authenticate(k.ctx, token); !problem.Is(err, "unauthenticated") {
		t.Errorf("the session after the check: %v, want it ended", err)
	}
}

func tenantRoles(v tenancy.SessionView) []string {
	var out []string
	for _, t := range v.Tenants {
		for _, r := range t.Roles {
			out = append(out, t.Slug+":"+r)
		}
	}
	return out
}
