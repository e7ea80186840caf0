package tenancy_test

import (
	"sync"
	"testing"

	"countersign/backend/internal/identity"
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

// Two admins disabling each other at the same moment: one of them wins, the
// other is refused, and the tenant keeps an active admin. Without the
// per-tenant lock both transactions pass the guard, each seeing the other
// still active.
func TestUpdateMember_two_admins_disabling_each_other_at_once_leave_one_active(t *testing.T) {
	k := newKit(t)
	a := k.signIn("admin@acme.test", "")
	if _, err := k.update(a, "reviewer@acme.test", tenancy.MemberUpdate{Roles: &[]string{"admin"}}); err != nil {
		t.Fatal(err)
	}
	b := k.signIn("reviewer@acme.test", "")
	idA, idB := k.member(a, "admin@acme.test"), k.member(a, "reviewer@acme.test")
	disable := tenancy.MemberUpdate{Status: ptr(tenancy.StatusDisabled)}
	for round := 0; round < 10; round++ {
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, move := range []struct {
			by     identity.Principal
			target string
		}{{a, idB}, {b, idA}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = k.svc.UpdateMember(k.as(move.by), move.by, move.target, disable)
			}()
		}
		close(start)
		wg.Wait()
		if errs[0] == nil && errs[1] == nil {
			t.Fatalf("round %d: both admins disabled each other; the tenant has no active admin", round)
		}
		for i, err := range errs {
			if err != nil && !problem.Is(err, "last_admin") {
				t.Fatalf("round %d, move %d: %v", round, i, err)
			}
		}
		// the winner turns the other back on for the next round
		winner, loser := a, idB
		if errs[0] != nil {
			winner, loser = b, idA
		}
		if _, err := k.svc.UpdateMember(k.as(winner), winner, loser, tenancy.MemberUpdate{Status: ptr(tenancy.StatusActive)}); err != nil {
			t.Fatal(err)
		}
	}
}
