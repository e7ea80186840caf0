// Package tenancy owns tenants, memberships and invitations: who belongs to
// which tenant, with which roles, and how they join — and so which tenant a
// session may be in: sign-in's choice of tenant, switching tenants, the check
// on every request, and the console's view of a session. It builds on
// identity (users, passwords, sessions) and access (roles, permissions).
package tenancy

import (
	"time"

	"countersign/backend/internal/identity"
)

// Tenant is a customer organisation; every tenant-owned row carries its id.
type Tenant struct {
	ID        string
	Slug      string
	Name      string
	CreatedAt time.Time
}

// Member is a user's membership of a tenant, with roles.
type Member struct {
	ID        string
	TenantID  string
	UserID    string
	Email     string
	Name      string
	Roles     []string `gorm:"-"`
	Status    string   // active | disabled
	CreatedAt time.Time
}

// Membership is a tenant a user may open (their membership is active).
type Membership struct {
	TenantID string
	Slug     string
	Name     string
}

// TenantRoles is a tenant the user may open, with their roles in it.
type TenantRoles struct {
	Membership
	Roles []string
}

// SessionView is what the console is told of a session: who, in which tenant
// with which roles and permissions, and which other tenants they may switch to.
type SessionView struct {
	Principal   identity.Principal
	Tenants     []TenantRoles // every tenant the user may open, oldest membership first
	Current     TenantRoles   // the session's tenant
	Permissions []string      // in the session's tenant
}

// Invite is a pending invitation to join a tenant.
type Invite struct {
	ID         string
	TenantID   string
	Email      string
	Roles      []string `gorm:"-"`
	InvitedBy  string   // inviter's email
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
}

// Expired reports whether the invite can no longer be accepted.
func (i Invite) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// InviteTTL is how long an invite link works.
const InviteTTL = 7 * 24 * time.Hour

// Member statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)
