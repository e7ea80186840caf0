package proposals

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/policy"
)

// This file is intake's write side: a batch of new proposals with their
// first transitions and feedback, set-based (one statement, or COPY for a
// large batch), in the caller's transaction. The gateway decides what the
// rows are; only this package touches proposals, proposal_events and
// agent_feedback.

// NewRow is a proposal as intake writes it, and as ByIdempotencyKey reads
// back what a key was first used for.
type NewRow struct {
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
	RolloutID      *string         `json:"rollout_id"`
	Arm            *string         `json:"arm"`
	Status         string          `json:"status"`
	SupersededBy   *string         `json:"superseded_by"`
}

// NewEvent is one status transition of a new proposal and, when the agent
// should hear of it, its feedback.
type NewEvent struct {
	ProposalID string         `json:"proposal_id"`
	From       *string        `json:"from_status"`
	To         string         `json:"to_status"`
	ActorKind  string         `json:"actor_kind"`
	ActorID    string         `json:"actor_id"`
	Detail     map[string]any `json:"detail"`
	Outcome    string         `json:"outcome"` // feedback outcome, "" for none
}

// RecordField is one field of one CRM record: what a newer proposal
// supersedes the older queued ones of.
type RecordField struct {
	Object   string `json:"object"`
	RecordID string `json:"record_id"`
	Field    string `json:"field,omitempty"`
}

// ErrKeyTaken means a batch written on the optimistic path met an
// idempotency key stored before: the caller takes it again on the path that
// looks keys up (ByIdempotencyKey).
var ErrKeyTaken = errors.New("an idempotency key of the batch is taken")

// insertProposalsSQL inserts the rows given as JSON; it needs a CTE arg
// with the tenant and now.
const insertProposalsSQL = `
		INSERT INTO proposals (id, tenant_id, agent_id, batch_id, idempotency_key, object, record_id, field, field_id, operation,
		       expected_old, proposed, confidence, rationale, evidence, run_id, route, reasons, flags, shadow_auto, rollout_id, arm,
		       status, superseded_by, created_at, updated_at)
		SELECT x.id, arg.tenant, x.agent_id, x.batch_id, x.idempotency_key, x.object, x.record_id, x.field, x.field_id, x.operation,
		       x.expected_old, x.proposed, x.confidence, x.rationale, COALESCE(x.evidence, '[]'), x.run_id, x.route,
		       COALESCE(x.reasons, '[]'), COALESCE(x.flags, '[]'), x.shadow_auto, x.rollout_id, x.arm, x.status, x.superseded_by,
		       arg.now, arg.now
		FROM arg, jsonb_to_recordset(?::jsonb) AS x(id uuid, agent_id uuid, batch_id uuid, idempotency_key text, object text,
		       record_id text, field text, field_id uuid, operation text, expected_old jsonb, proposed jsonb,
		       confidence float8, rationale text, evidence jsonb, run_id text, route text, reasons jsonb, flags jsonb,
		       shadow_auto bool, rollout_id uuid, arm text, status text, superseded_by uuid)`

var proposalColumns = []string{"id", "tenant_id", "agent_id", "batch_id", "idempotency_key", "object", "record_id", "field", "field_id",
	"operation", "expected_old", "proposed", "confidence", "rationale", "evidence", "run_id", "route", "reasons", "flags", "shadow_auto",
	"rollout_id", "arm", "status", "superseded_by", "created_at", "updated_at"}

// CopyProposals writes a batch with COPY: no key of it may exist yet
// (ErrKeyTaken when one does, and the transaction is then spoiled).
func (s *Store) CopyProposals(ctx context.Context, tenantID string, rows []NewRow, now time.Time) error {
	tenant := uuidOf(tenantID)
	out := make([][]any, len(rows))
	for i, r := range rows {
		var fieldID, superseded, rollout pgtype.UUID
		if r.FieldID != nil {
			fieldID = uuidOf(*r.FieldID)
		}
		if r.SupersededBy != nil {
			superseded = uuidOf(*r.SupersededBy)
		}
		if r.RolloutID != nil {
			rollout = uuidOf(*r.RolloutID)
		}
		out[i] = []any{uuidOf(r.ID), tenant, uuidOf(r.AgentID), uuidOf(r.BatchID), r.IdempotencyKey, r.Object, r.RecordID, r.Field, fieldID,
			r.Operation, jsonbOrNull(r.ExpectedOld), jsonbOrNull(r.Proposed), r.Confidence, r.Rationale, jsonOf(r.Evidence), r.RunID, r.Route,
			jsonOf(r.Reasons), jsonOf(r.Flags), r.ShadowAuto, rollout, r.Arm, r.Status, superseded, now, now}
	}
	return keyTaken(s.db.CopyFrom(ctx, "proposals", proposalColumns, out))
}

