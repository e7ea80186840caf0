package tenancy

import (
	"context"
	"strings"

	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// LoginInput is what the sign-in form sends, plus where it came from.
type LoginInput struct {
	Email, Password string
	Tenant          string // a slug; empty opens the oldest membership
	IP, UserAgent   string
}

// SignIn checks the credentials (identity's lockout applies) and opens a
// session in the chosen tenant, or the user's oldest active membership. Only
// active memberships are offered. It returns the session token for the cookie.
func (s *Service) SignIn(ctx context.Context, in LoginInput) (string, identity.Principal, error) {
	u, err := s.identity.CheckCredentials(ctx, in.Email, in.Password, in.IP)
	if err != nil {
		return "", identity.Principal{}, err
	}
	ctx = db.WithUser(ctx, u.ID) // the user's memberships, in every tenant
	m, err := s.chooseTenant(ctx, u.ID, in.Tenant)
	if err != nil {
		return "", identity.Principal{}, err
	}
	return s.identity.SignIn(ctx, u, m.TenantID, in.IP, in.UserAgent)
}

func (s *Service) chooseTenant(ctx context.Context, userID, slug string) (Membership, error) {
	ms, err := s.store.ActiveMemberships(ctx, userID)
	if err != nil {
		return Membership{}, err
	}
	if len(ms) == 0 {
		return Membership{}, problem.Forbidden("no_membership", "This account is not an active member of any tenant.")
	}
	if slug == "" {
		return ms[0], nil
	}
	for _, m := range ms {
		if m.Slug == slug {
			return m, nil
		}
	}
	return Membership{}, problem.InvalidField("tenant", "you are not a member of %q", slug)
}

// SwitchTenant moves the caller's session to another tenant they are an
// active member of. Another tenant's slug answers exactly like an unknown one.
func (s *Service) SwitchTenant(ctx context.Context, p identity.Principal, slug string) (identity.Principal, error) {
	if strings.TrimSpace(slug) == "" {
		return p, problem.InvalidField("tenant", "is required")
	}
	ms, err := s.store.ActiveMemberships(ctx, p.UserID)
	if err != nil {
		return p, err
	}
	for _, m := range ms {
		if m.Slug == slug {
			return s.identity.MoveSession(ctx, p, m.TenantID)
		}
	}
	return p, problem.NotFound("tenant")
}

// CheckSession ends a session whose tenant no longer admits its user: their
// membership was disabled after the session opened (or while it was opening).
func (s *Service) CheckSession(ctx context.Context, p identity.Principal) error {
	ok, err := s.store.ActiveMember(ctx, p.TenantID, p.UserID)
	if err != nil || ok {
		return err
	}
	if err := s.identity.Logout(ctx, p); err != nil {
		return err
	}
	return problem.Unauthenticated("membership_disabled", "Your access to this tenant was disabled. Sign in again.")
}

// SessionView describes a session for the console: the user's tenants with
// their roles in each, and their permissions in the session's tenant.
func (s *Service) SessionView(ctx context.Context, p identity.Principal) (SessionView, error) {
	// p may be newer than the request (just signed in, or switched tenant)
	ctx = db.WithUser(db.WithTenant(ctx, p.TenantID), p.UserID)
	ms, err := s.store.ActiveMemberships(ctx, p.UserID)
	if err != nil {
		return SessionView{}, err
	}
	v := SessionView{Principal: p, Tenants: make([]TenantRoles, 0, len(ms)), Current: TenantRoles{Roles: []string{}}}
	for _, m := range ms {
		roles, err := s.roles.RolesOf(ctx, m.TenantID, p.UserID)
		if err != nil {
			return SessionView{}, err
		}
		t := TenantRoles{Membership: m, Roles: orEmpty(roles)}
		v.Tenants = append(v.Tenants, t)
		if m.TenantID == p.TenantID {
			v.Current = t
		}
	}
	if err := s.enforcer.Refresh(ctx); err != nil {
		return SessionView{}, err
	}
	perms, err := s.enforcer.Permissions(p.UserID, p.TenantID)
	v.Permissions = orEmpty(perms)
	return v, err
}
