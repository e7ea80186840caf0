package exports

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pageRows is how many rows one read takes: each page is its own short,
// read-only transaction, keyed by seq, so no transaction outlives a page
// however large the export.
const pageRows = 5000

// rowSelect reads a page of change events with what an auditor asks of
// each: the approvers and quorum of its review, the sensitivity of the
// policy version in force at decision time, the route reasons, the SLA,
// whether reconciliation has read the CRM past the write, who undid it,
// and the latest sample-audit finding.
const rowSelect = `
SELECT e.seq, e.id::text, e.at, e.connection_id::text, e.object, e.record_id, e.field, e.before_value, e.after_value, e.actor_kind,
       COALESCE(e.agent_id::text, ''), COALESCE(a.name, ''), COALESCE(e.user_id::text, ''), COALESCE(NULLIF(u.name, ''), u.email, ''),
       COALESCE(e.proposal_id::text, ''), e.decision_seqs,
       COALESCE((SELECT array_agg(COALESCE(NULLIF(du.name, ''), du.email) ORDER BY d.seq) FROM review_decisions d JOIN users du ON du.id = d.user_id
                 WHERE d.tenant_id = e.tenant_id AND d.seq = ANY (e.decision_seqs) AND d.verdict IN ('approve', 'edit')), '{}'),
       CASE WHEN ri.proposal_id IS NULL THEN '' WHEN cardinality(ri.approved_by) >= ri.approvals_required THEN 'yes' ELSE 'no' END,
       COALESCE(ph.after->>'sensitivity', ''), e.policy_version,
       COALESCE((SELECT string_agg(x->>'code', '; ') FROM jsonb_array_elements(p.reasons) x), ''),
       CASE WHEN ri.decided_at IS NULL THEN '' WHEN ri.decided_at <= ri.due_at AND ri.escalated_at IS NULL THEN 'met' ELSE 'breached' END,
       CASE WHEN rc.read_until > e.at THEN 'confirmed' ELSE 'pending' END,
       EXISTS (SELECT 1 FROM corrections k WHERE k.tenant_id = e.tenant_id AND k.change_seq = e.seq AND k.kind = 'crm_edit'),
       r.seq, e.reverts, e.reason,
       COALESCE(ai.verdict, ''), COALESCE(ai.note, ''),
       e.prev_hash, e.hash
FROM change_events e
LEFT JOIN agents a ON a.tenant_id = e.tenant_id AND a.id = e.agent_id
LEFT JOIN users u ON u.id = e.user_id
LEFT JOIN proposals p ON p.tenant_id = e.tenant_id AND p.id = e.proposal_id
LEFT JOIN review_items ri ON ri.tenant_id = e.tenant_id AND ri.proposal_id = e.proposal_id
LEFT JOIN field_policy_history ph ON ph.tenant_id = e.tenant_id AND ph.seq = e.policy_version
LEFT JOIN change_events r ON r.tenant_id = e.tenant_id AND r.reverts = e.seq
LEFT JOIN reconcile_cursors rc ON rc.tenant_id = e.tenant_id AND rc.connection_id = e.connection_id
LEFT JOIN LATERAL (SELECT x.verdict, x.note FROM audit_items x WHERE x.tenant_id = e.tenant_id AND x.change_seq = e.seq
                   AND x.verdict IS NOT NULL ORDER BY x.checked_at DESC LIMIT 1) ai ON true
WHERE e.tenant_id = $1 AND e.seq > $2 AND e.seq <= $3 AND e.at >= $4 AND e.at < $5`

// where adds the filter's optional conditions to rowSelect's, numbering
// the arguments after the five it has.
func (f Filter) where() (string, []any) {
	var b strings.Builder
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		b.WriteString(" AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(5+len(args))))
	}
	if f.AgentID != "" {
		add("e.agent_id = ?::uuid", f.AgentID)
	}
	if f.Field != "" {
		add("e.field = ?", f.Field)
	}
	if f.Object != "" {
		add("e.object = ?", f.Object)
	}
	if f.ActorKind != "" {
		add("e.actor_kind = ?", f.ActorKind)
	}
	if f.Sensitivity != "" {
		add("ph.after->>'sensitivity' = ?", f.Sensitivity)
	}
	return b.String(), args
}

// reader pages the filter's rows from the log, in seq order.
type reader struct {
	pool     *pgxpool.Pool
	tenantID string
	filter   Filter
	maxSeq   int64
	after    int64
	query    string
	args     []any
}

func newReader(pool *pgxpool.Pool, tenantID string, f Filter, maxSeq int64) *reader {
	w, args := f.where()
	return &reader{pool: pool, tenantID: tenantID, filter: f, maxSeq: maxSeq,
		query: rowSelect + w + " ORDER BY e.seq LIMIT " + strconv.Itoa(pageRows), args: args}
}

// next reads the next page into rows (reusing its room); an empty page is the end.
func (r *reader) next(ctx context.Context, rows []Row) ([]Row, error) {
	rows = rows[:0]
	err := readOnly(ctx, r.pool, r.tenantID, func(tx pgx.Tx) error {
		args := append([]any{r.tenantID, r.after, r.maxSeq, r.filter.Since, r.filter.Until}, r.args...)
		res, err := tx.Query(ctx, r.query, args...)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			rows = append(rows, Row{})
			if err := scanRow(res, &rows[len(rows)-1]); err != nil {
				return err
			}
		}
		return res.Err()
	})
	if len(rows) > 0 {
		r.after = rows[len(rows)-1].Seq
	}
	return rows, err
}

func scanRow(res pgx.Rows, x *Row) error {
	var prev, hash []byte
	var at time.Time
	var policy, rolledBack, reverts pgtype.Int8
	if err := res.Scan(&x.Seq, &x.ChangeID, &at, &x.ConnectionID, &x.Object, &x.RecordID, &x.Field, &x.Before, &x.After,
		&x.ActorKind, &x.AgentID, &x.AgentName, &x.UserID, &x.UserName, &x.ProposalID, &x.DecisionSeqs, &x.Approvers,
		&x.QuorumMet, &x.Sensitivity, &policy, &x.RouteReasons, &x.SLA, &x.CRMConfirmed, &x.CorrectedInCRM, &rolledBack,
		&reverts, &x.Reason, &x.AuditVerdict, &x.AuditNote, &prev, &hash); err != nil {
		return err
	}
	x.At = at.UTC()
	x.PolicyVersion, x.RolledBackBy, x.Reverts = optional(policy), optional(rolledBack), optional(reverts)
	x.PrevHash, x.Hash = hex.EncodeToString(prev), hex.EncodeToString(hash)
	return nil
}

func optional(n pgtype.Int8) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// readOnly runs fn in a read-only transaction that declares the tenant.
func readOnly(ctx context.Context, pool *pgxpool.Pool, tenantID string, fn func(pgx.Tx) error) error {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenantID); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
