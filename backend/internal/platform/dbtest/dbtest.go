// Package dbtest gives each test a fresh, migrated PostgreSQL database in
// milliseconds: the migrations run once into a template database (named after
// a hash of the migration files) and every test clones it.
//
// Point COUNTERSIGN_TEST_DATABASE_URL at a maintenance database of a server
// where we may create databases (`make test` starts a private one).
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/migrations"
)

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// AdminURL is the maintenance connection; tests skip without it outside CI.
func AdminURL(t testing.TB) string {
	u := os.Getenv("COUNTERSIGN_TEST_DATABASE_URL")
	if u == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("COUNTERSIGN_TEST_DATABASE_URL is not set; run the tests with `make test`")
		}
		t.Skip("COUNTERSIGN_TEST_DATABASE_URL is not set; `make test` starts a private PostgreSQL")
	}
	return u
}

// New returns an open handle on a fresh, migrated, empty database, dropped
// when the test ends. It connects as the app role (countersign_app), as the
// server does: row-level security applies.
func New(t testing.TB) *db.DB {
	t.Helper()
	d, _ := NewWithURL(t)
	return d
}

// NewWithURL is New that also returns the database's URL (as the app role).
func NewWithURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	owner := NewOwnerURL(t)
	app := config.AppURL(owner)
	return Open(t, app), app
}

// NewOwnerURL returns the owner's (superuser's) URL of a fresh, migrated,
// empty database, dropped when the test ends; config.AppURL of it is the app
// role's.
func NewOwnerURL(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(admin) })
	if templateErr != nil {
		t.Fatalf("preparing the template database: %v", templateErr)
	}
	name := "cs_test_" + randomHex(6)
	exec(t, admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName))
	t.Cleanup(func() { execQuiet(admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)) })
	return WithDatabase(admin, name)
}

// Empty returns the owner's URL of a fresh database with no schema at all
// (the app role exists in the cluster: migrating grants it).
func Empty(t testing.TB) string {
	t.Helper()
	admin := AdminURL(t)
	if err := ensureRole(admin); err != nil {
		t.Fatalf("creating the app role: %v", err)
	}
	name := "cs_empty_" + randomHex(6)
	exec(t, admin, `CREATE DATABASE `+name)
	t.Cleanup(func() { execQuiet(admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)) })
	return WithDatabase(admin, name)
}

// ensureRole creates the app role when the cluster lacks it, as
// scripts/pg.sh does for `make run` (role names are cluster-wide, so
// concurrent test processes may race: the loser's error is ignored).
func ensureRole(admin string) error {
	return execQuiet(admin, `DO $$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '`+config.AppRole+`') THEN
			CREATE ROLE `+config.AppRole+` LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
		END IF;
	EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
	END $$`)
}

// Open connects to url and closes the handle when the test ends.
func Open(t testing.TB, url string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("opening test database: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// WithDatabase swaps the database name in a connection URL.
func WithDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func ensureTemplate(admin string) (string, error) {
	name := "cs_template_" + migrationsHash()[:12]
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	ctx := context.Background()
	// Packages run in parallel processes: one builds the template, the others wait.
	c, err := conn.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock(4242)`); err != nil {
		return "", err
	}
	defer c.ExecContext(ctx, `SELECT pg_advisory_unlock(4242)`)
	if err := ensureRole(admin); err != nil {
		return "", fmt.Errorf("creating the app role: %w", err)
	}
	var exists bool
	if err := c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_building"
	c.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building)
	if _, err := c.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, WithDatabase(admin, building))
	if err != nil {
		return "", err
	}
	err = d.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Close()
	if err != nil {
		return "", err
	}
	if _, err := c.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsHash() string {
	h := sha256.New()
	fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(migrations.FS, path)
			h.Write([]byte(path))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))
}

func exec(t testing.TB, admin, stmt string) {
	t.Helper()
	if err := execQuiet(admin, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func execQuiet(admin, stmt string) error {
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Exec(stmt)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
