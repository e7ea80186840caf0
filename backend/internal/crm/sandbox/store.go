package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/db"
)

// store holds the sandbox CRM's SQL. Every query takes the tenant and the
// connection, so none can read another tenant's CRM.
type store struct{ db *db.DB }

func newStore(d *db.DB) *store { return &store{db: d} }

// isSandbox reports whether the connection exists, is the tenant's and is a sandbox.
func (s *store) isSandbox(ctx context.Context, tenantID, connectionID string) (bool, error) {
	if !db.IsUUID(tenantID) || !db.IsUUID(connectionID) {
		return false, nil
	}
	var ok bool
	err := s.db.Conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM crm_connections
		WHERE tenant_id = ? AND id = ? AND provider = 'sandbox')`, tenantID, connectionID).Scan(&ok).Error
	return ok, err
}

// provisioned reports whether the connection has its field definitions.
func (s *store) provisioned(ctx context.Context, tenantID, connectionID string) (bool, error) {
	var ok bool
	err := s.db.Conn(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM sandbox_fields WHERE tenant_id = ? AND connection_id = ?)`,
		tenantID, connectionID).Scan(&ok).Error
	return ok, err
}

// lockConnection serialises provisioning of one connection until the transaction ends.
func (s *store) lockConnection(ctx context.Context, connectionID string) error {
	return s.db.Conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtextextended('sandbox:' || ?, 0))`, connectionID).Error
}

const insertFieldsSQL = `
INSERT INTO sandbox_fields (tenant_id, connection_id, object, name, position, label, type, raw_type, options,
                            read_only, sensitivity, archived, custom, description)
SELECT ?, ?, f.object, f.name, f.position, f.label, f.type, f.raw_type, f.options,
       f.read_only, f.sensitivity, f.archived, f.custom, f.description
FROM jsonb_to_recordset(?::jsonb) AS f(object text, name text, position integer, label text, type text, raw_type text,
     options jsonb, read_only boolean, sensitivity text, archived boolean, custom boolean, description text)`

const insertRecordsSQL = `
INSERT INTO sandbox_records (tenant_id, connection_id, object, id, values, created_at, updated_at)
SELECT ?, ?, r.object, r.id, r.values, r.created_at, r.updated_at
FROM jsonb_to_recordset(?::jsonb) AS r(object text, id text, values jsonb, created_at timestamptz, updated_at timestamptz)`

const insertHistorySQL = `
INSERT INTO sandbox_history (tenant_id, connection_id, object, record_id, field, value, at, source, actor)
SELECT ?, ?, h.object, h.record_id, h.field, nullif(h.value, 'null'::jsonb), h.at, h.source, h.actor
FROM jsonb_to_recordset(?::jsonb) AS h(object text, record_id text, field text, value jsonb, at timestamptz,
     source text, actor text)
