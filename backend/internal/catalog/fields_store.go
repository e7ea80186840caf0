package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/crm"
)

// fieldRow is a catalog field joined with its policy and connection.
type fieldRow struct {
	ID                  string
	TenantID            string
	ConnectionID        string
	ConnectionName      string
	Object              string
	Name                string
	Label               string
	Type                string
	RawType             string
	Options             string
	ReadOnly            bool
	CRMSensitivity      string `gorm:"column:crm_sensitivity"`
	Archived            bool
	Custom              bool
	Description         string
	DefinitionHash      string
	FirstSeenAt         time.Time
	LastSeenAt          time.Time
	Sensitivity         string
	Mode                string
	ConfidenceThreshold float64
	EvidenceRequired    bool
	SLAMinutes          *int `gorm:"column:sla_minutes"`
	Tags                string
	Decided             bool
	Reason              string
	PolicyUpdatedAt     time.Time
	Total               int
}

func (r fieldRow) field() (Field, error) {
	f := Field{ID: r.ID, TenantID: r.TenantID, ConnectionID: r.ConnectionID, ConnectionName: r.ConnectionName,
		FirstSeenAt: r.FirstSeenAt, LastSeenAt: r.LastSeenAt,
		Field: crm.Field{Object: r.Object, Name: r.Name, Label: r.Label, Type: crm.FieldType(r.Type), RawType: r.RawType,
			ReadOnly: r.ReadOnly, Sensitivity: r.CRMSensitivity, Archived: r.Archived, Custom: r.Custom, Description: r.Description},
		Policy: Policy{Sensitivity: r.Sensitivity, Mode: r.Mode, ConfidenceThreshold: r.ConfidenceThreshold,
			EvidenceRequired: r.EvidenceRequired, SLAMinutes: r.SLAMinutes, Decided: r.Decided, Reason: r.Reason,
			UpdatedAt: r.PolicyUpdatedAt, Tags: []string{}},
	}
	if err := decodeJSON("crm_fields.options", r.Options, &f.Options); err != nil {
		return Field{}, fmt.Errorf("field %s.%s (%s): %w", r.Object, r.Name, r.ID, err)
	}
	if err := decodeJSON("field_policies.tags", r.Tags, &f.Policy.Tags); err != nil {
		return Field{}, fmt.Errorf("field %s.%s (%s): %w", r.Object, r.Name, r.ID, err)
	}
	return f, nil
}

const fieldSQL = `
SELECT f.id, f.tenant_id, f.connection_id, c.name AS connection_name, f.object, f.name, f.label, f.type, f.raw_type,
       f.options::text AS options, f.read_only, f.crm_sensitivity, f.archived, f.custom, f.description, f.definition_hash,
       f.first_seen_at, f.last_seen_at, p.sensitivity, p.mode, p.confidence_threshold::float8 AS confidence_threshold,
       p.evidence_required, p.sla_minutes, to_json(p.tags)::text AS tags, p.decided, p.reason, p.updated_at AS policy_updated_at`

const fieldFrom = `
FROM crm_fields f
JOIN crm_connections c ON c.id = f.connection_id AND c.tenant_id = f.tenant_id
JOIN field_policies p ON p.field_id = f.id AND p.tenant_id = f.tenant_id
WHERE f.tenant_id = ?`

var fieldSorts = map[string]string{
	"":            "f.object, f.name",
	"object":      "f.object, f.name",
	"name":        "f.name, f.object",
	"label":       "lower(f.label), f.object",
	"sensitivity": "array_position(ARRAY['critical','high','medium','low'], p.sensitivity), f.object, f.name",
	"mode":        "array_position(ARRAY['blocked','two_person','review','auto'], p.mode), f.object, f.name",
	"updated":     "p.updated_at DESC, f.object, f.name",
}

// ListFields pages through the catalog with the filter; it returns the total matching.
func (s *Store) ListFields(ctx context.Context, tenantID string, q FieldFilter) ([]Field, int, error) {
	where, args := fieldWhere(tenantID, q)
	order, ok := fieldSorts[q.Sort]
	if !ok {
		return nil, 0, fmt.Errorf("unknown sort %q", q.Sort)
	}
	sql := fieldSQL + `, count(*) OVER () AS total` + fieldFrom + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	var rows []fieldRow
	if err := s.db.Conn(ctx).Raw(sql, append(args, q.Limit, q.Offset)...).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Field, len(rows))
	total := 0
	for i, r := range rows {
		f, err := r.field()
		if err != nil {
			return nil, 0, err
		}
		out[i], total = f, r.Total
	}
	if len(rows) == 0 && q.Offset > 0 {
		var n int
		err := s.db.Conn(ctx).Raw(`SELECT count(*)`+fieldFrom+where, args...).Scan(&n).Error
		return out, n, err
	}
	return out, total, nil
}

