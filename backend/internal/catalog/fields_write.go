package catalog

import (
	"context"
	"encoding/json"
	"time"

	"countersign/backend/internal/crm"
)

// Writes are set-based: one statement per kind of change, whatever the number
// of fields, so a 5,000-field sync or bulk edit is a handful of round trips.

type fieldJSON struct {
	ID             string       `json:"id,omitempty"`
	Object         string       `json:"object"`
	Name           string       `json:"name"`
	Label          string       `json:"label"`
	Type           string       `json:"type"`
	RawType        string       `json:"raw_type"`
	Options        []crm.Option `json:"options"`
	ReadOnly       bool         `json:"read_only"`
	CRMSensitivity string       `json:"crm_sensitivity"`
	Archived       bool         `json:"archived"`
	Custom         bool         `json:"custom"`
	Description    string       `json:"description"`
	DefinitionHash string       `json:"definition_hash"`
}

func toFieldJSON(id string, f crm.Field) fieldJSON {
	opts := f.Options
	if opts == nil {
		opts = []crm.Option{}
	}
	return fieldJSON{ID: id, Object: f.Object, Name: f.Name, Label: f.Label, Type: string(f.Type), RawType: f.RawType,
		Options: opts, ReadOnly: f.ReadOnly, CRMSensitivity: f.Sensitivity, Archived: f.Archived, Custom: f.Custom,
		Description: f.Description, DefinitionHash: definitionHash(f)}
}

const fieldRecordset = `jsonb_to_recordset(?::jsonb) AS x(id uuid, object text, name text, label text, type text,
	raw_type text, options jsonb, read_only bool, crm_sensitivity text, archived bool, custom bool, description text,
	definition_hash text)`

