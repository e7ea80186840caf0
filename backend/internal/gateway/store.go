package gateway

import (
	"context"
	"encoding/json"
	"time"

	"countersign/backend/internal/gateway/policy"
	"countersign/backend/internal/platform/db"
)

// Store holds the gateway's SQL; every call takes the tenant id.
type Store struct{ db *db.DB }

// NewStore returns the gateway store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// proposalRow is a proposal as written by intake.
type proposalRow struct {
	ID             string          `json:"id"`
	AgentID        string          `json:"agent_id"`
	BatchID        string          `json:"batch_id"`
	IdempotencyKey *string         `json:"idempotency_key"`
	Object         string          `json:"object"`
	RecordID       string          `json:"record_id"`
	Field          string          `json:"field"`
	FieldID        *string         `json:"field_id"`
	Operation      string          `json:"operation"`
	ExpectedOld    any             `json:"expected_old"`
	Proposed       any             `json:"proposed"`
	Confidence     float64         `json:"confidence"`
	Rationale      string          `json:"rationale"`
	Evidence       []Evidence      `json:"evidence"`
	RunID          string          `json:"run_id"`
	Route          string          `json:"route"`
	Reasons        []policy.Reason `json:"reasons"`
	Flags          []policy.Flag   `json:"flags"`
	ShadowAuto     bool            `json:"shadow_auto"`
	Status         string          `json:"status"`
	SupersededBy   *string         `json:"superseded_by"`
}

// InsertProposals writes a batch; rows whose idempotency key already exists
// are skipped, and the ids actually inserted are returned.
func (s *Store) InsertProposals(ctx context.Context, tenantID string, rows []proposalRow, now time.Time) (map[string]bool, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return nil, err
	}
	var ids []string
	err = s.db.Conn(ctx).Raw(`
		INSERT INTO proposals (id, tenant_id, agent_id, batch_id, idempotency_key, object, record_id, field, field_id, operation,
		       expected_old, proposed, confidence, rationale, evidence, run_id, route, reasons, flags, shadow_auto, status,
		       superseded_by, created_at, updated_at)
		SELECT x.id, ?, x.agent_id, x.batch_id, x.idempotency_key, x.object, x.record_id, x.field, x.field_id, x.operation,
		       x.expected_old, x.proposed, x.confidence, x.rationale, COALESCE(x.evidence, '[]'), x.run_id, x.route,
		       COALESCE(x.reasons, '[]'), COALESCE(x.flags, '[]'), x.shadow_auto, x.status, x.superseded_by, ?, ?
		FROM jsonb_to_recordset(?::jsonb) AS x(id uuid, agent_id uuid, batch_id uuid, idempotency_key text, object text,
		       record_id text, field text, field_id uuid, operation text, expected_old jsonb, proposed jsonb,
		       confidence float8, rationale text, evidence jsonb, run_id text, route text, reasons jsonb, flags jsonb,
		       shadow_auto bool, status text, superseded_by uuid)
		ON CONFLICT (tenant_id, agent_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
		RETURNING id`, tenantID, now, now, string(b)).Scan(&ids).Error
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// event is one status transition and, when the agent should hear of it, its feedback.
type event struct {
	ProposalID string         `json:"proposal_id"`
	AgentID    string         `json:"agent_id"`
	From       *string        `json:"from_status"`
	To         string         `json:"to_status"`
	ActorKind  string         `json:"actor_kind"`
	ActorID    string         `json:"actor_id"`
	Detail     map[string]any `json:"detail"`
	Outcome    string         `json:"outcome"` // feedback outcome, "" for none
}

// InsertEvents appends transitions and the feedback they produce, in one statement.
func (s *Store) InsertEvents(ctx context.Context, tenantID string, evs []event, now time.Time) error {
	if len(evs) == 0 {
		return nil
	}
	b, _ := json.Marshal(evs)
	return s.db.Conn(ctx).Exec(`
		WITH x AS (
		  SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(proposal_id uuid, agent_id uuid, from_status text, to_status text,
		    actor_kind text, actor_id text, detail jsonb, outcome text)
		), transitions AS (
		  INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, actor_id, detail)
		  SELECT ?::uuid, x.proposal_id, ?::timestamptz, x.from_status, x.to_status, x.actor_kind, x.actor_id, COALESCE(x.detail, '{}')
		  FROM x
		)
		INSERT INTO agent_feedback (tenant_id, agent_id, proposal_id, at, outcome, detail)
		SELECT ?::uuid, x.agent_id, x.proposal_id, ?::timestamptz, x.outcome, COALESCE(x.detail, '{}')
		FROM x WHERE x.outcome <> ''`, string(b), tenantID, now, tenantID, now).Error
}

