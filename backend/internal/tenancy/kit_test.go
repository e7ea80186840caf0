package tenancy_test

import (
	"context"
	"testing"
	"time"

	"countersign/backend/internal/access"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/seed/seedtest"
	"countersign/backend/internal/tenancy"
)

const password = "countersign-demo"

// kit is the demo tenants and members (seed.Demo) with the identity and
// tenancy services on a fixed clock.
type kit struct {
	t     *testing.T
	ctx   context.Context
	owner *db.DB // the schema owner's: changes rows behind the services' backs
	ident *identity.Service
	svc   *tenancy.Service
}

func newKit(t *testing.T) *kit {
	t.Helper()
	ctx := context.Background()
	sdb := seedtest.Open(t)
	d := sdb.App
	enforcer, err := access.NewEnforcer(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFixed(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	ident := identity.NewService(d, audit.New(d), clk)
	return &kit{t: t, ctx: ctx, owner: sdb.Owner(t), ident: ident,
		svc: tenancy.NewService(d, ident, enforcer, audit.New(d), clk)}
}

// signIn signs email in (to tenant, or their first) and returns the session's principal.
func (k *kit) signIn(email, tenant string) identity.Principal {
	k.t.Helper()
	_, p, err := k.svc.SignIn(k.ctx, tenancy.LoginInput{Email: email, Password: password, Tenant: tenant, IP: "192.0.2.1"})
	if err != nil {
		k.t.Fatalf("signing in %s: %v", email, err)
	}
	return p
}

// as is the context of a request by p.
func (k *kit) as(p identity.Principal) context.Context {
	return db.WithUser(db.WithTenant(k.ctx, p.TenantID), p.UserID)
}

// member finds the membership id of email in p's tenant.
func (k *kit) member(p identity.Principal, email string) string {
	k.t.Helper()
	ms, err := k.svc.Members(k.as(p), p.TenantID)
	if err != nil {
		k.t.Fatal(err)
	}
	for _, m := range ms {
		if m.Email == email {
			return m.ID
		}
	}
	k.t.Fatalf("%s is not a member", email)
	return ""
}

func (k *kit) update(actor identity.Principal, email string, u tenancy.MemberUpdate) (tenancy.Member, error) {
	return k.svc.UpdateMember(k.as(actor), actor, k.member(actor, email), u)
}

func ptr[T any](v T) *T { return &v }
