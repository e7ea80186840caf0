// Package identity owns users, passwords and server-side sessions: the
// credential check with lockout, the session cookie, CSRF on
// cookie-authenticated writes, password change. Which tenant a session may be
// in is tenancy's to say (tenancy imports identity, never the reverse).
package identity

import (
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

// Lockout policy for sign-in.
const (
	LockoutWindow      = 15 * time.Minute
	MaxFailuresByEmail = 5
	MaxFailuresByIP    = 50
	SessionIdleTimeout = 12 * time.Hour
	sessionTouchEvery  = time.Minute
)
