package gateway

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
)

// Proposal is a stored proposal with its agent's name.
type Proposal struct {
	ID, AgentID, AgentName, BatchID string
	Object, RecordID, Field         string
	Operation                       string
	ExpectedOld, Proposed           any
	Confidence                      float64
	Rationale                       string
	Evidence                        []Evidence
	RunID                           string
	Route, Status                   string
	Reasons                         []policy.Reason
	Flags                           []policy.Flag
	ShadowAuto                      bool
	SupersededBy                    *string
	ApplyError                      *string
	AppliedSeq                      *int64
	CreatedAt, UpdatedAt            time.Time
	History                         []Transition
}

// Transition is one recorded status change.
type Transition struct {
	At        time.Time
	From      *string
	To        string
	ActorKind string
	ActorID   string
	Detail    map[string]any
}

// ProposalFilter selects proposals on the console.
type ProposalFilter struct {
	AgentID, Status, Route, Object, Field, Flag string
	Since, Until                                *time.Time
	Limit, Offset                               int
}

type proposalDBRow struct {
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

func (r proposalDBRow) proposal() Proposal {
	p := Proposal{ID: r.ID, AgentID: r.AgentID, AgentName: r.AgentName, BatchID: r.BatchID, Object: r.Object, RecordID: r.RecordID,
		Field: r.Field, Operation: r.Operation, Confidence: r.Confidence, Rationale: r.Rationale, RunID: r.RunID, Route: r.Route,
		Status: r.Status, ShadowAuto: r.ShadowAuto, SupersededBy: r.SupersededBy, ApplyError: r.ApplyError, AppliedSeq: r.AppliedSeq,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	p.ExpectedOld, p.Proposed = jsonValue(r.ExpectedOld), jsonValue(r.Proposed)
	json.Unmarshal([]byte(r.Evidence), &p.Evidence)
	json.Unmarshal([]byte(r.Reasons), &p.Reasons)
	json.Unmarshal([]byte(r.Flags), &p.Flags)
	return p
}

func jsonValue(s *string) any {
	if s == nil {
		return nil
	}
	var v any
	json.Unmarshal([]byte(*s), &v)
	return v
}

const proposalSQL = `
SELECT p.id, p.agent_id, a.name AS agent_name, p.batch_id, p.object, p.record_id, p.field, p.operation,
       p.expected_old::text AS expected_old, p.proposed::text AS proposed, p.confidence, p.rationale, p.evidence::text AS evidence,
       p.run_id, p.route, p.status, p.reasons::text AS reasons, p.flags::text AS flags, p.shadow_auto, p.superseded_by,
       p.apply_error, p.applied_seq, p.created_at, p.updated_at`

const proposalFrom = `
FROM proposals p JOIN agents a ON a.id = p.agent_id AND a.tenant_id = p.tenant_id
WHERE p.tenant_id = ?`

// Proposals pages through the tenant's proposals, newest first.
func (s *Service) Proposals(ctx context.Context, tenantID string, f ProposalFilter) ([]Proposal, int, error) {
	var fe problem.Fields
	if f.Limit < 1 || f.Limit > 200 {
		fe.Add("limit", "must be between 1 and 200")
	}
	if f.Offset < 0 {
		fe.Add("offset", "must not be negative")
	}
	if f.AgentID != "" && !db.IsUUID(f.AgentID) {
		fe.Add("agent_id", "is not an agent id")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	var where strings.Builder
	args := []any{tenantID}
	add := func(cond string, v any) { where.WriteString(" AND " + cond); args = append(args, v) }
	for cond, v := range map[string]string{"p.agent_id = ?": f.AgentID, "p.status = ?": f.Status, "p.route = ?": f.Route,
		"p.object = ?": f.Object, "p.field = ?": f.Field} {
		if v != "" {
			add(cond, v)
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
	var rows []proposalDBRow
	err := s.db.Conn(ctx).Raw(proposalSQL+`, count(*) OVER () AS total`+proposalFrom+where.String()+
		` ORDER BY p.created_at DESC, p.id LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...).Scan(&rows).Error
	out := make([]Proposal, len(rows))
	total := 0
	for i, r := range rows {
		out[i], total = r.proposal(), r.Total
	}
	return out, total, err
}

// Proposal returns one proposal with its status history. agentID, when set,
// restricts to that agent's proposals (the agent API).
func (s *Service) Proposal(ctx context.Context, tenantID, agentID, id string) (Proposal, error) {
	if !db.IsUUID(id) {
		return Proposal{}, problem.NotFound("proposal")
	}
	var r proposalDBRow
	q := proposalSQL + proposalFrom + ` AND p.id = ? AND (? = '' OR p.agent_id::text = ?)`
	err := s.db.Conn(ctx).Raw(q, tenantID, id, agentID, agentID).Take(&r).Error
	if db.NotFound(err) {
		return Proposal{}, problem.NotFound("proposal")
	} else if err != nil {
		return Proposal{}, err
	}
	p := r.proposal()
	var evs []struct {
		At                 time.Time
		FromStatus         *string
		ToStatus           string
		ActorKind, ActorID string
		Detail             string
	}
	err = s.db.Conn(ctx).Raw(`SELECT at, from_status, to_status, actor_kind, actor_id, detail::text AS detail FROM proposal_events
		WHERE tenant_id = ? AND proposal_id = ? ORDER BY seq`, tenantID, id).Scan(&evs).Error
	for _, e := range evs {
		t := Transition{At: e.At, From: e.FromStatus, To: e.ToStatus, ActorKind: e.ActorKind, ActorID: e.ActorID}
		json.Unmarshal([]byte(e.Detail), &t.Detail)
		p.History = append(p.History, t)
	}
	return p, err
}

// FeedbackEvent is one outcome an agent reads back.
type FeedbackEvent struct {
	Cursor     string
	ProposalID string
	Outcome    string
	At         time.Time
	Detail     map[string]any
}

// Feedback returns the agent's outcomes after a cursor, oldest first.
func (s *Service) Feedback(ctx context.Context, caller agents.Caller, after string, limit int) ([]FeedbackEvent, string, error) {
	var since int64
	if after != "" {
		n, err := strconv.ParseInt(after, 10, 64)
		if err != nil || n < 0 {
			return nil, "", problem.InvalidField("after", "is not a cursor from a previous page")
		}
		since = n
	}
	if limit < 1 || limit > 500 {
		return nil, "", problem.InvalidField("limit", "must be between 1 and 500")
	}
	evs, next, err := s.feedbackAfter(ctx, caller.TenantID, caller.AgentID, since, limit)
	return evs, strconv.FormatInt(next, 10), err
}

// feedbackAfter reads an agent's feedback after seq; next is the last seq read (or seq).
func (s *Service) feedbackAfter(ctx context.Context, tenantID, agentID string, since int64, limit int) ([]FeedbackEvent, int64, error) {
	var rows []struct {
		Seq        int64
		ProposalID string
		Outcome    string
		At         time.Time
		Detail     string
	}
	err := s.db.Conn(ctx).Raw(`SELECT seq, proposal_id, outcome, at, detail::text AS detail FROM agent_feedback
		WHERE tenant_id = ? AND agent_id = ? AND seq > ? ORDER BY seq LIMIT ?`, tenantID, agentID, since, limit).Scan(&rows).Error
	out := make([]FeedbackEvent, len(rows))
	next := since
	for i, r := range rows {
		out[i] = FeedbackEvent{Cursor: strconv.FormatInt(r.Seq, 10), ProposalID: r.ProposalID, Outcome: r.Outcome, At: r.At}
		json.Unmarshal([]byte(r.Detail), &out[i].Detail)
		next = r.Seq
	}
	return out, next, err
}
