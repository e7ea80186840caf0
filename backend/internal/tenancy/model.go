// Package tenancy owns tenants, memberships and invitations: who belongs to
// which tenant, with which roles, and how they join.
package tenancy

import "time"

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