ORDER BY h.at`

// insertJSON runs one of the set-based inserts above over a JSON array of rows.
func (s *store) insertJSON(ctx context.Context, query, tenantID, connectionID, rows string) error {
	return s.db.Conn(ctx).Exec(query, tenantID, connectionID, rows).Error
}

type fieldRow struct {
	Object      string
	Name        string
	Label       string
	Type        string
	RawType     string
	Options     string
	ReadOnly    bool
	Sensitivity string
	Archived    bool
	Custom      bool
	Description string
}

// fields lists an object's field definitions in display order.
func (s *store) fields(ctx context.Context, tenantID, connectionID, object string) ([]crm.Field, error) {
	var rows []fieldRow
	err := s.db.Conn(ctx).Raw(`
		SELECT object, name, label, type, raw_type, options::text AS options, read_only, sensitivity, archived, custom, description
		FROM sandbox_fields WHERE tenant_id = ? AND connection_id = ? AND object = ?
		ORDER BY position, name`, tenantID, connectionID, object).Scan(&rows).Error
	out := make([]crm.Field, len(rows))
	for i, r := range rows {
		out[i] = crm.Field{Object: r.Object, Name: r.Name, Label: r.Label, Type: crm.FieldType(r.Type), RawType: r.RawType,
			ReadOnly: r.ReadOnly, Sensitivity: r.Sensitivity, Archived: r.Archived, Custom: r.Custom, Description: r.Description}
		if jerr := json.Unmarshal([]byte(r.Options), &out[i].Options); jerr != nil && err == nil {
			err = jerr
		}
	}
	return out, err
}

type recordRow struct {
	ID     string
	Values string
}

func (r recordRow) record(object string) (crm.Record, error) {
	rec := crm.Record{ID: r.ID}
	if err := json.Unmarshal([]byte(r.Values), &rec.Values); err != nil {
		return crm.Record{}, fmt.Errorf("sandbox %s record %s: decoding sandbox_records.values: %w", object, r.ID, err)
	}
	return rec, nil
}

func decodeRecords(object string, rows []recordRow, err error) ([]crm.Record, error) {
	if err != nil {
		return nil, err
	}
	out := make([]crm.Record, len(rows))
	for i, r := range rows {
		if out[i], err = r.record(object); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// recordsByID reads the records with the given ids, in id order.
func (s *store) recordsByID(ctx context.Context, tenantID, connectionID, object string, ids []string) ([]crm.Record, error) {
	var rows []recordRow
	err := s.db.Conn(ctx).Raw(`
		SELECT id, values::text AS values FROM sandbox_records
		WHERE tenant_id = ? AND connection_id = ? AND object = ?
		  AND id IN (SELECT jsonb_array_elements_text(?::jsonb))
		ORDER BY length(id), id`, tenantID, connectionID, object, jsonList(ids)).Scan(&rows).Error
	return decodeRecords(object, rows, err)
}

// page reads up to limit records after the cursor, in numeric id order,
// keeping those with a value containing q (any case) when q is set.
func (s *store) page(ctx context.Context, tenantID, connectionID, object, q, after string, limit int) ([]crm.Record, error) {
	var rows []recordRow
	err := s.db.Conn(ctx).Raw(`
		SELECT id, values::text AS values FROM sandbox_records
		WHERE tenant_id = ? AND connection_id = ? AND object = ?
		  AND (? = '' OR (length(id), id) > (length(?), ?))
		  AND (? = '' OR EXISTS (SELECT 1 FROM jsonb_each_text(values) e WHERE e.value ILIKE ?))
		ORDER BY length(id), id LIMIT ?`,
		tenantID, connectionID, object, after, after, after, q, "%"+escapeLike(q)+"%", limit).Scan(&rows).Error
	return decodeRecords(object, rows, err)
}

// lockRecord reads one record's values and locks it until the transaction ends.
func (s *store) lockRecord(ctx context.Context, tenantID, connectionID, object, id string) (crm.Record, bool, error) {
	var rows []recordRow
	err := s.db.Conn(ctx).Raw(`
		SELECT id, values::text AS values FROM sandbox_records
		WHERE tenant_id = ? AND connection_id = ? AND object = ? AND id = ? FOR UPDATE`,
		tenantID, connectionID, object, id).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return crm.Record{}, false, err
	}
	rec, err := rows[0].record(object)
	return rec, true, err
}

// setValues merges set into a record's values and removes the cleared fields.
func (s *store) setValues(ctx context.Context, tenantID, connectionID, object, id string, set map[string]any, clear []string, at time.Time) error {
	setJSON, err := json.Marshal(set)
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`
		UPDATE sandbox_records
		SET values = (values || ?::jsonb) - ARRAY(SELECT jsonb_array_elements_text(?::jsonb)), updated_at = ?
		WHERE tenant_id = ? AND connection_id = ? AND object = ? AND id = ?`,
		string(setJSON), jsonList(clear), at, tenantID, connectionID, object, id).Error
}

// historyQuery selects changes; an empty ids or fields list means all.
type historyQuery struct {
	object      string
	ids, fields []string
	since       time.Time
	newestFirst bool
	limit       int
}

type changeRow struct {
	RecordID string
	Field    string
	Value    *string
	At       time.Time
	Source   string
	Actor    string
}

func (s *store) history(ctx context.Context, tenantID, connectionID string, q historyQuery) ([]crm.Change, error) {
	order := "at, seq"
	if q.newestFirst {
		order = "at DESC, seq DESC"
	}
	var rows []changeRow
	err := s.db.Conn(ctx).Raw(`
		SELECT record_id, field, value::text AS value, at, source, actor FROM sandbox_history
		WHERE tenant_id = ? AND connection_id = ? AND object = ? AND at >= ?
		  AND (? = 0 OR record_id IN (SELECT jsonb_array_elements_text(?::jsonb)))
		  AND (? = 0 OR field IN (SELECT jsonb_array_elements_text(?::jsonb)))
		ORDER BY `+order+` LIMIT ?`,
		tenantID, connectionID, q.object, q.since, len(q.ids), jsonList(q.ids), len(q.fields), jsonList(q.fields), q.limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]crm.Change, len(rows))
	for i, r := range rows {
		out[i] = crm.Change{RecordID: r.RecordID, Field: r.Field, At: r.At.UTC(), Source: crm.ChangeSource(r.Source), Actor: r.Actor}
		if r.Value != nil {
			if err := json.Unmarshal([]byte(*r.Value), &out[i].Value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// jsonList encodes strings for a ?::jsonb parameter: GORM would expand a slice.
func jsonList(xs []string) string {
	if xs == nil {
		xs = []string{}
	}
	b, _ := json.Marshal(xs) // strings always encode
	return string(b)
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func escapeLike(s string) string { return likeEscaper.Replace(s) }
