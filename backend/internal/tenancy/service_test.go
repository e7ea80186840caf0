package tenancy_test

import (
	"testing"

	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/tenancy"
)

// The guard counts admins whose membership is active: a disabled admin
// cannot run the tenant.
func TestUpdateMember_keeps_an_active_admin(t *testing.T) {
	k := newKit(t)
	admin := k.signIn("admin@acme.test", "")
	if _, err := k.update(admin, "reviewer@acme.test", tenancy.MemberUpdate{Roles: &[]string{"admin"}}); err != nil {
		t.Fatalf("a second admin: %v", err)
	}
	if _, err := k.update(admin, "reviewer@acme.test", tenancy.MemberUpdate{Status: ptr(tenancy.StatusDisabled)}); err != nil {
		t.Fatalf("disabling the second admin: %v", err)
	}
	other := k.signIn("compliance@acme.test", "")
	_, err := k.update(other, "admin@acme.test", tenancy.MemberUpdate{Roles: &[]string{"viewer"}})
	if !problem.Is(err, "last_admin") {
		t.Fatalf("demoting the last active admin: %v, want last_admin", err)
	}
	ms, err := k.svc.Members(k.as(admin), admin.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == "admin@acme.test" && (len(m.Roles) != 1 || m.Roles[0] != "admin") {
			t.Errorf("the refused demotion was applied: %v", m.Roles)
		}
	}
	if _, err := k.update(admin, "reviewer@acme.test", tenancy.MemberUpdate{Status: ptr(tenancy.StatusActive)}); err != nil {
		t.Fatal(err)
	}
	if _, err := k.update(other, "admin@acme.test", tenancy.MemberUpdate{Roles: &[]string{"viewer"}}); err != nil {
		t.Errorf("demoting an admin while another is active: %v", err)
	}
}
