package changelog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"countersign/backend/internal/platform/db"
)

// store holds the change log's SQL.
type store struct{ db *db.DB }

type head struct {
	Seq  int64
	Hash []byte
}

// lockHead returns the tenant's chain head, locked until the transaction ends
// (made on the tenant's first append).
func (s *store) lockHead(ctx context.Context, tenantID string) (head, error) {
	var h head
	err := s.db.Conn(ctx).Raw(`INSERT INTO change_heads (tenant_id) VALUES (?)
		ON CONFLICT (tenant_id) DO UPDATE SET seq = change_heads.seq RETURNING seq, hash`, tenantID).Row().Scan(&h.Seq, &h.Hash)
	return h, err
}

func (s *store) moveHead(ctx context.Context, tenantID string, seq int64, hash []byte) error {
	return s.db.Conn(ctx).Exec(`UPDATE change_heads SET seq = ?, hash = ? WHERE tenant_id = ?`, seq, hash, tenantID).Error
}

// eventRow is an event as inserted: its hashed columns and hashes (hex).
type eventRow struct {
	Link
	PrevHash, Hash string
}

func (s *store) insertEvents(ctx context.Context, tenantID string, rows []eventRow) error {
	if len(rows) == 0 {
		return nil
	}
	type js struct {
		Seq           int64     `json:"seq"`
		ID            string    `json:"id"`
		At            time.Time `json:"at"`
		ConnectionID  string    `json:"connection_id"`
		Object        string    `json:"object"`
		RecordID      string    `json:"record_id"`
		Field         string    `json:"field"`
		Before        string    `json:"before_value"`
		After         string    `json:"after_value"`
		ActorKind     string    `json:"actor_kind"`
		AgentID       *string   `json:"agent_id"`
		UserID        *string   `json:"user_id"`
		ProposalID    *string   `json:"proposal_id"`
		DecisionSeqs  []int64   `json:"decision_seqs"`
		PolicyVersion *int64    `json:"policy_version"`
		Reverts       *int64    `json:"reverts"`
		Reason        string    `json:"reason"`
		PrevHash      string    `json:"prev_hash"`
		Hash          string    `json:"hash"`
	}
	out := make([]js, len(rows))
	for i, r := range rows {
		out[i] = js{Seq: r.Seq, ID: r.ID, At: r.At, ConnectionID: r.ConnectionID, Object: r.Object, RecordID: r.RecordID, Field: r.Field,
			Before: r.Before, After: r.After, ActorKind: r.ActorKind, AgentID: nonEmpty(r.AgentID), UserID: nonEmpty(r.UserID),
			ProposalID: nonEmpty(r.ProposalID), DecisionSeqs: orNone(r.DecisionSeqs), PolicyVersion: present(r.PolicyVersion, r.HasPolicy),
			Reverts: present(r.Reverts, r.HasReverts), Reason: r.Reason, PrevHash: r.PrevHash, Hash: r.Hash}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	lo, hi := rows[0].Seq, rows[0].Seq
	for _, r := range rows {
		lo, hi = min(lo, r.Seq), max(hi, r.Seq)
	}
	if err := s.db.Conn(ctx).Exec(`
		INSERT INTO change_events (tenant_id, seq, id, at, connection_id, object, record_id, field, before_value, after_value, actor_kind,
		       agent_id, user_id, proposal_id, decision_seqs, policy_version, reverts, reason, prev_hash, hash)
		SELECT ?, x.seq, x.id, x.at, x.connection_id, x.object, x.record_id, x.field, x.before_value, x.after_value, x.actor_kind,
		       x.agent_id, x.user_id, x.proposal_id, ARRAY(SELECT jsonb_array_elements_text(x.decision_seqs))::bigint[],
		       x.policy_version, x.reverts, x.reason, decode(x.prev_hash, 'hex'), decode(x.hash, 'hex')
		FROM jsonb_to_recordset(?::jsonb) AS x(seq bigint, id uuid, at timestamptz, connection_id uuid, object text, record_id text, field text,
		       before_value text, after_value text, actor_kind text, agent_id uuid, user_id uuid, proposal_id uuid, decision_seqs jsonb,
		       policy_version bigint, reverts bigint, reason text, prev_hash text, hash text)`, tenantID, string(b)).Error; err != nil {
		return err
	}
	// what their reviews were, beside them: an export reads both by seq
	return s.db.Conn(ctx).Exec(`INSERT INTO change_reviews SELECT * FROM change_review_facts(?, ?, ?)`, tenantID, lo, hi).Error
}

type checkpointRow struct {
	Seq       int64
	Hash      []byte
	KeyID     string
	Signature []byte
	At        time.Time
}

func (s *store) insertCheckpoints(ctx context.Context, tenantID string, cps []checkpointRow) error {
	for _, c := range cps {
		if err := s.db.Conn(ctx).Exec(`INSERT INTO change_checkpoints (tenant_id, seq, hash, key_id, signature, at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, tenantID, c.Seq, c.Hash, c.KeyID, c.Signature, c.At).Error; err != nil {
			return err
		}
	}
	return nil
}

// checkpoints are the tenant's signed checkpoints, oldest first.
func (s *store) checkpoints(ctx context.Context, tenantID string) ([]checkpointRow, error) {
	var out []checkpointRow
	err := s.db.Conn(ctx).Raw(`SELECT seq, hash, key_id, signature, at FROM change_checkpoints WHERE tenant_id = ? ORDER BY seq`,
		tenantID).Scan(&out).Error
	return out, err
}

func (s *store) head(ctx context.Context, tenantID string) (head, error) {
	var hs []head
	err := s.db.Conn(ctx).Raw(`SELECT seq, hash FROM change_heads WHERE tenant_id = ?`, tenantID).Scan(&hs).Error
	if len(hs) == 0 {
		return head{}, err
	}
	return hs[0], err
}

// eventSelect reads events with who made them and whether they were undone.
const eventSelect = `
	SELECT e.seq, e.id, e.at, e.connection_id, e.object, e.record_id, e.field, e.before_value, e.after_value, e.actor_kind,
	       e.agent_id, a.name AS agent_name, e.user_id, u.name AS user_name, e.proposal_id, e.decision_seqs::text AS decision_seqs,
	       e.policy_version, e.reverts, r.seq AS reverted_by, e.reason, encode(e.hash, 'hex') AS hash, encode(e.prev_hash, 'hex') AS prev_hash
	FROM change_events e
	LEFT JOIN agents a ON a.tenant_id = e.tenant_id AND a.id = e.agent_id
	LEFT JOIN users u ON u.id = e.user_id
	LEFT JOIN change_events r ON r.tenant_id = e.tenant_id AND r.reverts = e.seq`

type eventScan struct {
	Seq           int64
	ID            string
	At            time.Time
	ConnectionID  string
	Object        string
	RecordID      string
	Field         string
	BeforeValue   string
	AfterValue    string
	ActorKind     string
	AgentID       *string
	AgentName     *string
	UserID        *string
	UserName      *string
	ProposalID    *string
	DecisionSeqs  string
	PolicyVersion *int64
	Reverts       *int64
	RevertedBy    *int64
	Reason        string
	Hash          string
	PrevHash      string
}

func (r eventScan) event() Event {
	return Event{Seq: r.Seq, ID: r.ID, At: r.At, ConnectionID: r.ConnectionID, Object: r.Object, RecordID: r.RecordID, Field: r.Field,
		Before: json.RawMessage(r.BeforeValue), After: json.RawMessage(r.AfterValue), ActorKind: r.ActorKind, AgentID: r.AgentID,
		AgentName: r.AgentName, UserID: r.UserID, UserName: r.UserName, ProposalID: r.ProposalID, DecisionSeqs: parseInts(r.DecisionSeqs),
		PolicyVersion: r.PolicyVersion, Reverts: r.Reverts, RevertedBy: r.RevertedBy, Reason: r.Reason, Hash: r.Hash, PrevHash: r.PrevHash}
}

// where renders a filter as SQL conditions on e (and p, the proposal, for a batch).
func (f Filter) where(tenantID string) (string, []any) {
	conds, args := []string{"e.tenant_id = ?"}, []any{tenantID}
	add := func(cond string, v any) { conds, args = append(conds, cond), append(args, v) }
	if f.Object != "" {
		add("e.object = ?", f.Object)
	}
	if f.RecordID != "" {
		add("e.record_id = ?", f.RecordID)
	}
	if f.Field != "" {
		add("e.field = ?", f.Field)
	}
	if f.AgentID != "" {
		add("e.agent_id = ?", f.AgentID)
	}
	if f.ActorKind != "" {
		add("e.actor_kind = ?", f.ActorKind)
	}
	if f.BatchID != "" {
		add("e.proposal_id IN (SELECT id FROM proposals WHERE tenant_id = e.tenant_id AND batch_id = ?)", f.BatchID)
	}
	if f.RolloutID != "" {
		add("e.proposal_id IN (SELECT id FROM proposals WHERE tenant_id = e.tenant_id AND rollout_id = ? AND arm = 'canary')", f.RolloutID)
	}
	if f.Since != nil {
		add("e.at >= ?", *f.Since)
	}
	if f.Until != nil {
		add("e.at < ?", *f.Until)
	}
	return strings.Join(conds, " AND "), args
}

func (s *store) list(ctx context.Context, tenantID string, f Filter, before int64, limit int) ([]Event, error) {
	where, args := f.where(tenantID)
	if before > 0 {
		where += " AND e.seq < ?"
		args = append(args, before)
	}
	var rows []eventScan
	err := s.db.Conn(ctx).Raw(eventSelect+" WHERE "+where+" ORDER BY e.seq DESC LIMIT ?", append(args, limit)...).Scan(&rows).Error
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, err
}

func (s *store) event(ctx context.Context, tenantID string, seq int64) (Event, bool, error) {
	var rows []eventScan
	err := s.db.Conn(ctx).Raw(eventSelect+" WHERE e.tenant_id = ? AND e.seq = ?", tenantID, seq).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return Event{}, false, err
	}
	return rows[0].event(), true, nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func present(n int64, ok bool) *int64 {
	if !ok {
		return nil
	}
	return &n
}

func orNone(xs []int64) []int64 {
	if xs == nil {
		return []int64{}
	}
	return xs
}

// parseInts reads a PostgreSQL bigint[] in text form: {1,2,3}.
func parseInts(s string) []int64 {
	s = strings.Trim(s, "{}")
	out := []int64{}
	if s == "" {
		return out
	}
	for _, p := range strings.Split(s, ",") {
		var n int64
		for _, c := range p {
			n = n*10 + int64(c-'0')
		}
		out = append(out, n)
	}
	return out
}

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func (s *store) seqOf(ctx context.Context, tenantID, id string) (int64, bool, error) {
	var seqs []int64
	err := s.db.Conn(ctx).Raw(`SELECT seq FROM change_events WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&seqs).Error
	if err != nil || len(seqs) == 0 {
		return 0, false, err
	}
	return seqs[0], true, nil
}

// lockChanges takes, for the rest of the transaction, a lock per change to
// undo (in seq order, so two lockers never wait on each other in a circle),
// and returns those already undone.
func (s *store) lockChanges(ctx context.Context, tenantID string, seqs []int64) (map[int64]bool, error) {
	if err := s.db.Conn(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?::text || ':rollback:' || x::text, 0))
		FROM unnest(?::bigint[]) AS x ORDER BY x`, tenantID, int64Array(seqs)).Error; err != nil {
		return nil, err
	}
	var done []int64
	if err := s.db.Conn(ctx).Raw(`SELECT reverts FROM change_events WHERE tenant_id = ? AND reverts = ANY (?::bigint[])`,
		tenantID, int64Array(seqs)).Scan(&done).Error; err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(done))
	for _, d := range done {
		out[d] = true
	}
	return out, nil
}

// supersededBy names, for each of the changes, the newest later change of
// the same field of the same record that is still in force (not itself
// undone): a change written over since is not undone by a plain rollback,
// even when the CRM happens to hold its value again.
func (s *store) supersededBy(ctx context.Context, tenantID string, seqs []int64) (map[int64]int64, error) {
	var rows []struct{ Seq, Later int64 }
	err := s.db.Conn(ctx).Raw(`SELECT e.seq, max(l.seq) AS later FROM change_events e
		JOIN change_events l ON l.tenant_id = e.tenant_id AND l.object = e.object AND l.record_id = e.record_id AND l.field = e.field
		  AND l.connection_id = e.connection_id AND l.seq > e.seq AND l.reverts IS NULL
		WHERE e.tenant_id = ? AND e.seq = ANY (?::bigint[])
		  AND NOT EXISTS (SELECT 1 FROM change_events r WHERE r.tenant_id = l.tenant_id AND r.reverts = l.seq)
		GROUP BY e.seq`, tenantID, int64Array(seqs)).Scan(&rows).Error
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.Seq] = r.Later
	}
	return out, err
}

func int64Array(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatInt(x, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
