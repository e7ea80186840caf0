// Package agents owns the AI agents of a tenant: their CRM connection, API
// keys (only a hash is kept), scopes, velocity caps, status and breaker.
package agents

import (
	"slices"
	"time"
)

// Agent is a program that proposes CRM changes through the gateway.
type Agent struct {
	ID                string
	TenantID          string
	ConnectionID      string
	ConnectionName    string
	Name              string
	Description       string
	Status            string // active | paused
	PausedReason      string
	VelocityCap       int // distinct records per rolling hour before the breaker trips
	HardCapMultiplier int // past VelocityCap × this, intake answers 429
	FieldCaps         map[string]int
	BreakerOpen       bool
	BreakerTrippedAt  *time.Time
	BreakerResetAt    *time.Time
	WebhookURL        string
	WebhookSecret     string // HMAC-SHA256 key the receiver verifies deliveries with
	WebhookError      string // the last delivery failure, if any
	CreatedAt         time.Time
	CreatedBy         *string // the member who created it: they never approve its proposals
	CatalogRevision   int64   // the connection's catalog revision, read with the agent by WithScopes
	Scopes            []Scope
	Keys              []Key
}

// HardCap is the number of distinct records per hour past which intake refuses.
func (a Agent) HardCap() int { return a.VelocityCap * a.HardCapMultiplier }

// Scope lets an agent perform operations on a field; "*" matches any object or field.
type Scope struct {
	Object     string   `json:"object"`
	Field      string   `json:"field"`
	Operations []string `json:"operations"`
}

// Allows reports whether the scopes permit op on object.field.
func Allows(scopes []Scope, object, field, op string) bool {
	for _, s := range scopes {
		if (s.Object == "*" || s.Object == object) && (s.Field == "*" || s.Field == field) && slices.Contains(s.Operations, op) {
			return true
		}
	}
	return false
}

// Names reports whether a scope names object.field itself, not through a
// wildcard: what it takes to read a critical or personal field.
func Names(scopes []Scope, object, field string) bool {
	for _, s := range scopes {
		if (s.Object == "*" || s.Object == object) && s.Field == field && len(s.Operations) > 0 {
			return true
		}
	}
	return false
}

// DefaultScopes is what a new agent may do: set and clear every field of its
// connection (field policies still decide what happens to each proposal).
func DefaultScopes() []Scope {
	return []Scope{{Object: "*", Field: "*", Operations: []string{"set", "clear"}}}
}

// Key is an API key as listed: never the secret itself.
type Key struct {
	ID         string
	AgentID    string
	Name       string
	Prefix     string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Caller is an authenticated agent on the agent API: its tenant comes from
// its key, never from the request.
type Caller struct {
	TenantID string
	AgentID  string
	KeyID    string
	// Agent is the agent as read with its key (with scopes and catalog
	// revision), so a request need not read it again; nil if not read.
	Agent *Agent
}

// Operations an agent can propose.
var Operations = []string{"set", "clear", "append"}
