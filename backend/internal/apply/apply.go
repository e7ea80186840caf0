// Package apply writes approved changes to the CRM: a job takes a tenant's
// due proposals, re-reads the CRM, sends what no longer matches what the
// agent saw back to review (stale), writes the rest through the connector in
// the provider's batches, confirms each write (by the CRM's answer, or by
// reading it back), and records each outcome — applied with its change
// event, stale, or failed — in one transaction per batch (write.go,
// settle.go).
//
// Exactly once: a proposal is taken (status applying) in a transaction of
// its own before any write, and settled in another after. A worker that dies
// between the two leaves it applying; once its lease is over it is taken
// again, and the CRM is read first: a record that already holds the value is
// settled as applied without a second write.
package apply

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/catalog"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/proposals"
	"countersign/backend/internal/review"
)

// Batch is how many proposals one take holds: HubSpot's batch size.
const Batch = 100

// Deps is what apply needs.
type Deps struct {
	DB        *db.DB
	Clock     clock.Clock
	Catalog   *catalog.Service
	Changelog *changelog.Service
	Review    *review.Service
	Log       *slog.Logger
}

// Service applies due proposals.
type Service struct {
	db        *db.DB
	clock     clock.Clock
	catalog   *catalog.Service
	changelog *changelog.Service
	review    *review.Service
	proposals *proposals.Store
	log       *slog.Logger

	// Hold is how long an approval waits before its write: the reviewer's
	// undo window, and a second.
	Hold time.Duration
	// Lease is how long a taken proposal belongs to its worker.
	Lease time.Duration
}

// New returns the apply service.
func New(d Deps) *Service {
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d.DB, clock: d.Clock, catalog: d.Catalog, changelog: d.Changelog, review: d.Review,
		proposals: proposals.NewStore(d.DB), log: log, Hold: review.UndoWindow + time.Second, Lease: 2 * time.Minute}
}

// SweepArgs is the periodic job that applies every tenant's due proposals
// (approvals whose job was lost, proposals whose worker died).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "apply.sweep" }

type tenantWorker struct {
	river.WorkerDefaults[proposals.ApplyArgs]
	svc *Service
}

func (w *tenantWorker) Work(ctx context.Context, j *river.Job[proposals.ApplyArgs]) error {
	_, err := w.svc.Drain(db.WithTenant(ctx, j.Args.TenantID), j.Args.TenantID)
	return err
}

// RegisterJobs adds the apply job and a sweep every 15 seconds.
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	jobs.Register(j, &tenantWorker{svc: s})
	jobs.EveryTenant[SweepArgs](j, 15*time.Second, func(ctx context.Context, tenantID string) error {
		_, err := s.Drain(ctx, tenantID)
		return err
	})
}

// Result counts what a drain did.
type Result struct{ Applied, Stale, Failed int }

// Drain applies the tenant's due proposals, a batch at a time, until none is due.
func (s *Service) Drain(ctx context.Context, tenantID string) (Result, error) {
	ctx = db.WithTenant(ctx, tenantID)
	var total Result
	conns := map[string]crm.Connector{} // one connector per connection: its rate limit is shared by the drain
	for {
		var taken []proposals.Due
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			var err error
			taken, err = s.proposals.TakeDue(ctx, tenantID, s.clock.Now(), s.Hold, s.Lease, Batch)
			return err
		})
		if err != nil || len(taken) == 0 {
			return total, err
		}
		for _, group := range groups(taken) {
			r, err := s.applyGroupInTime(ctx, tenantID, conns, group)
			total.Applied, total.Stale, total.Failed = total.Applied+r.Applied, total.Stale+r.Stale, total.Failed+r.Failed
			if err != nil {
				return total, err
			}
		}
	}
}

// groups splits taken proposals by connection and object (TakeDue orders them so).
func groups(ds []proposals.Due) [][]proposals.Due {
	var out [][]proposals.Due
	start := 0
	for i := 1; i <= len(ds); i++ {
		if i == len(ds) || ds[i].ConnectionID != ds[start].ConnectionID || ds[i].Object != ds[start].Object {
			out = append(out, ds[start:i])
			start = i
		}
	}
	return out
}

