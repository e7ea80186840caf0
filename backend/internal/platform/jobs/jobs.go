// Package jobs runs background work on River, PostgreSQL's job queue.
//
// Capabilities enqueue with Enqueue inside their own transaction: the job is
// written to job_outbox by the same GORM transaction as the change that causes
// it, and a dispatcher moves outbox rows into River in one pgx transaction. So
// a job exists if and only if its cause committed, and is moved exactly once.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"countersign/backend/internal/platform/db"
)

// Jobs is the queue: a registry of workers before Start, a River client after.
type Jobs struct {
	db       *db.DB
	log      *slog.Logger
	workers  *river.Workers
	periodic []*river.PeriodicJob
	client   *river.Client[pgx.Tx]
	stop     context.CancelFunc
	done     chan struct{}
}

// New returns a queue with no workers yet.
func New(d *db.DB, log *slog.Logger) *Jobs {
	return &Jobs{db: d, log: log, workers: river.NewWorkers()}
}

// Register adds a worker; call before Start.
func Register[T river.JobArgs](j *Jobs, w river.Worker[T]) { river.AddWorker(j.workers, w) }

// Every runs the job made by build at each interval (and at start).
func (j *Jobs) Every(interval time.Duration, build func() river.JobArgs) {
	j.periodic = append(j.periodic, river.NewPeriodicJob(river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) { return build(), nil },
		&river.PeriodicJobOpts{RunOnStart: true}))
}

// Enqueue writes a job to the outbox in ctx's transaction (or on its own).
func (j *Jobs) Enqueue(ctx context.Context, args river.JobArgs) error {
	return EnqueueAt(ctx, j.db, args, time.Time{})
}

// EnqueueAt writes a job to the outbox in ctx's transaction (or on its own)
// that runs no earlier than at (the zero time: as soon as it can). It needs
// no running queue: the dispatcher of whichever copy runs one moves it.
func EnqueueAt(ctx context.Context, d *db.DB, args river.JobArgs, at time.Time) error {
	b, err := json.Marshal(args)
	if err != nil {
		return err
	}
	var when *time.Time
	if !at.IsZero() {
		when = &at
	}
	return d.Conn(ctx).Exec(`INSERT INTO job_outbox (kind, args, scheduled_at) VALUES (?, ?::jsonb, ?)`,
		args.Kind(), string(b), when).Error
}

// Start runs the workers and the outbox dispatcher until Stop.
func (j *Jobs) Start(ctx context.Context) error {
	client, err := river.NewClient(riverpgxv5.New(j.db.Pool()), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:           j.workers,
		PeriodicJobs:      j.periodic,
		FetchPollInterval: 250 * time.Millisecond,
		Logger:            slog.New(discardBelow{j.log.Handler(), slog.LevelWarn}),
	})
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	j.client = client
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("starting the job queue: %w", err)
	}
	dctx, cancel := context.WithCancel(context.Background())
	j.stop, j.done = cancel, make(chan struct{})
	go j.dispatchLoop(dctx)
	return nil
}

// Stop lets running jobs finish (up to the context's deadline).
func (j *Jobs) Stop(ctx context.Context) error {
	if j.client == nil {
		return nil
	}
	j.stop()
	<-j.done
	return j.client.Stop(ctx)
}

func (j *Jobs) dispatchLoop(ctx context.Context) {
	defer close(j.done)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := j.Dispatch(ctx); err != nil && ctx.Err() == nil {
			j.log.Error("moving jobs from the outbox", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

const takeOutbox = `
DELETE FROM job_outbox WHERE id IN (
  SELECT id FROM job_outbox ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
RETURNING kind, args, scheduled_at`

// Dispatch moves up to 100 outbox rows into River, atomically.
func (j *Jobs) Dispatch(ctx context.Context) (int, error) {
	tx, err := j.db.Pool().Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	rows, err := tx.Query(ctx, takeOutbox)
	if err != nil {
		return 0, err
	}
	var params []river.InsertManyParams
	for rows.Next() {
		var r rawArgs
		var at *time.Time
		if err := rows.Scan(&r.kind, &r.args, &at); err != nil {
			rows.Close()
			return 0, err
		}
		p := river.InsertManyParams{Args: r}
		if at != nil {
			p.InsertOpts = &river.InsertOpts{ScheduledAt: *at}
		}
		params = append(params, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(params) == 0 {
		return 0, err
	}
	if _, err := j.client.InsertManyTx(ctx, tx, params); err != nil {
		return 0, err
	}
	return len(params), tx.Commit(ctx)
}

// rawArgs carries an outbox row's kind and JSON into River unchanged.
type rawArgs struct {
	kind string
	args json.RawMessage
}

func (r rawArgs) Kind() string                 { return r.kind }
func (r rawArgs) MarshalJSON() ([]byte, error) { return r.args, nil }

// discardBelow keeps River's chatty info logs out of ours.
type discardBelow struct {
	slog.Handler
	min slog.Level
}

func (d discardBelow) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= d.min && d.Handler.Enabled(ctx, l)
}

// EveryTenant runs fn once per tenant (with the tenant in ctx) at each
// interval, as the periodic job whose args are A: A names the job's kind,
// and the worker is this package's, so a capability's periodic sweep is its
// args type and one call.
func EveryTenant[A river.JobArgs](j *Jobs, interval time.Duration, fn func(ctx context.Context, tenantID string) error) {
	Register(j, &sweepWorker[A]{db: j.db, fn: fn})
	var args A
	j.Every(interval, func() river.JobArgs { return args })
}

type sweepWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	db *db.DB
	fn func(ctx context.Context, tenantID string) error
}

func (w *sweepWorker[A]) Work(ctx context.Context, _ *river.Job[A]) error {
	return w.db.ForEachTenant(ctx, w.fn)
}
