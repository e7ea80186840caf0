package exports

import (
	"context"
	"encoding/hex"
	"slices"
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
const pageRows = 1000

// eventSelect reads a page of change events, the columns their hash covers,
// by seq; their review facts (written beside them when they were appended)
// and what can still happen to a change (a rollback, a correction, an audit
// finding) are read per page by seq range (see enrich).
const eventSelect = `
SELECT e.seq, e.id::text, e.at, e.connection_id::text, e.object, e.record_id, e.field, e.before_value, e.after_value, e.actor_kind,
       COALESCE(e.agent_id::text, ''), COALESCE(e.user_id::text, ''), COALESCE(e.proposal_id::text, ''), e.decision_seqs,
       e.policy_version, e.reverts, e.reason, e.prev_hash, e.hash
FROM change_events e
WHERE e.tenant_id = $1 AND e.seq > $2 AND e.seq <= $3 AND e.at >= $4 AND e.at < $5`

// where adds the filter's optional conditions (numbered after the five
// arguments of eventSelect); a sensitivity is the policy versions that set it.
func (f Filter) where(versions []int64) (string, []any) {
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
		add("e.policy_version = ANY (?::bigint[])", versions)
	}
	return b.String(), args
}

// reader pages the filter's rows from the log, in seq order. What every
// page shares — agent and user names, each policy version's sensitivity,
// how far reconciliation has read each connection — is read once.
type reader struct {
	pool     *pgxpool.Pool
	tenantID string
	filter   Filter
	maxSeq   int64
	after    int64
	where    string
	args     []any
	agents   map[string]string    // id → name
	users    map[string]string    // id → name (or email)
	policies map[int64]string     // policy version → sensitivity
	cursors  map[string]time.Time // connection → read until
}

func newReader(ctx context.Context, pool *pgxpool.Pool, tenantID string, f Filter, maxSeq int64) (*reader, error) {
	r := &reader{pool: pool, tenantID: tenantID, filter: f, maxSeq: maxSeq, agents: map[string]string{}, users: map[string]string{},
		policies: map[int64]string{}, cursors: map[string]time.Time{}}
	err := readOnly(ctx, pool, tenantID, func(tx pgx.Tx) error {
		if err := collect(ctx, tx, `SELECT id::text, name FROM agents WHERE tenant_id = $1`, []any{tenantID}, func(rows pgx.Rows) error {
			var id, name string
			err := rows.Scan(&id, &name)
			r.agents[id] = name
			return err
		}); err != nil {
			return err
		}
		if err := collect(ctx, tx, `SELECT seq, COALESCE(after->>'sensitivity', '') FROM field_policy_history WHERE tenant_id = $1`,
			[]any{tenantID}, func(rows pgx.Rows) error {
				var seq int64
				var s string
				err := rows.Scan(&seq, &s)
				r.policies[seq] = s
				return err
			}); err != nil {
			return err
		}
		return collect(ctx, tx, `SELECT connection_id::text, read_until FROM reconcile_cursors WHERE tenant_id = $1`, []any{tenantID},
			func(rows pgx.Rows) error {
				var id string
				var until time.Time
				err := rows.Scan(&id, &until)
				r.cursors[id] = until
				return err
			})
	})
	var versions []int64
	for seq, s := range r.policies {
		if s == f.Sensitivity {
			versions = append(versions, seq)
		}
	}
	r.where, r.args = f.where(versions)
	return r, err
}

