// Package benchkit is what the benchmark commands share: a fresh, migrated
// and seeded database of their own on the test cluster, and percentiles.
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
	admin := os.Getenv("COUNTERSIGN_TEST_DATABASE_URL")
	if admin == "" {
		return nil, nil, fmt.Errorf("COUNTERSIGN_TEST_DATABASE_URL is not set (the make bench-* targets set it)")
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
	u, err := url.Parse(admin)
	if err != nil {
		return nil, nil, err
	}
	u.Path = "/" + name
	if owner, err = db.Open(ctx, u.String()); err != nil {
		return nil, nil, err
	}
	if err := owner.Migrate(ctx, log); err != nil {
		return nil, nil, err
	}
	if app, err = db.Open(ctx, config.AppURL(u.String())); err != nil {
		return nil, nil, fmt.Errorf("%w (does the role %s exist? scripts/pg.sh app-role URL)", err, config.AppRole)
	}
	data, _ := seed.Demo()
	return owner, app, seed.Run(ctx, app, data, log)
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