func fieldWhere(tenantID string, q FieldFilter) (string, []any) {
	var b strings.Builder
	args := []any{tenantID}
	add := func(cond string, vals ...any) { b.WriteString(" AND " + cond); args = append(args, vals...) }
	if q.ConnectionID != "" {
		add("f.connection_id = ?", q.ConnectionID)
	}
	if q.Object != "" {
		add("f.object = ?", q.Object)
	}
	if q.Sensitivity != "" {
		add("p.sensitivity = ?", q.Sensitivity)
	}
	if q.Mode != "" {
		add("p.mode = ?", q.Mode)
	}
	if q.Tag != "" {
		add("? = ANY (p.tags)", q.Tag)
	}
	if q.NeedsDecision {
		add("NOT p.decided")
	}
	switch q.CRMSensitivity {
	case "":
	case "any":
		add("f.crm_sensitivity <> ''")
	default:
		add("f.crm_sensitivity = ?", q.CRMSensitivity)
	}
	if !q.Archived {
		add("NOT f.archived")
	}
	if q.Query != "" {
		like := "%" + escapeLike(q.Query) + "%"
		add("(f.name ILIKE ? OR f.label ILIKE ? OR f.object ILIKE ?)", like, like, like)
	}
	return b.String(), args
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Field finds one field of the tenant.
func (s *Store) Field(ctx context.Context, tenantID, id string) (Field, error) {
	var r fieldRow
	if err := s.db.Conn(ctx).Raw(fieldSQL+fieldFrom+` AND f.id = ?`, tenantID, id).Take(&r).Error; err != nil {
		return Field{}, err
	}
	return r.field()
}

// ConnectionFields lists every field of a connection (archived included), for syncs and exports.
func (s *Store) ConnectionFields(ctx context.Context, tenantID, connectionID string) ([]Field, []string, error) {
	var rows []fieldRow
	if err := s.db.Conn(ctx).Raw(fieldSQL+fieldFrom+` AND f.connection_id = ? ORDER BY f.object, f.name`, tenantID, connectionID).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	out := make([]Field, len(rows))
	hashes := make([]string, len(rows))
	for i, r := range rows {
		f, err := r.field()
		if err != nil {
			return nil, nil, err
		}
		out[i], hashes[i] = f, r.DefinitionHash
	}
	return out, hashes, nil
}

// Versions lists a field's definition changes, newest first.
func (s *Store) Versions(ctx context.Context, tenantID, fieldID string) ([]DefinitionChange, error) {
	var rows []struct {
		At     time.Time
		Change string
		Detail string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT at, change, detail::text AS detail FROM crm_field_versions
		WHERE tenant_id = ? AND field_id = ? ORDER BY seq DESC LIMIT 100`, tenantID, fieldID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]DefinitionChange, len(rows))
	for i, r := range rows {
		out[i] = DefinitionChange{At: r.At, Change: r.Change}
		if err := decodeJSON("crm_field_versions.detail", r.Detail, &out[i].Detail); err != nil {
			return nil, fmt.Errorf("field %s's %s of %s: %w", fieldID, r.Change, r.At.Format(time.RFC3339), err)
		}
	}
	return out, nil
}

// PolicyHistory lists a field's policy changes, newest first.
func (s *Store) PolicyHistory(ctx context.Context, tenantID, fieldID string) ([]PolicyChange, error) {
	var rows []struct {
		At         time.Time
		ActorEmail string
		Source     string
		Before     *string
		After      string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT at, actor_email, source, before::text AS before, after::text AS after
		FROM field_policy_history WHERE tenant_id = ? AND field_id = ? ORDER BY seq DESC LIMIT 200`, tenantID, fieldID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]PolicyChange, len(rows))
	for i, r := range rows {
		out[i] = PolicyChange{At: r.At, ActorEmail: r.ActorEmail, Source: r.Source}
		err := decodeJSON("field_policy_history.after", r.After, &out[i].After)
		if err == nil && r.Before != nil {
			out[i].Before = &Policy{}
			err = decodeJSON("field_policy_history.before", *r.Before, out[i].Before)
		}
		if err != nil {
			return nil, fmt.Errorf("field %s's policy change of %s: %w", fieldID, r.At.Format(time.RFC3339), err)
		}
	}
	return out, nil
}

// CountUndecided counts a connection's live fields still awaiting a decision.
func (s *Store) CountUndecided(ctx context.Context, tenantID, connectionID string) (int, error) {
	var n int
	err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM crm_fields f JOIN field_policies p ON p.field_id = f.id
		WHERE f.tenant_id = ? AND f.connection_id = ? AND NOT f.archived AND NOT p.decided`, tenantID, connectionID).Scan(&n).Error
	return n, err
}