// InsertFields adds new fields and returns their ids by object and name.
func (s *Store) InsertFields(ctx context.Context, tenantID, connectionID string, fields []crm.Field, now time.Time) (map[fieldKey]string, error) {
	rows := make([]fieldJSON, len(fields))
	for i, f := range fields {
		rows[i] = toFieldJSON("", f)
	}
	b, _ := json.Marshal(rows)
	var ids []struct{ ID, Object, Name string }
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO crm_fields (tenant_id, connection_id, object, name, label, type, raw_type, options, read_only,
		                        crm_sensitivity, archived, custom, description, definition_hash, first_seen_at, last_seen_at)
		SELECT ?, ?, x.object, x.name, x.label, x.type, x.raw_type, x.options, x.read_only, x.crm_sensitivity,
		       x.archived, x.custom, x.description, x.definition_hash, ?, ?
		FROM `+fieldRecordset+`
		RETURNING id, object, name`, tenantID, connectionID, now, now, string(b)).Scan(&ids).Error
	out := make(map[fieldKey]string, len(ids))
	for _, r := range ids {
		out[fieldKey{r.Object, r.Name}] = r.ID
	}
	return out, err
}

// UpdateDefinitions rewrites changed definitions (archiving and restoring included).
func (s *Store) UpdateDefinitions(ctx context.Context, tenantID string, ids []string, fields []crm.Field) error {
	if len(ids) == 0 {
		return nil
	}
	rows := make([]fieldJSON, len(ids))
	for i := range ids {
		rows[i] = toFieldJSON(ids[i], fields[i])
	}
	b, _ := json.Marshal(rows)
	return s.db.Conn(ctx).Exec(`
		UPDATE crm_fields f SET label = x.label, type = x.type, raw_type = x.raw_type, options = x.options,
		       read_only = x.read_only, crm_sensitivity = x.crm_sensitivity, archived = x.archived, custom = x.custom,
		       description = x.description, definition_hash = x.definition_hash
		FROM `+fieldRecordset+`
		WHERE f.tenant_id = ? AND f.id = x.id`, string(b), tenantID).Error
}

// TouchFields records that a sync saw the fields.
func (s *Store) TouchFields(ctx context.Context, tenantID string, ids []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	b, _ := json.Marshal(ids)
	return s.db.Conn(ctx).Exec(`UPDATE crm_fields SET last_seen_at = ?
		WHERE tenant_id = ? AND id IN (SELECT jsonb_array_elements_text(?::jsonb)::uuid)`, now, tenantID, string(b)).Error
}

type versionJSON struct {
	FieldID string         `json:"field_id"`
	Change  string         `json:"change"`
	Detail  map[string]any `json:"detail"`
}

// InsertVersions appends definition changes.
func (s *Store) InsertVersions(ctx context.Context, tenantID string, vs []versionJSON, now time.Time) error {
	if len(vs) == 0 {
		return nil
	}
	b, _ := json.Marshal(vs)
	return s.db.Conn(ctx).Exec(`
		INSERT INTO crm_field_versions (tenant_id, field_id, at, change, detail)
		SELECT ?, x.field_id, ?, x.change, COALESCE(x.detail, '{}'::jsonb)
		FROM jsonb_to_recordset(?::jsonb) AS x(field_id uuid, change text, detail jsonb)`, tenantID, now, string(b)).Error
}

type policyJSON struct {
	FieldID             string   `json:"field_id"`
	Sensitivity         string   `json:"sensitivity"`
	Mode                string   `json:"mode"`
	ConfidenceThreshold float64  `json:"confidence_threshold"`
	EvidenceRequired    bool     `json:"evidence_required"`
	SLAMinutes          *int     `json:"sla_minutes"`
	Tags                []string `json:"tags"`
	Decided             bool     `json:"decided"`
	Reason              string   `json:"reason"`
	Before              *Policy  `json:"before"`
	After               Policy   `json:"after"`
}

// PolicyWrite is one field's policy change.
type PolicyWrite struct {
	FieldID string
	Before  *Policy // nil for the first (default) policy
	After   Policy
}

// Actor is who changed policies, and how.
type Actor struct {
	UserID, Email string
	Source        string // default | console | bulk | import
}

const policyRecordset = `jsonb_to_recordset(?::jsonb) AS x(field_id uuid, sensitivity text, mode text,
	confidence_threshold numeric, evidence_required bool, sla_minutes int, tags text[], decided bool, reason text,
	before jsonb, after jsonb)`

// WritePolicies inserts or updates policies and appends one history row each,
// in the caller's transaction.
func (s *Store) WritePolicies(ctx context.Context, tenantID string, ws []PolicyWrite, who Actor, now time.Time) error {
	if len(ws) == 0 {
		return nil
	}
	rows := make([]policyJSON, len(ws))
	for i, w := range ws {
		p := w.After
		rows[i] = policyJSON{FieldID: w.FieldID, Sensitivity: p.Sensitivity, Mode: p.Mode, ConfidenceThreshold: p.ConfidenceThreshold,
			EvidenceRequired: p.EvidenceRequired, SLAMinutes: p.SLAMinutes, Tags: orEmpty(p.Tags), Decided: p.Decided,
			Reason: p.Reason, Before: w.Before, After: p}
	}
	// jsonb text[] needs a JSON array; tags are marshalled as one.
	b, _ := json.Marshal(rows)
	conn := s.db.Conn(ctx)
	err := conn.Exec(`
		INSERT INTO field_policies (field_id, tenant_id, sensitivity, mode, confidence_threshold, evidence_required,
		                            sla_minutes, tags, decided, reason, updated_at, updated_by)
		SELECT x.field_id, ?, x.sensitivity, x.mode, x.confidence_threshold, x.evidence_required, x.sla_minutes,
		       x.tags, x.decided, x.reason, ?, NULLIF(?, '')::uuid
		FROM `+policyRecordset+`
		ON CONFLICT (field_id) DO UPDATE SET sensitivity = EXCLUDED.sensitivity, mode = EXCLUDED.mode,
		       confidence_threshold = EXCLUDED.confidence_threshold, evidence_required = EXCLUDED.evidence_required,
		       sla_minutes = EXCLUDED.sla_minutes, tags = EXCLUDED.tags, decided = EXCLUDED.decided,
		       reason = EXCLUDED.reason, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
		WHERE field_policies.tenant_id = EXCLUDED.tenant_id`, tenantID, now, who.UserID, string(b)).Error
	if err != nil {
		return err
	}
	if err := conn.Exec(`
		INSERT INTO field_policy_history (tenant_id, field_id, at, actor_user_id, actor_email, source, before, after)
		SELECT ?, x.field_id, ?, NULLIF(?, '')::uuid, ?, ?, x.before, x.after
		FROM `+policyRecordset, tenantID, now, who.UserID, who.Email, who.Source, string(b)).Error; err != nil {
		return err
	}
	return conn.Exec(`
		UPDATE crm_connections SET catalog_revision = catalog_revision + 1
		WHERE tenant_id = ? AND id IN (SELECT f.connection_id FROM crm_fields f
		  WHERE f.tenant_id = ? AND f.id IN (SELECT (x->>'field_id')::uuid FROM jsonb_array_elements(?::jsonb) x))`,
		tenantID, tenantID, string(b)).Error
}

// BumpRevision marks a connection's catalog as changed.
func (s *Store) BumpRevision(ctx context.Context, tenantID, connectionID string) error {
	return s.db.Conn(ctx).Exec(`UPDATE crm_connections SET catalog_revision = catalog_revision + 1 WHERE tenant_id = ? AND id = ?`,
		tenantID, connectionID).Error
}

// Revision is a connection's catalog revision (db.NotFound for another tenant's).
func (s *Store) Revision(ctx context.Context, tenantID, connectionID string) (int64, error) {
	var row struct{ CatalogRevision int64 }
	err := s.db.Conn(ctx).Raw(`SELECT catalog_revision FROM crm_connections WHERE tenant_id = ? AND id = ?`, tenantID, connectionID).Take(&row).Error
	return row.CatalogRevision, err
}

// LockPolicies reads the tenant's fields' policies for update; ids not found
// (or another tenant's) are absent from the result.
func (s *Store) LockPolicies(ctx context.Context, tenantID string, ids []string) (map[string]Field, error) {
	b, _ := json.Marshal(ids)
	var rows []fieldRow
	err := s.db.Conn(ctx).Raw(fieldSQL+fieldFrom+` AND f.id IN (SELECT jsonb_array_elements_text(?::jsonb)::uuid)
		FOR UPDATE OF p`, tenantID, string(b)).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make(map[string]Field, len(rows))
	for _, r := range rows {
		if out[r.ID], err = r.field(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
