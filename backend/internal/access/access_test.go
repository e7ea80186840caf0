package access_test

import (
	"context"
	"slices"
	"testing"

	"countersign/backend/internal/access"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/dbtest"
)

const (
	tenantA = "5d0c6a52-6c38-4f51-9d53-4a8c3f0e0a01"
	tenantB = "5d0c6a52-6c38-4f51-9d53-4a8c3f0e0a02"
	user    = "9b1f0e4e-2d6a-4c7e-8f3b-1a2b3c4d5e6f"
)

// A role change made through one app copy's store is seen by another copy's
// enforcer on its next Refresh (the policy version moves), and only in the
// tenant it was made in.
func TestRoles_a_change_reaches_every_app_copy_and_stays_in_its_tenant(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, config.AppURL(dbtest.NewOwnerURL(t)))
	store := access.NewStore(d)
	if err := store.SyncGrants(ctx); err != nil {
		t.Fatal(err)
	}
	one, err := access.NewEnforcer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	two, err := access.NewEnforcer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	may := func(en *access.Enforcer, tenant string, p access.Permission) bool {
		t.Helper()
		if err := en.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		ok, err := en.Allowed(user, tenant, p)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if may(two, tenantA, access.ReviewWork) {
		t.Fatal("a user without roles may work the review queue")
	}
	if err := store.SetRoles(ctx, tenantA, user, []string{string(access.Reviewer)}); err != nil {
		t.Fatal(err)
	}
	if !may(two, tenantA, access.ReviewWork) || may(two, tenantA, access.MembersManage) {
		t.Error("the other app copy does not see the reviewer role as granted (review.work yes, members.manage no)")
	}
	if may(one, tenantB, access.ReviewWork) {
		t.Error("a role in tenant A grants review.work in tenant B")
	}
	// SetRoles replaces: from reviewer to viewer takes review.work away
	if err := store.SetRoles(ctx, tenantA, user, []string{string(access.Viewer)}); err != nil {
		t.Fatal(err)
	}
	if may(two, tenantA, access.ReviewWork) || !may(two, tenantA, access.FieldsRead) {
		t.Error("after the change to viewer: still reviewing, or not reading fields")
	}
	roles, err := store.RolesOf(ctx, tenantA, user)
	if err != nil || !slices.Equal(roles, []string{"viewer"}) {
		t.Errorf("roles in A: %v %v", roles, err)
	}
	if got := two.Roles(user, tenantA); !slices.Equal(got, []string{"viewer"}) {
		t.Errorf("the enforcer's roles in A: %v", got)
	}
}

// Every permission the spec's routes name is granted to some role, and every
// role's grants are permissions that exist: a typo would lock everyone out of
// a route, or grant nothing.
func TestGrants_name_only_permissions_that_exist(t *testing.T) {
	all := access.AllPermissions()
	granted := map[access.Permission]bool{}
	for role, perms := range access.Grants {
		if !access.ValidRole(string(role)) {
			t.Errorf("grants name role %q", role)
		}
		for _, p := range perms {
			if !slices.Contains(all, p) {
				t.Errorf("%s is granted %q, which is not a permission", role, p)
			}
			granted[p] = true
		}
	}
	for _, p := range all {
		if !granted[p] {
			t.Errorf("no role is granted %s", p)
		}
	}
}