// existingByKey finds an agent's proposals by idempotency key.
func (s *Store) existingByKey(ctx context.Context, tenantID, agentID string, keys []string) (map[string]proposalRow, error) {
	out := map[string]proposalRow{}
	if len(keys) == 0 {
		return out, nil
	}
	var rows []struct {
		ID, IdempotencyKey, Status, Route string
		Reasons                           string
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, idempotency_key, status, route, reasons::text AS reasons FROM proposals
		WHERE tenant_id = ? AND agent_id = ? AND idempotency_key IN ?`, tenantID, agentID, keys).Scan(&rows).Error
	for _, r := range rows {
		p := proposalRow{ID: r.ID, Status: r.Status, Route: r.Route}
		json.Unmarshal([]byte(r.Reasons), &p.Reasons)
		out[r.IdempotencyKey] = p
	}
	return out, err
}

// target is a record a batch touches.
type target struct {
	Object   string `json:"object"`
	RecordID string `json:"record_id"`
	Field    string `json:"field,omitempty"`
}

// RecordTargets remembers that the agent targeted these records now, and
// these record fields where a field has its own cap (in the batch's
// transaction: a refused batch leaves no trace). A target with Field "" is
// the record itself.
func (s *Store) RecordTargets(ctx context.Context, tenantID, agentID string, batch []target, now time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	b, _ := json.Marshal(batch)
	return s.db.Conn(ctx).Exec(`
		INSERT INTO agent_targets (tenant_id, agent_id, object, record_id, field, last_at)
		SELECT DISTINCT ?::uuid, ?::uuid, x.object, x.record_id, COALESCE(x.field, ''), ?::timestamptz
		FROM jsonb_to_recordset(?::jsonb) AS x(object text, record_id text, field text)
		ON CONFLICT (tenant_id, agent_id, object, record_id, field) DO UPDATE SET last_at = EXCLUDED.last_at`,
		tenantID, agentID, now, string(b)).Error
}

// DistinctRecords counts the distinct records the agent targeted since t,
// or, given "object.field", the records whose field it targeted (a field
// with its own cap).
func (s *Store) DistinctRecords(ctx context.Context, tenantID, agentID string, since time.Time, field string) (int, error) {
	obj, fld := splitField(field)
	var n int
	err := s.db.Conn(ctx).Raw(`
		SELECT count(*) FROM agent_targets
		WHERE tenant_id = ? AND agent_id = ? AND field = ? AND last_at > ? AND (? = '' OR object = ?)`,
		tenantID, agentID, fld, since, obj, obj).Scan(&n).Error
	return n, err
}

// superseded is a proposal that a newer one replaced.
type superseded struct{ ID, NewID string }

// supersede marks the agent's queued proposals for the same targets as
// superseded by the new ones; it returns them with their successor, oldest first.
func (s *Store) supersede(ctx context.Context, tenantID, agentID string, next map[target]string, now time.Time) ([]superseded, error) {
	if len(next) == 0 {
		return nil, nil
	}
	type pair struct {
		target
		NewID string `json:"new_id"`
	}
	pairs := make([]pair, 0, len(next))
	for t, id := range next {
		pairs = append(pairs, pair{t, id})
	}
	b, _ := json.Marshal(pairs)
	var rows []superseded
	err := s.db.Conn(ctx).Raw(`
		WITH done AS (
		  UPDATE proposals p SET status = 'superseded', superseded_by = x.new_id, updated_at = ?
		  FROM jsonb_to_recordset(?::jsonb) AS x(object text, record_id text, field text, new_id uuid)
		  WHERE p.tenant_id = ? AND p.agent_id = ? AND p.status = 'queued'
		    AND p.object = x.object AND p.record_id = x.record_id AND p.field = x.field AND p.id <> x.new_id
		  RETURNING p.id, x.new_id, p.created_at
		)
		SELECT id, new_id FROM done ORDER BY created_at, id`, now, string(b), tenantID, agentID).Scan(&rows).Error
	return rows, err
}
