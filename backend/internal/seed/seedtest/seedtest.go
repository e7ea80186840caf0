// Package seedtest gives tests a fresh database of their own holding the demo
// seed: the tenants, users and roles of seeds/demo.json.
package seedtest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/seed"
)

// DB is a seeded test database.
type DB struct {
	URL   string // the schema owner's URL
	App   *db.DB // connected as the app role, as the server connects
	Data  seed.Data
	Quiet *slog.Logger // a logger that discards, for the services under test
}

// Owner connects as the schema owner: for tests that look at or change rows
// behind the services' backs (row-level security does not hold it).
func (d DB) Owner(t *testing.T) *db.DB { return dbtest.Open(t, d.URL) }

// Open creates the database, migrates it and seeds the demo data into it; it
// is dropped when the test ends.
func Open(t *testing.T) DB {
	t.Helper()
	url := dbtest.NewOwnerURL(t)
	d := DB{URL: url, App: dbtest.Open(t, config.AppURL(url)), Quiet: slog.New(slog.NewTextHandler(io.Discard, nil))}
	data, err := seed.Demo()
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Run(context.Background(), d.App, data, d.Quiet); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	d.Data = data
	return d
}