// keyTaken is ErrKeyTaken for a unique violation of an idempotency key.
func keyTaken(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "proposals_idempotency_key" {
		return ErrKeyTaken
	}
	return err
}

// CopyEvents appends transitions, and the feedback of those that have an
// outcome, with COPY.
func (s *Store) CopyEvents(ctx context.Context, tenantID, agentID string, evs []NewEvent, now time.Time) error {
	tenant, agent := uuidOf(tenantID), uuidOf(agentID)
	transitions := make([][]any, len(evs))
	var feedback [][]any
	for i, e := range evs {
		detail := jsonOf(orEmpty(e.Detail))
		transitions[i] = []any{tenant, uuidOf(e.ProposalID), now, e.From, e.To, e.ActorKind, e.ActorID, detail}
		if e.Outcome != "" {
			feedback = append(feedback, []any{tenant, agent, uuidOf(e.ProposalID), now, e.Outcome, detail})
		}
	}
	if err := s.db.CopyFrom(ctx, "proposal_events", []string{"tenant_id", "proposal_id", "at", "from_status", "to_status", "actor_kind",
		"actor_id", "detail"}, transitions); err != nil {
		return err
	}
	if len(feedback) == 0 {
		return nil
	}
	return s.db.CopyFrom(ctx, "agent_feedback", []string{"tenant_id", "agent_id", "proposal_id", "at", "outcome", "detail"}, feedback)
}

// uuidOf is a uuid for pgx's binary COPY (ids here are ours, well formed).
func uuidOf(s string) pgtype.UUID {
	var u pgtype.UUID
	h := strings.ReplaceAll(s, "-", "")
	if len(h) == 32 {
		if _, err := hex.Decode(u.Bytes[:], []byte(h)); err == nil {
			u.Valid = true
		}
	}
	return u
}

// jsonbOrNull is a JSON scalar for a jsonb column; nil is SQL NULL.
func jsonbOrNull(v any) any {
	if v == nil {
		return nil
	}
	return jsonOf(v)
}

func jsonOf(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // values here are decoded JSON and our own structs
	}
	return b
}

// RecordBatch inserts rows (none may have a stored key: ErrKeyTaken),
// supersedes the agent's older queued proposals for the record fields in
// next by the new proposal named there, and appends the batch's transitions
// evs, then one per superseded proposal (oldest first), with the feedback they
// produce — in one statement. It returns the ids of the older proposals
// superseded.
func (s *Store) RecordBatch(ctx context.Context, tenantID, agentID string, rows []NewRow, evs []NewEvent, next map[RecordField]string, now time.Time) ([]string, error) {
	type pair struct {
		RecordField
		NewID string `json:"new_id"`
	}
	pairs := make([]pair, 0, len(next))
	for t, id := range next {
		pairs = append(pairs, pair{t, id})
	}
	p, _ := json.Marshal(pairs)
	e, _ := json.Marshal(emptyIfNil(evs))
	args := []any{tenantID, agentID, now}
	insert := ""
	if len(rows) > 0 {
		insert = `inserted AS (` + insertProposalsSQL + `),`
		args = append(args, string(jsonOf(rows)))
	}
	// found probes the pending index once per target and done updates by
	// primary key: no join the planner could turn into a scan of the agent's
	// proposals when it has no statistics.
	var superseded []string
	err := s.db.Conn(ctx).Raw(`
		WITH arg AS (SELECT ?::uuid AS tenant, ?::uuid AS agent, ?::timestamptz AS now), `+insert+`
		found AS MATERIALIZED (
		  SELECT q.id, x.new_id
		  FROM arg, jsonb_to_recordset(?::jsonb) AS x(object text, record_id text, field text, new_id uuid)
		  CROSS JOIN LATERAL (
		    SELECT id FROM proposals
		    WHERE tenant_id = arg.tenant AND agent_id = arg.agent AND status = 'queued'
		      AND object = x.object AND record_id = x.record_id AND field = x.field AND id <> x.new_id
		    OFFSET 0) q
		), done AS (
		  UPDATE proposals p SET status = 'superseded', superseded_by = f.new_id, updated_at = arg.now
		  FROM found f, arg
		  WHERE p.tenant_id = arg.tenant AND p.id = ANY (ARRAY(SELECT id FROM found)) AND p.id = f.id
		  RETURNING p.id, f.new_id, p.created_at
		), ev AS (
		  SELECT 0 AS part, 0::bigint AS n, x.proposal_id, x.from_status, x.to_status, x.actor_kind, x.actor_id,
		         COALESCE(x.detail, '{}') AS detail, x.outcome
		  FROM jsonb_to_recordset(?::jsonb) AS x(proposal_id uuid, from_status text, to_status text,
		         actor_kind text, actor_id text, detail jsonb, outcome text)
		  UNION ALL
		  SELECT 1, row_number() OVER (ORDER BY d.created_at, d.id), d.id, 'queued', 'superseded', 'agent', arg.agent::text,
		         jsonb_build_object('superseded_by', d.new_id), 'superseded'
		  FROM done d, arg
		), transitions AS (
		  INSERT INTO proposal_events (tenant_id, proposal_id, at, from_status, to_status, actor_kind, actor_id, detail)
		  SELECT arg.tenant, ev.proposal_id, arg.now, ev.from_status, ev.to_status, ev.actor_kind, ev.actor_id, ev.detail
		  FROM ev, arg ORDER BY ev.part, ev.n
		), feedback AS (
		  INSERT INTO agent_feedback (tenant_id, agent_id, proposal_id, at, outcome, detail)
		  SELECT arg.tenant, arg.agent, ev.proposal_id, arg.now, ev.outcome, ev.detail
		  FROM ev, arg WHERE ev.outcome <> '' ORDER BY ev.part, ev.n
		)
		SELECT id FROM done`, append(args, string(p), string(e))...).Scan(&superseded).Error
	if len(rows) > 0 && db.Duplicate(err) {
		return nil, ErrKeyTaken // the only unique key a new proposal can meet
	}
	return superseded, err
}

