package exports

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pageRows is how many rows one read takes: each page is read by seq in
// one round trip, which PostgreSQL runs as a short implicit transaction (see
// step), so no transaction outlives a page however large the export. (A
// variable: tests read in pages of a few rows.)
var pageRows = 500

// eventSelect reads a page of change events, the columns their hash covers,
// by seq, in binary (see raw.go); their review facts (written beside them
// when they were appended) and what can still happen to a change (a
// rollback, a correction, an audit finding) are read per page by seq range
// (see step).
const eventSelect = `
SELECT e.seq, e.id, e.at, e.connection_id, e.object, e.record_id, e.field, e.before_value, e.after_value, e.actor_kind,
       e.agent_id, e.user_id, e.proposal_id, e.decision_seqs, e.policy_version, e.reverts, e.reason, e.prev_hash, e.hash
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
	text     textRow              // scanEvent's room
	fields   []string             // and the fields it cut
	ids      interned             // approvers' user ids
	reasons  interned             // route reasons
}

func newReader(ctx context.Context, pool *pgxpool.Pool, tenantID string, f Filter, maxSeq int64) (*reader, error) {
	r := &reader{pool: pool, tenantID: tenantID, filter: f, maxSeq: maxSeq, agents: map[string]string{}, users: map[string]string{},
		policies: map[int64]string{}, cursors: map[string]time.Time{},
		ids: interned{m: map[string]string{}, max: 10_000}, reasons: interned{m: map[string]string{}, max: 1_000}}
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

// step is one round trip: a batch, which PostgreSQL runs as one implicit
// transaction, that declares the tenant, reads the facts of the page read
// before (prev: its review facts, rollbacks, CRM corrections and audit
// findings) and the next page's events into rows (reusing its room). An
// empty page is the end. (Taking a page and its facts in a transaction of
// its own cost five round trips a page, which on a busy machine were most of
// an export's time.)
func (r *reader) step(ctx context.Context, prev, rows []Row) ([]Row, error) {
	rows = rows[:0]
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('app.tenant_id', $1, true)`, r.tenantID)
	var f *facts
	if len(prev) > 0 {
		f = r.queueFacts(b, prev)
	}
	b.Queue(eventSelect+r.where+" ORDER BY e.seq LIMIT "+strconv.Itoa(pageRows), r.queryArgs(r.after)...).
		Query(func(res pgx.Rows) error {
			return each(res, func() error {
				if len(rows) < cap(rows) { // a row of an earlier page: its slices' room is reused
					rows = rows[:len(rows)+1]
				} else {
					rows = append(rows, Row{})
				}
				if len(rows) == 1 {
					if err := binaryResult(res); err != nil {
						return err
					}
				}
				return r.scanEvent(res.RawValues(), &rows[len(rows)-1])
			})
		})
	if err := r.pool.SendBatch(ctx, b).Close(); err != nil {
		return rows, err
	}
	if len(rows) > 0 {
		r.after = rows[len(rows)-1].Seq
	}
	if f == nil {
		return rows, nil
	}
	return rows, r.fill(ctx, prev, f)
}

// page is a page of rows the writer holds until it releases it for reuse.
type page struct {
	rows    []Row
	release func()
}

