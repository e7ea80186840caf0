// Package principal carries who is calling through the request context, so
// every capability can read it without depending on identity.
package principal

import (
	"context"

	"countersign/backend/internal/platform/problem"
)

// Principal is a signed-in member, as established from the session cookie.
type Principal struct {
	UserID    string
	Email     string
	Name      string
	SessionID string
	TenantID  string // the session's current tenant
	CSRFToken string
	IP        string
}

type key struct{}

// With stores p in ctx.
func With(ctx context.Context, p Principal) context.Context { return context.WithValue(ctx, key{}, p) }

// From returns the caller, if signed in.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok
}

type clientKey struct{}

type client struct{ ip, userAgent string }

// WithClient records the caller's address and user agent, for handlers that
// have no principal yet (sign-in, invite acceptance).
func WithClient(ctx context.Context, ip, userAgent string) context.Context {
	return context.WithValue(ctx, clientKey{}, client{ip, userAgent})
}

// ClientIP is the caller's address.
func ClientIP(ctx context.Context) string { c, _ := ctx.Value(clientKey{}).(client); return c.ip }

// UserAgent is the caller's user agent.
func UserAgent(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(client)
	return c.userAgent
}

// Require returns the caller, or a 401 when the request has none: a handler
// never goes on as nobody with an empty tenant.
func Require(ctx context.Context) (Principal, error) {
	p, ok := From(ctx)
	if !ok || p.TenantID == "" {
		return Principal{}, problem.Unauthenticated("unauthenticated", "Sign in to continue.")
	}
	return p, nil
}