// intakeLockClass namespaces the agents' intake locks among advisory locks.
const intakeLockClass = 0x43530001

// ByIdempotencyKey finds an agent's proposals by idempotency key.
//
// It first takes the agent's intake lock, held until the transaction ends:
// the agent's batches take turns, so the velocity count sees every earlier
// one and two batches never lock the same targets in opposite orders. (The
// lock is a one-time filter, evaluated before any key is looked up, so one
// round trip does both.) Intake calls it first in its transaction.
func (s *Store) ByIdempotencyKey(ctx context.Context, tenantID, agentID string, keys []string) (map[string]NewRow, error) {
	out := map[string]NewRow{}
	var rows []struct {
		ID, IdempotencyKey, Status, Route string
		Reasons                           string
		// what the key was first used for, to refuse its reuse for another proposal
		Object, RecordID, Field, Operation string
		ExpectedOld, Proposed, Evidence    *string
		Confidence                         float64
		Rationale                          string
	}
	// One index probe per key, whatever the planner knows of the table: a
	// fresh table has no statistics, and an agent then looks like one row.
	b, _ := json.Marshal(emptyIfNil(keys))
	err := s.db.Conn(ctx).Raw(`
		SELECT p.id, p.idempotency_key, p.status, p.route, p.reasons::text AS reasons,
		  p.object, p.record_id, p.field, p.operation, p.expected_old::text AS expected_old, p.proposed::text AS proposed,
		  p.evidence::text AS evidence, p.confidence, p.rationale
		FROM jsonb_array_elements_text(?::jsonb) AS k(key)
		CROSS JOIN LATERAL (
		  SELECT id, idempotency_key, status, route, reasons, object, record_id, field, operation, expected_old, proposed,
		    evidence, confidence, rationale FROM proposals
		  WHERE tenant_id = ? AND agent_id = ? AND idempotency_key = k.key LIMIT 1) p
		WHERE (SELECT pg_advisory_xact_lock(?::int4, hashtext(?))::text) IS NOT NULL`,
		string(b), tenantID, agentID, intakeLockClass, agentID).Scan(&rows).Error
	for _, r := range rows {
		p := NewRow{ID: r.ID, Status: r.Status, Route: r.Route, Object: r.Object, RecordID: r.RecordID, Field: r.Field,
			Operation: r.Operation, Confidence: r.Confidence, Rationale: r.Rationale}
		if err := json.Unmarshal([]byte(r.Reasons), &p.Reasons); err != nil {
			return nil, fmt.Errorf("proposal %s: reasons: %w", r.ID, err)
		}
		for _, c := range []struct {
			raw *string
			to  any
		}{{r.ExpectedOld, &p.ExpectedOld}, {r.Proposed, &p.Proposed}, {r.Evidence, &p.Evidence}} {
			if c.raw != nil {
				if err := json.Unmarshal([]byte(*c.raw), c.to); err != nil {
					return nil, fmt.Errorf("proposal %s: %w", r.ID, err)
				}
			}
		}
		out[r.IdempotencyKey] = p
	}
	return out, err
}

func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
