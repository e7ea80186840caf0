package changelog

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// previewChecks is how many matching changes a preview reads from the CRM.
const previewChecks = 2000

// Preview is what a bulk rollback would do.
type Preview struct {
	Total     int        `json:"total"`
	Checked   int        `json:"checked"`
	Conflicts int        `json:"conflicts"`
	Samples   []Conflict `json:"samples"`
}

// BulkRollback is a bulk rollback job: its progress and its report.
type BulkRollback struct {
	ID         string     `json:"id"`
	Filter     Filter     `json:"filter"`
	Reason     string     `json:"reason"`
	State      string     `json:"state"`
	Total      int        `json:"total"`
	Reverted   int        `json:"reverted"`
	Skipped    int        `json:"skipped"`
	Conflicts  int        `json:"conflicts"`
	Failed     int        `json:"failed"`
	Report     []Conflict `json:"report"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Error      *string    `json:"error"`
	MaxSeq     int64      `json:"-"`
	CreatedBy  *string    `json:"-"`
}

// checkBulk refuses a filter that would roll back everything by accident.
func checkBulk(f Filter) error {
	if err := f.Check(); err != nil {
		return err
	}
	if f.AgentID == "" && f.BatchID == "" && f.RolloutID == "" && f.Field == "" && f.RecordID == "" && f.Since == nil {
		return problem.InvalidField("filter", "name an agent, a batch, a rollout, a field, a record or a start time: a bulk rollback never takes the whole log")
	}
	return nil
}

// pending selects the filter's changes still to undo, newest first: not
// rollbacks themselves, not rolled back, at most maxSeq, and not already in
// the report of the bulk rollback reportOf (a conflict or failure left for a
// person). A preview passes "" for reportOf.
func (s *store) pending(ctx context.Context, tenantID string, f Filter, maxSeq int64, reportOf string, limit int) ([]Event, error) {
	where, args := f.where(tenantID)
	where += " AND e.reverts IS NULL AND r.seq IS NULL AND e.seq <= ?"
	args = append(args, maxSeq)
	if reportOf != "" {
		where += ` AND NOT EXISTS (SELECT 1 FROM rollbacks b, jsonb_array_elements(b.report) x
			WHERE b.tenant_id = e.tenant_id AND b.id = ? AND (x->>'seq')::bigint = e.seq)`
		args = append(args, reportOf)
	}
	var rows []eventScan
	err := s.db.Conn(ctx).Raw(eventSelect+" WHERE "+where+" ORDER BY e.seq DESC LIMIT ?", append(args, limit)...).Scan(&rows).Error
	out := make([]Event, len(rows))
	for i, r := range rows {
		out[i] = r.event()
	}
	return out, err
}

func (s *store) countPending(ctx context.Context, tenantID string, f Filter, maxSeq int64) (int, error) {
	where, args := f.where(tenantID)
	where += " AND e.reverts IS NULL AND NOT EXISTS (SELECT 1 FROM change_events r WHERE r.tenant_id = e.tenant_id AND r.reverts = e.seq) AND e.seq <= ?"
	var n int
	err := s.db.Conn(ctx).Raw("SELECT count(*) FROM change_events e WHERE "+where, append(args, maxSeq)...).Scan(&n).Error
	return n, err
}

// PreviewRollback counts what a bulk rollback of the filter would undo and
// reads the CRM for the first changes, counting conflicts.
func (s *Service) PreviewRollback(ctx context.Context, actor principal.Principal, f Filter) (Preview, error) {
	if err := checkBulk(f); err != nil {
		return Preview{}, err
	}
	h, err := s.store.head(ctx, actor.TenantID)
	if err != nil {
		return Preview{}, err
	}
	var p Preview
	if p.Total, err = s.store.countPending(ctx, actor.TenantID, f, h.Seq); err != nil {
		return p, err
	}
	events, err := s.store.pending(ctx, actor.TenantID, f, h.Seq, "", previewChecks)
	if err != nil {
		return p, err
	}
	p.Samples = []Conflict{}
	// an older change of a field waits for the newer one: only the newest is
	// read against the CRM (the older ones then find what they wrote)
	for _, group := range byTarget(firstPerTarget(events)) {
		conflicts, err := s.conflicts(ctx, actor.TenantID, group)
		if err != nil {
			return p, err
		}
		p.Checked += len(group)
		p.Conflicts += len(conflicts)
		for _, c := range conflicts {
			if len(p.Samples) < 50 {
				p.Samples = append(p.Samples, c)
			}
		}
	}
	return p, nil
}

// conflicts are the group's changes the CRM no longer holds.
func (s *Service) conflicts(ctx context.Context, tenantID string, group []Event) ([]Conflict, error) {
	conn, err := s.catalog.Connector(ctx, tenantID, group[0].ConnectionID)
	if err != nil {
		return nil, problem.Unavailable("crm_unavailable", "The CRM connection cannot be used: "+crm.Describe(err))
	}
	specs, err := s.catalog.Specs(ctx, tenantID, group[0].ConnectionID, group[0].Object, false)
	if err != nil {
		return nil, err
	}
	current, err := readValues(ctx, conn, group[0].Object, group)
	if err != nil {
		return nil, problem.Unavailable("crm_unavailable", "The CRM did not answer: "+crm.Describe(err))
	}
	later, err := s.store.supersededBy(ctx, tenantID, seqsOf(group))
	if err != nil {
		return nil, err
	}
	var out []Conflict
	for _, ev := range group {
		cur, found := lookup(current, ev.RecordID, ev.Field)
		c := Conflict{Seq: ev.Seq, Object: ev.Object, RecordID: ev.RecordID, Field: ev.Field, Before: ev.Before, Ours: ev.After,
			Current: jsonOf(cur)}
		spec, ok := specs[ev.Field]
		switch {
		case !found:
			c.Problem = "the record no longer exists in the CRM"
		case later[ev.Seq] != 0:
			c.Problem = supersededProblem(later[ev.Seq])
		case !ok || !fieldvalue.Same(spec, cur, decode(ev.After)):
			c.Problem = "the CRM no longer holds the value this change wrote"
		default:
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// byTarget splits events by connection and object, keeping seq order within each.
func byTarget(events []Event) [][]Event {
	idx := map[string]int{}
	var out [][]Event
	for _, ev := range events {
		k := ev.ConnectionID + "\x00" + ev.Object
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], ev)
	}
	return out
}

// RollbackArgs is the job that runs a bulk rollback.
type RollbackArgs struct {
	TenantID   string `json:"tenant_id"`
	RollbackID string `json:"rollback_id"`
}

// Kind names the job.
func (RollbackArgs) Kind() string { return "changelog.rollback" }

type rollbackWorker struct {
	river.WorkerDefaults[RollbackArgs]
	svc *Service
}

func (w *rollbackWorker) Work(ctx context.Context, j *river.Job[RollbackArgs]) error {
	ctx = db.WithTenant(ctx, j.Args.TenantID)
	err := w.svc.RunRollback(ctx, j.Args.TenantID, j.Args.RollbackID)
	if err != nil && j.Attempt >= j.MaxAttempts { // no more tries: say so, and free the filter for a new run
		return errors.Join(err, w.svc.failRollback(ctx, j.Args.TenantID, j.Args.RollbackID, err.Error()))
	}
	return err
}

// CheckpointArgs is the hourly job that signs each tenant's head.
type CheckpointArgs struct{}

// Kind names the job.
func (CheckpointArgs) Kind() string { return "changelog.checkpoint" }

// RegisterJobs adds the bulk rollback job, the hourly checkpoint and the
// reconciliation every 5 minutes.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	jobs.Register(j, &rollbackWorker{svc: s})
	jobs.EveryTenant[CheckpointArgs](j, time.Hour, s.CheckpointNow)
	jobs.EveryTenant[ReconcileArgs](j, reconcileEvery, func(ctx context.Context, tenantID string) error {
		_, err := s.Reconcile(ctx, tenantID)
		return err
	})
}

// StartRollback starts a bulk rollback of the filter's changes up to the
// log's head now, as a job. A rollback of the same filter still running is
// answered instead of a second one.
func (s *Service) StartRollback(ctx context.Context, actor principal.Principal, f Filter, reason string) (BulkRollback, error) {
	if err := checkBulk(f); err != nil {
		return BulkRollback{}, err
	}
	if len(reason) > 2000 {
		return BulkRollback{}, problem.InvalidField("reason", "must be at most 2000 characters")
	}
	for _, t := range []*time.Time{f.Since, f.Until} {
		if t != nil {
			*t = t.UTC() // one filter, one key, whatever the offset it came in
		}
	}
	filter, err := json.Marshal(f)
	if err != nil {
		return BulkRollback{}, err
	}
	var id string
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		h, err := s.store.head(ctx, actor.TenantID)
		if err != nil {
			return err
		}
		total, err := s.store.countPending(ctx, actor.TenantID, f, h.Seq)
		if err != nil {
			return err
		}
		var ids []string
		if err := s.db.Conn(ctx).Raw(`INSERT INTO rollbacks (tenant_id, filter, filter_key, reason, state, total, max_seq, created_by, created_at)
			VALUES (?, ?::jsonb, ?, ?, 'running', ?, ?, ?, ?) ON CONFLICT (tenant_id, filter_key) WHERE state = 'running' DO NOTHING RETURNING id`,
			actor.TenantID, string(filter), string(filter), strings.TrimSpace(reason), total, h.Seq, actor.UserID, s.clock.Now()).
			Scan(&ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 { // one is running: answer it
			return s.db.Conn(ctx).Raw(`SELECT id FROM rollbacks WHERE tenant_id = ? AND filter_key = ? AND state = 'running'`,
				actor.TenantID, string(filter)).Scan(&id).Error
		}
		id = ids[0]
		return jobs.EnqueueAt(ctx, s.db, RollbackArgs{TenantID: actor.TenantID, RollbackID: id}, time.Time{})
	})
	if err != nil {
		return BulkRollback{}, err
	}
	return s.GetRollback(ctx, actor.TenantID, id)
}

// RunRollback works a bulk rollback from where it stopped, newest change
// first: each round takes the next changes still to undo (one per field of
// a record, so an older change of the same field is undone after the newer
// one, against what the CRM holds then), and each group's undos and the
// job's progress commit together. A change is either undone, in the report,
// or still to do, so a rerun skips what is done.
func (s *Service) RunRollback(ctx context.Context, tenantID, id string) error {
	b, err := s.GetRollback(ctx, tenantID, id)
	if err != nil || b.State != "running" {
		return err
	}
	actor := principal.Principal{TenantID: tenantID, Name: "bulk rollback"}
	if b.CreatedBy != nil {
		actor.UserID = *b.CreatedBy
		if name, err := s.userName(ctx, *b.CreatedBy); err != nil {
			return err
		} else if name != "" {
			actor.Name = name
		}
	}
	for {
		events, err := s.store.pending(ctx, tenantID, b.Filter, b.MaxSeq, id, 100)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			break
		}
		for _, group := range byTarget(firstPerTarget(events)) {
			_, err := s.revert(ctx, actor, group, RollbackInput{Reason: b.Reason}, func(ctx context.Context, res []RollbackResult) error {
				var p progress
				p.add(res)
				return s.advance(ctx, tenantID, id, p)
			})
			if pe, ok := problem.As(err); ok && pe.Code == "crm_unavailable" {
				return s.failRollback(ctx, tenantID, id, pe.Detail)
			} else if err != nil {
				return err
			}
		}
	}
	return s.db.Conn(ctx).Exec(`UPDATE rollbacks SET state = 'done', finished_at = ?, skipped = GREATEST(total - reverted - conflicts - failed, 0)
		WHERE tenant_id = ? AND id = ? AND state = 'running'`, s.clock.Now(), tenantID, id).Error
}

// firstPerTarget keeps the first (newest) change of each field of a record.
func firstPerTarget(events []Event) []Event {
	seen := map[string]bool{}
	var out []Event
	for _, ev := range events {
		k := ev.ConnectionID + "\x00" + ev.Object + "\x00" + ev.RecordID + "\x00" + ev.Field
		if !seen[k] {
			seen[k] = true
			out = append(out, ev)
		}
	}
	return out
}

func (s *Service) userName(ctx context.Context, userID string) (string, error) {
	var names []string
	err := s.db.Conn(ctx).Raw(`SELECT name FROM users WHERE id = ?`, userID).Scan(&names).Error
	if len(names) == 0 {
		return "", err
	}
	return names[0], err
}

// progress is what one page of a bulk rollback did.
type progress struct {
	reverted, conflicts, failed int
	report                      []Conflict
}

func (p *progress) add(res []RollbackResult) {
	for _, r := range res {
		switch r.Status {
		case "reverted":
			p.reverted++
		case "conflict":
			p.conflicts++
			p.report = append(p.report, *r.Conflict)
		case "failed":
			p.failed++
			p.report = append(p.report, *r.Conflict)
		}
	}
}

func (s *Service) advance(ctx context.Context, tenantID, id string, p progress) error {
	report, err := json.Marshal(orEmpty(p.report))
	if err != nil {
		return err
	}
	return s.db.Conn(ctx).Exec(`UPDATE rollbacks SET reverted = reverted + ?, conflicts = conflicts + ?, failed = failed + ?,
		report = report || ?::jsonb WHERE tenant_id = ? AND id = ?`, p.reverted, p.conflicts, p.failed, string(report), tenantID, id).Error
}

func (s *Service) failRollback(ctx context.Context, tenantID, id, why string) error {
	return s.db.Conn(ctx).Exec(`UPDATE rollbacks SET state = 'failed', error = ?, finished_at = ? WHERE tenant_id = ? AND id = ?`,
		why, s.clock.Now(), tenantID, id).Error
}

// GetRollback returns a bulk rollback, or 404.
func (s *Service) GetRollback(ctx context.Context, tenantID, id string) (BulkRollback, error) {
	if !db.IsUUID(id) {
		return BulkRollback{}, problem.NotFound("rollback")
	}
	rs, err := s.rollbacks(ctx, tenantID, "id = ?", id)
	if err != nil {
		return BulkRollback{}, err
	}
	if len(rs) == 0 {
		return BulkRollback{}, problem.NotFound("rollback")
	}
	return rs[0], nil
}

// Rollbacks lists the tenant's recent bulk rollbacks.
func (s *Service) Rollbacks(ctx context.Context, tenantID string) ([]BulkRollback, error) {
	return s.rollbacks(ctx, tenantID, "true")
}

func (s *Service) rollbacks(ctx context.Context, tenantID, cond string, args ...any) ([]BulkRollback, error) {
	var rows []struct {
		ID, Reason, State                           string
		Total, Reverted, Skipped, Conflicts, Failed int
		FilterJSON, ReportJSON                      string
		CreatedAt                                   time.Time
		FinishedAt                                  *time.Time
		Error, CreatedBy                            *string
		MaxSeq, CursorSeq                           int64
	}
	err := s.db.Conn(ctx).Raw(`SELECT id, filter::text AS filter_json, reason, state, total, reverted, skipped, conflicts, failed,
		report::text AS report_json, created_at, finished_at, error, max_seq, created_by
		FROM rollbacks WHERE tenant_id = ? AND `+cond+` ORDER BY created_at DESC LIMIT 50`, append([]any{tenantID}, args...)...).Scan(&rows).Error
	out := make([]BulkRollback, len(rows))
	for i, r := range rows {
		out[i] = BulkRollback{ID: r.ID, Reason: r.Reason, State: r.State, Total: r.Total, Reverted: r.Reverted, Skipped: r.Skipped,
			Conflicts: r.Conflicts, Failed: r.Failed, CreatedAt: r.CreatedAt, FinishedAt: r.FinishedAt, Error: r.Error, MaxSeq: r.MaxSeq,
			CreatedBy: r.CreatedBy}
		if err := json.Unmarshal([]byte(r.FilterJSON), &out[i].Filter); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(r.ReportJSON), &out[i].Report); err != nil {
			return nil, err
		}
	}
	return out, err
}

func orEmpty(cs []Conflict) []Conflict {
	if cs == nil {
		return []Conflict{}
	}
	return cs
}
