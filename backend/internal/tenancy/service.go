package tenancy

import (
	"context"
	"slices"
	"strings"

	"countersign/backend/internal/access"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/identity"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Service manages tenants, members and invitations.
type Service struct {
	db       *db.DB
	store    *Store
	roles    *access.Store
	enforcer *access.Enforcer
	identity *identity.Service
	audit    *audit.Log
	clock    clock.Clock
}

// NewService wires the tenancy service.
func NewService(d *db.DB, ident *identity.Service, enforcer *access.Enforcer, log *audit.Log, c clock.Clock) *Service {
	return &Service{db: d, store: NewStore(d), roles: access.NewStore(d), enforcer: enforcer, identity: ident, audit: log, clock: c}
}

// Tenant returns the caller's current tenant.
func (s *Service) Tenant(ctx context.Context, tenantID string) (Tenant, error) {
	t, err := s.store.TenantByID(ctx, tenantID)
	if db.NotFound(err) {
		return t, problem.NotFound("tenant")
	}
	return t, err
}

// RenameTenant changes the tenant's display name.
func (s *Service) RenameTenant(ctx context.Context, actor identity.Principal, name string) (Tenant, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return Tenant{}, problem.InvalidField("name", "must be 1 to 200 characters")
	}
	var t Tenant
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		before, err := s.Tenant(ctx, actor.TenantID)
		if err != nil {
			return err
		}
		if err := s.store.RenameTenant(ctx, actor.TenantID, name); err != nil {
			return err
		}
		t = before
		t.Name = name
		return s.record(ctx, actor, audit.TenantRenamed, before.Slug, map[string]any{"before": before.Name, "after": name})
	})
	return t, err
}

// Members lists the tenant's members with their roles.
func (s *Service) Members(ctx context.Context, tenantID string) ([]Member, error) {
	ms, err := s.store.Members(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	roles, err := s.roles.RolesByUser(ctx, tenantID)
	for i := range ms {
		ms[i].Roles = orEmpty(roles[ms[i].UserID])
	}
	return ms, err
}

// MemberUpdate is a change to a member; nil fields stay as they are.
type MemberUpdate struct {
	Roles  *[]string
	Status *string
}

// UpdateMember changes a member's roles and/or status. The tenant always keeps
// an active admin, and nobody can lock themselves out.
func (s *Service) UpdateMember(ctx context.Context, actor identity.Principal, memberID string, u MemberUpdate) (Member, error) {
	if err := validateUpdate(u); err != nil {
		return Member{}, err
	}
	var out Member
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		// member changes of a tenant take turns, so each one's last-admin guard
		// sees the others' (two admins disabling each other at once would
		// otherwise both pass it)
		if err := s.store.LockMembers(ctx, actor.TenantID); err != nil {
			return err
		}
		m, err := s.lockMember(ctx, actor.TenantID, memberID)
		if err != nil {
			return err
		}
		if m.Roles, err = s.roles.RolesOf(ctx, actor.TenantID, m.UserID); err != nil {
			return err
		}
		if u.Roles != nil && !sameSet(*u.Roles, m.Roles) {
			if err := s.changeRoles(ctx, actor, &m, dedupe(*u.Roles)); err != nil {
				return err
			}
		}
		if u.Status != nil && *u.Status != m.Status {
			if err := s.changeStatus(ctx, actor, &m, *u.Status); err != nil {
				return err
			}
		}
		out = m
		return s.guardLastAdmin(ctx, actor.TenantID)
	})
	return out, err
}

func validateUpdate(u MemberUpdate) error {
	var f problem.Fields
	if u.Roles == nil && u.Status == nil {
		f.Add("roles", "send roles and/or status")
	}
	if u.Roles != nil {
		validateRoles(&f, "roles", *u.Roles)
	}
	if u.Status != nil && *u.Status != StatusActive && *u.Status != StatusDisabled {
		f.Add("status", "must be active or disabled")
	}
	return f.Err()
}

func validateRoles(f *problem.Fields, field string, roles []string) {
	if len(roles) == 0 {
		f.Add(field, "pick at least one role")
	}
	for i, r := range roles {
		if !access.ValidRole(r) {
			f.Add(field, "roles[%d]: %q is not a role (admin, reviewer, compliance, viewer)", i, r)
		}
	}
}

func (s *Service) lockMember(ctx context.Context, tenantID, id string) (Member, error) {
	if !db.IsUUID(id) {
		return Member{}, problem.NotFound("member")
	}
	m, err := s.store.Member(ctx, tenantID, id)
	if db.NotFound(err) {
		return m, problem.NotFound("member")
	}
	return m, err
}

func (s *Service) changeRoles(ctx context.Context, actor identity.Principal, m *Member, roles []string) error {
	if m.UserID == actor.UserID && slices.Contains(m.Roles, string(access.Admin)) && !slices.Contains(roles, string(access.Admin)) {
		return problem.Conflict("self_lockout", "You cannot remove your own admin role; ask another admin.")
	}
	if err := s.roles.SetRoles(ctx, actor.TenantID, m.UserID, roles); err != nil {
		return err
	}
	before := m.Roles
	m.Roles = roles
	return s.record(ctx, actor, audit.RolesChanged, m.Email, map[string]any{"before": before, "after": roles})
}

func (s *Service) changeStatus(ctx context.Context, actor identity.Principal, m *Member, status string) error {
	if m.UserID == actor.UserID {
		return problem.Conflict("self_lockout", "You cannot disable your own membership.")
	}
	if err := s.store.SetMemberStatus(ctx, actor.TenantID, m.ID, status, s.clock.Now()); err != nil {
		return err
	}
	action := audit.MemberEnabled
	if status == StatusDisabled {
		action = audit.MemberDisabled
		if err := s.identity.EndSessionsIn(ctx, actor.TenantID, m.UserID); err != nil {
			return err
		}
	}
	before := m.Status
	m.Status = status
	return s.record(ctx, actor, action, m.Email, map[string]any{"before": before, "after": status})
}

func (s *Service) guardLastAdmin(ctx context.Context, tenantID string) error {
	admins, err := s.roles.UsersWithRole(ctx, tenantID, access.Admin)
	if err != nil {
		return err
	}
	n, err := s.store.CountActive(ctx, tenantID, admins)
	if err != nil {
		return err
	}
	if n == 0 {
		return problem.Conflict("last_admin", "The tenant must keep at least one active admin.")
	}
	return nil
}

func (s *Service) record(ctx context.Context, actor identity.Principal, action, target string, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.clock.Now(), ActorUserID: actor.UserID,
		ActorEmail: actor.Email, Action: action, Target: target, Detail: detail, IP: actor.IP})
}

func sameSet(a, b []string) bool {
	a, b = dedupe(a), dedupe(b)
	return slices.Equal(a, b)
}

func dedupe(roles []string) []string {
	out := slices.Clone(roles)
	slices.Sort(out)
	return slices.Compact(out)
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