// prefetch reads the pages ahead of the writer: while the writer works on a
// page, the reader reads the facts of the next one and the events of the one
// after it, in three pages' room used in turn (so memory stays flat). done
// stops the reading and says why it stopped early, if it did (a writer that
// stops first has its own error to report).
func (r *reader) prefetch(ctx context.Context) (<-chan page, func() error) {
	ctx, cancel := context.WithCancel(ctx)
	free := make(chan []Row, 3)
	for range 3 {
		free <- nil
	}
	out := make(chan page)
	var err error
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		defer close(out)
		var prev []Row
		for {
			var buf []Row
			select {
			case buf = <-free:
			case <-ctx.Done():
				return
			}
			rows, e := r.step(ctx, prev, buf)
			if e != nil {
				err = e
				return
			}
			if len(prev) > 0 {
				done := prev
				select {
				case out <- page{rows: done, release: func() { free <- done }}:
				case <-ctx.Done():
					return
				}
			}
			if len(rows) == 0 {
				return
			}
			prev = rows
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

// scanEvent reads a row of eventSelect; every field of x is set (x may hold a row of an earlier page).
func (r *reader) scanEvent(v [][]byte, x *Row) error {
	if len(v) != 19 {
		return fmt.Errorf("change event: %d columns", len(v))
	}
	t := &r.text
	t.reset()
	var err error
	var ok bool
	if x.Seq, _, err = rawInt8("seq", v[0]); err != nil {
		return err
	}
	if x.At, err = rawTime("at", v[2]); err != nil {
		return err
	}
	for _, c := range [...]struct {
		col string
		i   int
	}{{"id", 1}, {"connection_id", 3}, {"agent_id", 10}, {"user_id", 11}, {"proposal_id", 12}} {
		if err := t.uuid(c.col, v[c.i]); err != nil {
			return err
		}
	}
	for _, i := range [...]int{4, 5, 6, 7, 8, 9, 16} { // object, record_id, field, before, after, actor_kind, reason
		t.text(v[i])
	}
	t.hex(v[17])
	t.hex(v[18])
	f := t.fields(r.fields[:0])
	r.fields = f
	x.ChangeID, x.ConnectionID, x.AgentID, x.UserID, x.ProposalID = f[0], f[1], f[2], f[3], f[4]
	x.Object, x.RecordID, x.Field, x.Before, x.After, x.ActorKind, x.Reason = f[5], f[6], f[7], f[8], f[9], f[10], f[11]
	x.PrevHash, x.Hash = f[12], f[13]
	if x.DecisionSeqs, err = rawInt8s("decision_seqs", v[13], x.DecisionSeqs[:0]); err != nil {
		return err
	}
	x.PolicyVersion, x.Reverts = nil, nil
	var n int64
	if n, ok, err = rawInt8("policy_version", v[14]); ok {
		x.PolicyVersion = &n
	} else if err != nil {
		return err
	}
	var m int64
	if m, ok, err = rawInt8("reverts", v[15]); ok {
		x.Reverts = &m
	} else if err != nil {
		return err
	}
	x.facts, x.RouteReasons, x.QuorumMet, x.SLA, x.approverIDs = false, "", "", "", x.approverIDs[:0]
	return nil
}

// reviewFacts reads the page's rows' review facts into them: by the page's
// seq range when its rows are most of it, else by their seqs (a filtered
// export's pages are sparse).
func (r *reader) reviewFacts(b *pgx.Batch, rows []Row) {
	q := `SELECT seq, route_reasons, quorum_met, sla_met, approver_ids FROM change_reviews WHERE tenant_id = $1 `
	lo, hi := rows[0].Seq, rows[len(rows)-1].Seq
	var args []any
	if hi-lo < 2*int64(len(rows)) {
		q, args = q+`AND seq BETWEEN $2 AND $3 ORDER BY seq`, []any{r.tenantID, lo, hi}
	} else {
		seqs := make([]int64, len(rows))
		for i := range rows {
			seqs[i] = rows[i].Seq
		}
		q, args = q+`AND seq = ANY ($2::bigint[]) ORDER BY seq`, []any{r.tenantID, seqs}
	}
	b.Queue(q, args...).Query(func(res pgx.Rows) error { return r.mergeFacts(rows, res) })
}

// mergeFacts reads review facts (seq, route_reasons, quorum_met, sla_met,
// approver_ids, in binary) in seq order into the rows (in seq order too).
func (r *reader) mergeFacts(rows []Row, res pgx.Rows) error {
	if err := binaryResult(res); err != nil {
		return err
	}
	i := 0
	return each(res, func() error {
		v := res.RawValues()
		if len(v) != 5 {
			return fmt.Errorf("review facts: %d columns", len(v))
		}
		seq, _, err := rawInt8("seq", v[0])
		if err != nil {
			return err
		}
		for i < len(rows) && rows[i].Seq < seq { // both in seq order: a merge
			i++
		}
		if i == len(rows) || rows[i].Seq != seq {
			return nil // in the range, not in the filter
		}
		x := &rows[i]
		x.facts, x.RouteReasons = true, r.reasons.of(v[1])
		if quorum, ok, err := rawBool("quorum_met", v[2]); err != nil {
			return err
		} else if ok {
			x.QuorumMet = yesNo(quorum)
		}
		if met, ok, err := rawBool("sla_met", v[3]); err != nil {
			return err
		} else if ok {
			x.SLA = "breached"
			if met {
				x.SLA = "met"
			}
		}
		var id [36]byte
		return rawArray("approver_ids", v[4], 16, func(u []byte) {
			x.approverIDs = append(x.approverIDs, r.ids.of(appendUUID(id[:0], u)))
		})
	})
}

// missingFacts works out, as the append would have, the review facts of the
// page's changes from a proposal that have none stored: changes appended by
// an app copy older than change_reviews while the migration that added it
// ran. It costs nothing when none is missing.
func (r *reader) missingFacts(ctx context.Context, tx pgx.Tx, rows []Row) error {
	seqs := factless(rows)
	if len(seqs) == 0 {
		return nil
	}
	res, err := tx.Query(ctx, `SELECT f.seq, f.route_reasons, f.quorum_met, f.sla_met, f.approver_ids
		FROM unnest($2::bigint[]) s, LATERAL change_review_facts($1, s, s) f ORDER BY f.seq`, r.tenantID, seqs)
	if err != nil {
		return err
	}
	return r.mergeFacts(rows, res)
}

// factless are the seqs of a page's changes from a proposal with no review facts read.
func factless(rows []Row) []int64 {
	var seqs []int64
	for i := range rows {
		if !rows[i].facts && rows[i].ProposalID != "" {
			seqs = append(seqs, rows[i].Seq)
		}
	}
	return seqs
}

// facts are what can happen to a page's changes after they were logged,
// read by queueFacts: rolled back (by seq), corrected in the CRM, found by
// an audit (verdict and note).
type facts struct {
	rolledBack map[int64]int64
	crmEdited  map[int64]bool
	audited    map[int64][2]string
}

// queueFacts adds to b the queries of a page's review facts and of what
// happened to its changes since, by the page's seq range.
func (r *reader) queueFacts(b *pgx.Batch, rows []Row) *facts {
	lo, hi := rows[0].Seq, rows[len(rows)-1].Seq
	f := &facts{rolledBack: map[int64]int64{}, crmEdited: map[int64]bool{}, audited: map[int64][2]string{}}
	r.reviewFacts(b, rows)
	b.Queue(`SELECT reverts, seq FROM change_events WHERE tenant_id = $1 AND reverts BETWEEN $2 AND $3`, r.tenantID, lo, hi).
		Query(func(res pgx.Rows) error {
			return each(res, func() error {
				var of, by int64
				err := res.Scan(&of, &by)
				f.rolledBack[of] = by
				return err
			})
		})
	b.Queue(`SELECT change_seq FROM corrections WHERE tenant_id = $1 AND kind = 'crm_edit' AND change_seq BETWEEN $2 AND $3`,
		r.tenantID, lo, hi).Query(func(res pgx.Rows) error {
		return each(res, func() error {
			var seq int64
			err := res.Scan(&seq)
			f.crmEdited[seq] = true
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
			f.audited[seq] = [2]string{verdict, note}
			return err
		})
	})
	return f
}

// fill completes a page from its facts: review facts missing from the
// store (rare: see missingFacts) and names not met before are read in a
// transaction of their own; the rest is from what the reader holds.
func (r *reader) fill(ctx context.Context, rows []Row, f *facts) error {
	if len(factless(rows)) > 0 || len(r.unknownUsers(rows)) > 0 {
		if err := readOnly(ctx, r.pool, r.tenantID, func(tx pgx.Tx) error {
			if err := r.missingFacts(ctx, tx, rows); err != nil {
				return err
			}
			return r.learnUsers(ctx, tx, rows)
		}); err != nil {
			return err
		}
	}
	for i := range rows {
		x := &rows[i]
		x.AgentName, x.UserName = r.agents[x.AgentID], r.users[x.UserID]
		if x.Approvers == nil {
			x.Approvers = make([]string, 0, 2) // [] in JSON, not null
		}
		x.Approvers = x.Approvers[:0]
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
		x.CorrectedInCRM = f.crmEdited[x.Seq]
		x.RolledBackBy = nil
		if by, ok := f.rolledBack[x.Seq]; ok {
			x.RolledBackBy = &by
		}
		a := f.audited[x.Seq]
		x.AuditVerdict, x.AuditNote = a[0], a[1]
	}
	return nil
}

// unknownUsers are the page's users (and approvers) whose names the reader has not read.
func (r *reader) unknownUsers(rows []Row) []string {
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
	return missing
}

// learnUsers reads the names of the page's users not met before.
func (r *reader) learnUsers(ctx context.Context, tx pgx.Tx, rows []Row) error {
	missing := r.unknownUsers(rows)
	if len(missing) == 0 {
		return nil
	}
	for _, id := range missing {
		r.users[id] = "" // unless found: a user no longer there is not looked for again
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
