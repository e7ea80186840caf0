// Package benchkit is what the benchmark commands share: a fresh, migrated
// and seeded database of their own on the test cluster, percentiles, bulk
// COPY of generated history, heap sampling, and reviewers at work.
package benchkit

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/seed"
)

// FreshDB drops and creates database name on the cluster of
// COUNTERSIGN_TEST_DATABASE_URL, migrates it and seeds the demo tenants; it
// returns the schema owner's handle and the app role's (as the server connects).
func FreshDB(ctx context.Context, name string, log *slog.Logger) (owner, app *db.DB, err error) {
	admin, err := AdminURL()
	if err != nil {
		return nil, nil, err
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`, `CREATE DATABASE ` + name} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return nil, nil, err
		}
	}
	u, err := DatabaseURL(name)
	if err != nil {
		return nil, nil, err
	}
	if owner, err = db.Open(ctx, u); err != nil {
		return nil, nil, err
	}
	if err := owner.Migrate(ctx, log); err != nil {
		return nil, nil, err
	}
	if app, err = db.Open(ctx, config.AppURL(u)); err != nil {
		return nil, nil, fmt.Errorf("%w (does the role %s exist? scripts/pg.sh app-role URL)", err, config.AppRole)
	}
	data, _ := seed.Demo()
	return owner, app, seed.Run(ctx, app, data, log)
}

// OpenDB opens database name, which FreshDB made, as its schema owner and as
// the app role: for a second process of a benchmark, or a rerun on data
// loaded before (migrated to the current schema first).
func OpenDB(ctx context.Context, name string) (owner, app *db.DB, err error) {
	u, err := DatabaseURL(name)
	if err != nil {
		return nil, nil, err
	}
	if owner, err = db.Open(ctx, u); err != nil {
		return nil, nil, err
	}
	if err := owner.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil { // migrations added since it was loaded
		owner.Close()
		return nil, nil, err
	}
	if app, err = db.Open(ctx, config.AppURL(u)); err != nil {
		owner.Close()
		return nil, nil, err
	}
	return owner, app, nil
}

// Database says whether the cluster has database name (an earlier run's, to
// reuse), and the comment that run left on it (nil without one).
func Database(ctx context.Context, name string) (exists bool, comment *string, err error) {
	admin, err := AdminURL()
	if err != nil {
		return false, nil, err
	}
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return false, nil, err
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
	if err == pgx.ErrNoRows {
		return false, nil, nil
	}
	return err == nil, comment, err
}

// DatabaseURL is the URL of database name on the cluster of
// COUNTERSIGN_TEST_DATABASE_URL, as its superuser.
func DatabaseURL(name string) (string, error) {
	admin, err := AdminURL()
	if err != nil {
		return "", err
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// AdminURL is COUNTERSIGN_TEST_DATABASE_URL: a maintenance database of the
// cluster the benchmarks make their databases on.
func AdminURL() (string, error) {
	admin := os.Getenv("COUNTERSIGN_TEST_DATABASE_URL")
	if admin == "" {
		return "", fmt.Errorf("COUNTERSIGN_TEST_DATABASE_URL is not set (the make bench-* targets set it)")
	}
	return admin, nil
}

// Percentile is the p-th percentile (0–100) of ds, in milliseconds; 0 for none.
func Percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return float64(s[i].Microseconds()) / 1000
}
