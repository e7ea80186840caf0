package proposals

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// proposalRow is a proposals row joined with its agent's name; the JSON
// columns come as text and are decoded by proposal.
type proposalRow struct {
	ID, AgentID, AgentName, BatchID, Object, RecordID, Field, Operation string
	ExpectedOld, Proposed                                               *string
	Confidence                                                          float64
	Rationale, Evidence, RunID, Route, Status, Reasons, Flags           string
	ShadowAuto                                                          bool
	SupersededBy                                                        *string
	ApplyError                                                          *string
	AppliedSeq                                                          *int64
	CreatedAt, UpdatedAt                                                time.Time
	Total                                                               int
}

// proposal decodes the row; a JSON column that does not decode is an error
// naming the proposal and the column, never a silently empty value.
func (r proposalRow) proposal() (Proposal, error) {
	p := Proposal{ID: r.ID, AgentID: r.AgentID, AgentName: r.AgentName, BatchID: r.BatchID, Object: r.Object, RecordID: r.RecordID,
		Field: r.Field, Operation: r.Operation, Confidence: r.Confidence, Rationale: r.Rationale, RunID: r.RunID, Route: r.Route,
		Status: r.Status, ShadowAuto: r.ShadowAuto, SupersededBy: r.SupersededBy, ApplyError: r.ApplyError, AppliedSeq: r.AppliedSeq,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	cols := []struct {
		name string
		text *string
		into any
	}{{"expected_old", r.ExpectedOld, &p.ExpectedOld}, {"proposed", r.Proposed, &p.Proposed},
		{"evidence", &r.Evidence, &p.Evidence}, {"reasons", &r.Reasons, &p.Reasons}, {"flags", &r.Flags, &p.Flags}}
	for _, c := range cols {
		if c.text == nil { // SQL NULL: no value
			continue
		}
		if err := json.Unmarshal([]byte(*c.text), c.into); err != nil {
			return Proposal{}, fmt.Errorf("proposal %s: column %s: %w", r.ID, c.name, err)
		}
	}
	return p, nil
}

const proposalSQL = `
SELECT p.id, p.agent_id, a.name AS agent_name, p.batch_id, p.object, p.record_id, p.field, p.operation,
       p.expected_old::text AS expected_old, p.proposed::text AS proposed, p.confidence, p.rationale, p.evidence::text AS evidence,
       p.run_id, p.route, p.status, p.reasons::text AS reasons, p.flags::text AS flags, p.shadow_auto, p.superseded_by,
       p.apply_error, p.applied_seq, p.created_at, p.updated_at`

// proposalFrom joins the agent for its name; agents is read here only for
// that, in the same statement (a proposal always belongs to an agent of its
// tenant: proposals → agents is a foreign key).
const proposalFrom = `
FROM proposals p JOIN agents a ON a.id = p.agent_id AND a.tenant_id = p.tenant_id
WHERE p.tenant_id = ?`

// List pages through the tenant's proposals that f selects, newest first,
// and counts all that it selects.
func (s *Store) List(ctx context.Context, tenantID string, f Filter) ([]Proposal, int, error) {
	var where strings.Builder
	args := []any{tenantID}
	add := func(cond string, v any) { where.WriteString(" AND " + cond); args = append(args, v) }
	for _, c := range []struct{ cond, v string }{{"p.agent_id = ?", f.AgentID}, {"p.status = ?", f.Status},
		{"p.route = ?", f.Route}, {"p.object = ?", f.Object}, {"p.field = ?", f.Field}} {
		if c.v != "" {
			add(c.cond, c.v)
		}
	}
	if f.Flag != "" {
		add("p.flags @> jsonb_build_array(jsonb_build_object('code', ?::text))", f.Flag)
	}
	if f.Since != nil {
		add("p.created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		add("p.created_at < ?", *f.Until)
	}
	var rows []proposalRow
	if err := s.db.Conn(ctx).Raw(proposalSQL+`, count(*) OVER () AS total`+proposalFrom+where.String()+
		` ORDER BY p.created_at DESC, p.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]Proposal, len(rows))
	total := 0
	for i, r := range rows {
		p, err := r.proposal()
		if err != nil {
			return nil, 0, err
		}
		out[i], total = p, r.Total
	}
	return out, total, nil
}

// One reads a proposal without its history; agentID, when set, must be its
// agent. It returns db.ErrNotFound (through GORM) when there is none.
func (s *Store) One(ctx context.Context, tenantID, agentID, id string) (Proposal, error) {
	var r proposalRow
	q := proposalSQL + proposalFrom + ` AND p.id = ? AND (? = '' OR p.agent_id::text = ?)`
	if err := s.db.Conn(ctx).Raw(q, tenantID, id, agentID, agentID).Take(&r).Error; err != nil {
		return Proposal{}, err
	}
	return r.proposal()
}

// History reads a proposal's transitions, oldest first.
func (s *Store) History(ctx context.Context, tenantID, id string) ([]Event, error) {
	var rows []struct {
		Seq                int64
		At                 time.Time
		FromStatus         *string
		ToStatus           string
		ActorKind, ActorID string
		Detail             string
	}
	if err := s.db.Conn(ctx).Raw(`SELECT seq, at, from_status, to_status, actor_kind, actor_id, detail::text AS detail FROM proposal_events
		WHERE tenant_id = ? AND proposal_id = ? ORDER BY seq`, tenantID, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Event, len(rows))
	for i, e := range rows {
		out[i] = Event{At: e.At, From: e.FromStatus, To: e.ToStatus, ActorKind: e.ActorKind, ActorID: e.ActorID}
		if err := json.Unmarshal([]byte(e.Detail), &out[i].Detail); err != nil {
			return nil, fmt.Errorf("proposal %s: event %d: column detail: %w", id, e.Seq, err)
		}
	}
	return out, nil
}

// Activity counts an agent's proposals by route and status, its blocked
// ones by field (the 20 most), and per day and route since since.
func (s *Store) Activity(ctx context.Context, tenantID, agentID string, since time.Time) (Activity, error) {
	out := Activity{ByRouteStatus: []RouteStatusCount{}, BlockedByField: []FieldCount{}, ByDay: []DayRouteCount{}}
	conn := s.db.Conn(ctx)
	if err := conn.Raw(`SELECT route, status, count(*) AS count FROM proposals WHERE tenant_id = ? AND agent_id = ?
		GROUP BY route, status ORDER BY count DESC, route, status`, tenantID, agentID).Scan(&out.ByRouteStatus).Error; err != nil {
		return out, err
	}
	if err := conn.Raw(`SELECT object, field, count(*) AS count FROM proposals WHERE tenant_id = ? AND agent_id = ? AND status = 'blocked'
		GROUP BY object, field ORDER BY count DESC, object, field LIMIT 20`, tenantID, agentID).Scan(&out.BlockedByField).Error; err != nil {
		return out, err
	}
	err := conn.Raw(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, route, count(*) AS count FROM proposals
		WHERE tenant_id = ? AND agent_id = ? AND created_at > ? GROUP BY 1, 2 ORDER BY 1, 2`,
		tenantID, agentID, since).Scan(&out.ByDay).Error
	return out, err
}
