// Package audit keeps the append-only admin audit trail (sign-ins, invites,
// role changes, disables) through one recorder, and lists it per tenant.
// The table refuses UPDATE, DELETE and TRUNCATE (see migrations/00001).
package audit

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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

// Filter narrows the trail; zero fields match everything.
type Filter struct {
	Actor    string    // part of the actor's email, case-insensitive
	Action   string    // an action, or an action prefix ending in "."
	From, To time.Time // at >= From, at < To
}

// Cursor is a position in the trail: entries strictly older than (At, Seq)
// come next. The zero cursor starts at the newest entry.
type Cursor struct {
	At  time.Time
	Seq int64
}

// String encodes the cursor opaquely.
func (c Cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d.%d", c.At.UnixMicro(), c.Seq)))
}

// ParseCursor decodes a cursor made by Cursor.String.
func ParseCursor(s string) (Cursor, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, false
	}
	micros, seq, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, false
	}
	us, err1 := strconv.ParseInt(micros, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return Cursor{}, false
	}
	return Cursor{At: time.UnixMicro(us).UTC(), Seq: n}, true
}

// List returns up to limit of the tenant's entries after the cursor that
// match the filter, newest first by (at, seq): a stable order, so paging
// neither skips nor repeats an entry when new ones arrive.
func (l *Log) List(ctx context.Context, tenantID string, f Filter, after Cursor, limit int) ([]Entry, error) {
	var rows []struct {
		Seq        int64
		At         time.Time
		ActorEmail string
		Action     string
		Target     string
		Detail     []byte
	}
	q := l.db.Conn(ctx).Table("audit_log").Select("seq, at, actor_email, action, target, detail").
		Where("tenant_id = ?", tenantID)
	if !after.At.IsZero() {
		q = q.Where("(at, seq) < (?, ?)", after.At, after.Seq)
	}
	if f.Actor != "" {
		q = q.Where("strpos(lower(actor_email), lower(?)) > 0", f.Actor)
	}
	if strings.HasSuffix(f.Action, ".") {
		q = q.Where("starts_with(action, ?)", f.Action)
	} else if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	if err := q.Order("at DESC, seq DESC").Limit(limit).Scan(&rows).Error; err != nil {
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
