// Package identity owns users, passwords and server-side sessions: sign-in with
// lockout, the session cookie, CSRF on cookie-authenticated writes, password change.
package identity

import (
	"context"
	"time"

	"countersign/backend/internal/platform/principal"
)

// User is a global identity; what it may do lives in tenant memberships.
type User struct {
	ID           string
	Email        string
	Name         string
	PasswordHash string
	CreatedAt    time.Time
}

// Principal is the signed-in caller (see platform/principal).
type Principal = principal.Principal

// Membership is an active membership of a user, as the directory reports it.
type Membership struct {
	TenantID string
	Slug     string
	Name     string
}

// Directory answers which tenants a user may open (tenancy implements it).
type Directory interface {
	ActiveMemberships(ctx context.Context, userID string) ([]Membership, error)
}

// Lockout policy for sign-in.
const (
	LockoutWindow      = 15 * time.Minute
	MaxFailuresByEmail = 5
	MaxFailuresByIP    = 50
	SessionIdleTimeout = 12 * time.Hour
	sessionTouchEvery  = time.Minute
)