// outcome is what became of one taken proposal.
type outcome struct {
	due     proposals.Due
	status  proposals.Status // applied, stale, failed
	before  any              // the CRM's value before the write
	after   any              // the value written
	current any              // stale: what the CRM holds
	reason  string
	wrote   bool
}

// applyGroupInTime gives a group half its lease: a worker whose CRM is too
// slow gives up well before another may take the group again.
func (s *Service) applyGroupInTime(ctx context.Context, tenantID string, conns map[string]crm.Connector, group []proposals.Due) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.Lease/2)
	defer cancel()
	return s.applyGroup(ctx, tenantID, conns, group)
}

func (s *Service) applyGroup(ctx context.Context, tenantID string, conns map[string]crm.Connector, group []proposals.Due) (Result, error) {
	first := group[0]
	out := make([]outcome, len(group))
	for i, d := range group {
		out[i] = outcome{due: d}
	}
	conn, err := s.connector(ctx, tenantID, conns, first.ConnectionID)
	if err != nil {
		return s.settle(ctx, tenantID, failAll(out, err, "the CRM connection cannot be used: "))
	}
	specs, err := s.catalog.Specs(ctx, tenantID, first.ConnectionID, first.Object, true)
	if err != nil {
		return Result{}, err
	}
	current, err := read(ctx, conn, first.Object, group)
	if err != nil {
		return s.settle(ctx, tenantID, failAll(out, err, "the CRM did not answer the read before the write: "))
	}
	var writing []int
	targeted := map[string]bool{} // one change per field of a record per batch
	for i, d := range group {
		o := &out[i]
		o.after = decode(d.Value)
		if target := d.RecordID + "\x00" + d.Field; targeted[target] {
			// another proposal for this field goes first; this one is read again after the lease
			o.status, o.reason = proposals.Applying, "another change to this field of the record was written first"
			continue
		} else {
			targeted[target] = true
		}
		cur, found := current[d.RecordID]
		spec, known := specs[d.Field]
		switch {
		case !found:
			o.status, o.reason = proposals.Failed, "the record no longer exists in the CRM"
		case !known:
			o.status, o.reason = proposals.Failed, "the field is no longer in the catalog"
		case d.WriteStartedAt != nil && fieldvalue.Same(spec, cur[d.Field], o.after):
			// taken again after a worker died while writing: the write happened
			o.status, o.before, o.reason = proposals.Applied, decode(d.ExpectedOld), "confirmed after a restart"
		case !fieldvalue.Same(spec, cur[d.Field], decode(d.ExpectedOld)):
			o.status, o.current = proposals.Stale, cur[d.Field]
		default:
			if _, err := fieldvalue.Parse(spec, o.after); err != nil {
				o.status, o.reason = proposals.Failed, "the value no longer fits the field: "+err.Error()
				continue
			}
			o.before = cur[d.Field]
			writing = append(writing, i)
		}
	}
	if writing, err = s.markWriting(ctx, tenantID, writing, out); err != nil {
		return Result{}, err
	}
	if len(writing) > 0 {
		s.write(ctx, conn, first.Object, writing, out, specs)
	}
	return s.settle(ctx, tenantID, out)
}

func (s *Service) connector(ctx context.Context, tenantID string, conns map[string]crm.Connector, id string) (crm.Connector, error) {
	if c, ok := conns[id]; ok {
		return c, nil
	}
	c, err := s.catalog.Connector(ctx, tenantID, id)
	if err == nil {
		conns[id] = c
	}
	return c, err
}

// read reads the proposals' fields of their records, by record id.
func read(ctx context.Context, conn crm.Connector, object string, ds []proposals.Due) (map[string]map[string]any, error) {
	ts := make([]crm.Target, len(ds))
	for i, d := range ds {
		ts[i] = crm.Target{RecordID: d.RecordID, Field: d.Field}
	}
	return crm.ReadTargets(ctx, conn, object, ts)
}

func decode(s *string) any {
	if s == nil {
		return nil
	}
	var v any
	if json.Unmarshal([]byte(*s), &v) != nil {
		return nil
	}
	return v
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return string(b)
}