// count is how many rows the export will write.
func (r *reader) count(ctx context.Context) (int64, error) {
	var n int64
	err := readOnly(ctx, r.pool, r.tenantID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT count(*) FROM change_events e WHERE e.tenant_id = $1 AND e.seq > $2 AND e.seq <= $3 AND e.at >= $4
			AND e.at < $5`+r.where, r.queryArgs(0)...).Scan(&n)
	})
	return n, err
}

func (r *reader) queryArgs(after int64) []any {
	return append([]any{r.tenantID, after, r.maxSeq, r.filter.Since, r.filter.Until}, r.args...)
}

// next reads the next page into rows (reusing its room); an empty page is the end.
func (r *reader) next(ctx context.Context, rows []Row) ([]Row, error) {
	rows = rows[:0]
	err := readOnly(ctx, r.pool, r.tenantID, func(tx pgx.Tx) error {
		err := collect(ctx, tx, eventSelect+r.where+" ORDER BY e.seq LIMIT "+strconv.Itoa(pageRows), r.queryArgs(r.after),
			func(res pgx.Rows) error {
				rows = append(rows, Row{})
				return scanEvent(res, &rows[len(rows)-1])
			})
		if err != nil || len(rows) == 0 {
			return err
		}
		return r.enrich(ctx, tx, rows)
	})
	if len(rows) > 0 {
		r.after = rows[len(rows)-1].Seq
	}
	return rows, err
}

// page is a page of rows the writer holds until it releases it for reuse.
type page struct {
	rows    []Row
	release func()
}

// prefetch reads the pages ahead of the writer: the next page is read while
// the writer works on the one before, in two pages' room used in turn (so
// memory stays flat). done stops the reading and says why it stopped early,
// if it did (a writer that stops first has its own error to report).
func (r *reader) prefetch(ctx context.Context) (<-chan page, func() error) {
	ctx, cancel := context.WithCancel(ctx)
	free := make(chan []Row, 2)
	free <- nil
	free <- nil
	out := make(chan page)
	var err error
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(out)
		for {
			var buf []Row
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			rows, e := r.next(ctx, buf)
			if e != nil || len(rows) == 0 {
				err = e
				return
			}
			select {
			case out <- page{rows: rows, release: func() { free <- rows }}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, func() error {
		cancel()
		for range out { // let the reader see the cancel and stop
		}
		<-stopped
		return err
	}
}

func scanEvent(res pgx.Rows, x *Row) error {
	var prev, hash []byte
	var policy, reverts pgtype.Int8
	if err := res.Scan(&x.Seq, &x.ChangeID, &x.At, &x.ConnectionID, &x.Object, &x.RecordID, &x.Field, &x.Before, &x.After,
		&x.ActorKind, &x.AgentID, &x.UserID, &x.ProposalID, &x.DecisionSeqs, &policy, &reverts, &x.Reason, &prev, &hash); err != nil {
		return err
	}
	x.At = x.At.UTC()
	x.PolicyVersion, x.Reverts = optional(policy), optional(reverts)
	x.PrevHash, x.Hash = hex.EncodeToString(prev), hex.EncodeToString(hash)
	x.facts, x.RouteReasons, x.QuorumMet, x.SLA, x.approverIDs = false, "", "", "", x.approverIDs[:0]
	return nil
}

// reviewFacts reads the page's rows' review facts into them: by the page's
// seq range when its rows are most of it, else by their seqs (a filtered
// export's pages are sparse).
func reviewFacts(b *pgx.Batch, tenantID string, rows []Row) {
	q := `SELECT seq, route_reasons, quorum_met, sla_met, approver_ids::text[] FROM change_reviews WHERE tenant_id = $1 `
	lo, hi := rows[0].Seq, rows[len(rows)-1].Seq
	var args []any
	if hi-lo < 2*int64(len(rows)) {
		q, args = q+`AND seq BETWEEN $2 AND $3 ORDER BY seq`, []any{tenantID, lo, hi}
	} else {
		seqs := make([]int64, len(rows))
		for i := range rows {
			seqs[i] = rows[i].Seq
		}
		q, args = q+`AND seq = ANY ($2::bigint[]) ORDER BY seq`, []any{tenantID, seqs}
	}
	b.Queue(q, args...).Query(func(res pgx.Rows) error { return mergeFacts(rows, res) })
}

// mergeFacts reads review facts in seq order into the rows (in seq order too).
func mergeFacts(rows []Row, res pgx.Rows) error {
	i := 0
	var seq int64
	var quorum, sla pgtype.Bool
	var reasons string
	var approvers []string
	return each(res, func() error {
		if err := res.Scan(&seq, &reasons, &quorum, &sla, &approvers); err != nil {
			return err
		}
		for i < len(rows) && rows[i].Seq < seq { // both in seq order: a merge
			i++
		}
		if i == len(rows) || rows[i].Seq != seq {
			return nil // in the range, not in the filter
		}
		x := &rows[i]
		x.facts, x.RouteReasons, x.approverIDs = true, reasons, append(x.approverIDs, approvers...)
		if quorum.Valid {
			x.QuorumMet = yesNo(quorum.Bool)
		}
		if sla.Valid {
			x.SLA = map[bool]string{true: "met", false: "breached"}[sla.Bool]
		}
		return nil
	})
}

// missingFacts works out, as the append would have, the review facts of the
// page's changes from a proposal that have none stored: changes appended by
// an app copy older than change_reviews while the migration that added it
// ran. It costs nothing when none is missing.
func (r *reader) missingFacts(ctx context.Context, tx pgx.Tx, rows []Row) error {
	var seqs []int64
	for i := range rows {
		if !rows[i].facts && rows[i].ProposalID != "" {
			seqs = append(seqs, rows[i].Seq)
		}
	}
	if len(seqs) == 0 {
		return nil
	}
	res, err := tx.Query(ctx, `SELECT f.seq, f.route_reasons, f.quorum_met, f.sla_met, f.approver_ids::text[]
		FROM unnest($2::bigint[]) s, LATERAL change_review_facts($1, s, s) f ORDER BY f.seq`, r.tenantID, seqs)
	if err != nil {
		return err
	}
	return mergeFacts(rows, res)
}

// enrich fills in, for a page, its review facts and what can happen to a
// change after it was logged (rolled back, corrected in the CRM, found by an
// audit), with one round trip of four queries by the page's seq range, and
// the names.
func (r *reader) enrich(ctx context.Context, tx pgx.Tx, rows []Row) error {
	lo, hi := rows[0].Seq, rows[len(rows)-1].Seq
	rolledBack := map[int64]int64{}
	crmEdited := map[int64]bool{}
	audited := map[int64][2]string{}
	b := &pgx.Batch{}
	reviewFacts(b, r.tenantID, rows)
	b.Queue(`SELECT reverts, seq FROM change_events WHERE tenant_id = $1 AND reverts BETWEEN $2 AND $3`, r.tenantID, lo, hi).
		Query(func(res pgx.Rows) error {
			return each(res, func() error {
				var of, by int64
				err := res.Scan(&of, &by)
				rolledBack[of] = by
				return err
			})
		})
	b.Queue(`SELECT change_seq FROM corrections WHERE tenant_id = $1 AND kind = 'crm_edit' AND change_seq BETWEEN $2 AND $3`,
		r.tenantID, lo, hi).Query(func(res pgx.Rows) error {
		return each(res, func() error {
			var seq int64
			err := res.Scan(&seq)
			crmEdited[seq] = true
			return err
		})
	})
	b.Queue(`SELECT DISTINCT ON (change_seq) change_seq, verdict, note FROM audit_items
		WHERE tenant_id = $1 AND change_seq BETWEEN $2 AND $3 AND verdict IS NOT NULL ORDER BY change_seq, checked_at DESC`,
		r.tenantID, lo, hi).Query(func(res pgx.Rows) error {
		return each(res, func() error {
			var seq int64
			var verdict, note string
			err := res.Scan(&seq, &verdict, &note)
			audited[seq] = [2]string{verdict, note}
			return err
		})
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	if err := r.missingFacts(ctx, tx, rows); err != nil {
		return err
	}
	if err := r.learnUsers(ctx, tx, rows); err != nil {
		return err
	}
	for i := range rows {
		x := &rows[i]
		x.AgentName, x.UserName = r.agents[x.AgentID], r.users[x.UserID]
		x.Approvers = make([]string, 0, 2)
		for _, u := range x.approverIDs {
			if !slices.Contains(x.Approvers, r.users[u]) {
				x.Approvers = append(x.Approvers, r.users[u])
			}
		}
		x.Sensitivity = ""
		if x.PolicyVersion != nil {
			x.Sensitivity = r.policies[*x.PolicyVersion]
		}
		x.CRMConfirmed = "pending"
		if until, ok := r.cursors[x.ConnectionID]; ok && until.After(x.At) {
			x.CRMConfirmed = "confirmed"
		}
		x.CorrectedInCRM = crmEdited[x.Seq]
		x.RolledBackBy = nil
		if by, ok := rolledBack[x.Seq]; ok {
			x.RolledBackBy = &by
		}
		a := audited[x.Seq]
		x.AuditVerdict, x.AuditNote = a[0], a[1]
	}
	return nil
}

// learnUsers reads the names of the page's users not met before.
func (r *reader) learnUsers(ctx context.Context, tx pgx.Tx, rows []Row) error {
	var missing []string
	need := func(id string) {
		if _, ok := r.users[id]; !ok && id != "" && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	for i := range rows {
		need(rows[i].UserID)
		for _, u := range rows[i].approverIDs {
			need(u)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return collect(ctx, tx, `SELECT id::text, COALESCE(NULLIF(name, ''), email) FROM users WHERE id = ANY ($1::uuid[])`, []any{missing},
		func(res pgx.Rows) error {
			var id, name string
			err := res.Scan(&id, &name)
			r.users[id] = name
			return err
		})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// collect runs a query and hands each row to fn.
func collect(ctx context.Context, tx pgx.Tx, q string, args []any, fn func(pgx.Rows) error) error {
	res, err := tx.Query(ctx, q, args...)
	if err != nil {
		return err
	}
	return each(res, func() error { return fn(res) })
}

// each calls fn for each row of res and closes it.
func each(res pgx.Rows, fn func() error) error {
	defer res.Close()
	for res.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return res.Err()
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
