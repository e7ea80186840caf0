// Package audit keeps the append-only admin audit trail (sign-ins, invites,
// role changes, disables) through one recorder, and lists it per tenant.
// The table refuses UPDATE, DELETE and TRUNCATE (see migrations/00001).
package audit

import (
	"context"
	"encoding/json"
	"time"

	"countersign/backend/internal/platform/db"
)

// Entry is one audited action. Detail holds before/after values and context.
type Entry struct {
	Seq         int64
	TenantID    string // empty for actions that belong to no tenant
	At          time.Time
	ActorUserID string
	ActorEmail  string
	Action      string
	Target      string
	Detail      map[string]any
	IP          string
}

// Actions recorded by the platform.
const (
	SignedIn        = "auth.signed_in"
	SignInFailed    = "auth.sign_in_failed"
	SignInLocked    = "auth.locked_out"
	PasswordChanged = "auth.password_changed"
	MemberInvited   = "member.invited"
	InviteRevoked   = "member.invite_revoked"
	InviteAccepted  = "member.joined"
	RolesChanged    = "member.roles_changed"
	MemberDisabled  = "member.disabled"
	MemberEnabled   = "member.enabled"
	TenantRenamed   = "tenant.renamed"
	PolicyChanged   = "policy.changed"
	PoliciesBulk    = "policy.bulk_changed"
	PolicyImported  = "policy.imported"
)

// Log writes and reads the trail.
type Log struct{ db *db.DB }

// New returns the audit log.
func New(d *db.DB) *Log { return &Log{db: d} }

// Record appends an entry inside the caller's transaction, so the audit entry
// commits or rolls back with the change it describes.
func (l *Log) Record(ctx context.Context, e Entry) error {
	detail, err := json.Marshal(orEmpty(e.Detail))
	if err != nil {
		return err
	}
	return l.db.Conn(ctx).Exec(`
		INSERT INTO audit_log (tenant_id, at, actor_user_id, actor_email, action, target, detail, ip)
		VALUES (NULLIF(?, '')::uuid, ?, NULLIF(?, '')::uuid, ?, ?, ?, ?::jsonb, ?)`,
		e.TenantID, e.At, e.ActorUserID, e.ActorEmail, e.Action, e.Target, string(detail), e.IP).Error
}

const listSQL = `
SELECT seq, at, actor_email, action, target, detail
FROM audit_log
WHERE tenant_id = ? AND seq < ?
ORDER BY seq DESC
LIMIT ?`

// List returns the tenant's entries older than `before`, newest first.
func (l *Log) List(ctx context.Context, tenantID string, before int64, limit int) ([]Entry, error) {
	var rows []struct {
		Seq        int64
		At         time.Time
		ActorEmail string
		Action     string
		Target     string
		Detail     []byte
	}
	if err := l.db.Conn(ctx).Raw(listSQL, tenantID, before, limit).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{Seq: r.Seq, TenantID: tenantID, At: r.At, ActorEmail: r.ActorEmail, Action: r.Action, Target: r.Target}
		if err := json.Unmarshal(r.Detail, &out[i].Detail); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
