package benchkit

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Table is rows for one table, in the order of Columns.
type Table struct {
	Name    string
	Columns []string
	Rows    [][]any
}

// CopyBulk COPYs tables (in order) in one transaction of pool, which must
// connect as the cluster's superuser (FreshDB's owner handle does): straight
// into the tables — row-level security does not apply to a superuser, so
// there is no staging table as db.CopyFrom needs — and with
// session_replication_role = replica, which skips triggers: the append-only
// guards and the checks of foreign keys, which the generator of a benchmark
// history keeps by construction. Indexes are maintained as usual. For
// loading benchmark data only.
func CopyBulk(ctx context.Context, pool *pgxpool.Pool, tables []Table) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		for _, t := range tables {
			if len(t.Rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, pgx.CopyFromRows(t.Rows)); err != nil {
				return fmt.Errorf("%s: %w", t.Name, err)
			}
		}
		return nil
	})
}

// LoadConcurrently CopyBulks each batch it receives, writers at a time,
// until batches is closed; done is called after each batch commits (one
// call at a time). After an error the remaining batches are drained unloaded
// and the first error is returned.
func LoadConcurrently(ctx context.Context, pool *pgxpool.Pool, writers int, batches <-chan []Table, done func([]Table)) error {
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range max(writers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				mu.Lock()
				failed := firstErr != nil
				mu.Unlock()
				if failed {
					continue
				}
				err := CopyBulk(ctx, pool, b)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil && done != nil {
					done(b)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return firstErr
}
