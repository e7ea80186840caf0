package catalog

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
)

// SyncArgs is the job that syncs one run.
type SyncArgs struct {
	TenantID string `json:"tenant_id"`
	RunID    string `json:"run_id"`
}

// Kind names the job.
func (SyncArgs) Kind() string { return "catalog.sync" }

// ScheduleArgs is the periodic job that queues due scheduled syncs.
type ScheduleArgs struct{}

// Kind names the job.
func (ScheduleArgs) Kind() string { return "catalog.schedule" }

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	svc *Service
}

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	return w.svc.RunSync(ctx, job.Args.TenantID, job.Args.RunID)
}

// Timeout leaves room for big catalogs behind strict rate limits.
func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 15 * time.Minute }

// queueSync creates a queued run and its job in ctx's transaction; if a sync
// of the connection is already queued or running, that one is returned.
func (s *Service) queueSync(ctx context.Context, c Connection, trigger, userID string) (SyncRun, error) {
	if run, err := s.store.ActiveRun(ctx, c.TenantID, c.ID); err == nil {
		return run, nil
	} else if !db.NotFound(err) {
		return SyncRun{}, err
	}
	id, err := s.store.CreateRun(ctx, c.TenantID, c.ID, trigger, userID, s.Clock.Now())
	if err != nil {
		return SyncRun{}, err
	}
	if s.Jobs != nil {
		if err := s.Jobs.Enqueue(ctx, SyncArgs{TenantID: c.TenantID, RunID: id}); err != nil {
			return SyncRun{}, err
		}
	}
	return s.store.Run(ctx, c.TenantID, id)
}

// StartSync queues a sync of the connection (or returns the one in progress).
func (s *Service) StartSync(ctx context.Context, actor principal.Principal, connectionID string) (SyncRun, error) {
	var run SyncRun
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		c, _, err := s.find(ctx, actor.TenantID, connectionID)
		if err != nil {
			return err
		}
		run, err = s.queueSync(ctx, c, "manual", actor.UserID)
		return err
	})
	return run, err
}

// Runs lists a connection's recent syncs.
func (s *Service) Runs(ctx context.Context, tenantID, connectionID string) ([]SyncRun, error) {
	if _, _, err := s.find(ctx, tenantID, connectionID); err != nil {
		return nil, err
	}
	return s.store.Runs(ctx, tenantID, connectionID, 20)
}

// Run finds one sync run.
func (s *Service) Run(ctx context.Context, tenantID, id string) (SyncRun, error) {
	if !db.IsUUID(id) {
		return SyncRun{}, problem.NotFound("sync run")
	}
	run, err := s.store.Run(ctx, tenantID, id)
	if db.NotFound(err) {
		return run, problem.NotFound("sync run")
	}
	return run, err
}

// RunSync performs a queued run: fetch every object's fields (reporting
// progress), then write the differences in one transaction. A CRM failure
// fails the run with a message fit for the console; it is not retried by the
// queue, since the admin sees it and can sync again.
func (s *Service) RunSync(ctx context.Context, tenantID, runID string) error {
	if tenantID == "" {
		return fmt.Errorf("sync run %s: %w", runID, db.ErrNoTenant)
	}
	ctx = db.WithTenant(ctx, tenantID)
	run, err := s.store.RunByID(ctx, runID)
	if db.NotFound(err) {
		return nil // the run is gone; nothing to do
	} else if err != nil {
		return err
	}
	started, err := s.store.StartRun(ctx, runID, s.Clock.Now())
	if err != nil || !started {
		return err // already done by an earlier attempt
	}
	c, sealed, err := s.store.Connection(ctx, run.TenantID, run.ConnectionID)
	if err != nil {
		return s.failRun(ctx, run, c, err)
	}
	conn, err := s.connector(ctx, c, sealed)
	if err != nil {
		return s.failRun(ctx, run, c, err)
	}
	seen, err := fetchFields(ctx, conn, func(p SyncProgress) { s.store.SetProgress(ctx, runID, p) })
	if err != nil {
		return s.failRun(ctx, run, c, err)
	}
	var summary SyncSummary
	err = s.DB.InTx(ctx, func(ctx context.Context) error {
		existing, hashes, err := s.store.ConnectionFields(ctx, run.TenantID, run.ConnectionID)
		if err != nil {
			return err
		}
		p := planSync(existing, hashes, seen)
		now := s.Clock.Now()
		if err := s.apply(ctx, c, p, now); err != nil {
			return err
		}
		summary = p.summary
		if summary.NeedsDecision, err = s.store.CountUndecided(ctx, run.TenantID, run.ConnectionID); err != nil {
			return err
		}
		if err := s.store.FinishRun(ctx, runID, "succeeded", &summary, "", now); err != nil {
			return err
		}
		return s.store.SetConnectionStatus(ctx, c.TenantID, c.ID, "ok", "", &now, nextSync(c, now))
	})
	if err != nil {
		return s.failRun(ctx, run, c, err)
	}
	return nil
}

func (s *Service) failRun(ctx context.Context, run SyncRun, c Connection, cause error) error {
	msg := userMessage(cause)
	now := s.Clock.Now()
	if s.Log != nil {
		s.Log.Warn("sync failed", "run", run.ID, "connection", run.ConnectionID, "error", msg)
	}
	if err := s.store.FinishRun(ctx, run.ID, "failed", nil, msg, now); err != nil {
		return err
	}
	if c.ID == "" {
		return nil
	}
	return s.store.SetConnectionStatus(ctx, c.TenantID, c.ID, "error", msg, nil, nextSync(c, now))
}

// QueueDueSyncs queues the scheduled syncs that are due in ctx's tenant (the
// periodic job runs it once per tenant).
func (s *Service) QueueDueSyncs(ctx context.Context) (int, error) {
	due, err := s.store.DueConnections(ctx, s.Clock.Now())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range due {
		err := s.DB.InTx(ctx, func(ctx context.Context) error {
			// move the schedule first, so a failing CRM is not retried every minute
			now := s.Clock.Now()
			if err := s.store.SetConnectionStatus(ctx, c.TenantID, c.ID, c.Status, c.LastError, nil, nextSync(c, now)); err != nil {
				return err
			}
			_, err := s.queueSync(ctx, c, "schedule", "")
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
