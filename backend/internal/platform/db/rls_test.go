package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
)

// rlsEnv is a fresh database with two tenants and an alert each, written as
// the owner; app connects as the app role, as the server does.
func rlsEnv(t *testing.T) (app *db.DB, acme, globex string) {
	t.Helper()
	url := dbtest.NewOwnerURL(t)
	owner := dbtest.Open(t, url)
	ctx := context.Background()
	for _, slug := range []string{"acme", "globex"} {
		var id string
		if err := owner.Conn(ctx).Raw(`INSERT INTO tenants (slug, name) VALUES (?, ?) RETURNING id`, slug, slug).Scan(&id).Error; err != nil {
			t.Fatal(err)
		}
		if err := owner.Conn(ctx).Exec(`INSERT INTO alerts (tenant_id, kind, severity, title, created_at) VALUES (?, 'test', 'info', ?, now())`, id, slug+" alert").Error; err != nil {
			t.Fatal(err)
		}
		if slug == "acme" {
			acme = id
		} else {
			globex = id
		}
	}
	return dbtest.Open(t, config.AppURL(url)), acme, globex
}

// A query that declares no tenant errors, in a transaction or not: it never
// reads as an empty tenant.
func TestRLS_a_query_without_a_tenant_errors(t *testing.T) {
	app, acme, _ := rlsEnv(t)
	ctx := context.Background()
	var titles []string
	if err := app.Conn(ctx).Raw(`SELECT title FROM alerts`).Scan(&titles).Error; err == nil {
		t.Errorf("no tenant, outside a transaction: read %v, want an error", titles)
	}
	err := app.InTx(ctx, func(ctx context.Context) error {
		return app.Conn(ctx).Raw(`SELECT title FROM alerts`).Scan(&titles).Error
	})
	if err == nil {
		t.Errorf("no tenant, in a transaction: read %v, want an error", titles)
	}
	// a connection that served a tenant before does not keep it
	app.Conn(db.WithTenant(ctx, acme)).Raw(`SELECT title FROM alerts`).Scan(&titles)
	for i := 0; i < 5; i++ {
		if err := app.Conn(ctx).Raw(`SELECT title FROM alerts`).Scan(&titles).Error; err == nil {
			t.Fatalf("no tenant after a tenant's query: read %v, want an error", titles)
		}
	}
	if err := app.Conn(ctx).Exec(`INSERT INTO alerts (tenant_id, kind, severity, title, created_at) VALUES (?, 'test', 'info', 'x', now())`, acme).Error; err == nil {
		t.Error("no tenant: an insert went through")
	}
}

// Under a tenant, even SQL without any tenant filter sees that tenant's rows
// only, and cannot write another tenant's.
func TestRLS_an_unfiltered_query_sees_only_the_declared_tenant(t *testing.T) {
	app, acme, globex := rlsEnv(t)
	ctx := db.WithTenant(context.Background(), acme)
	var titles []string
	if err := app.Conn(ctx).Raw(`SELECT title FROM alerts ORDER BY title`).Scan(&titles).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(titles, ",") != "acme alert" {
		t.Errorf("acme reads %v, want only acme's alert", titles)
	}
	err := app.InTx(ctx, func(ctx context.Context) error {
		titles = nil
		if err := app.Conn(ctx).Raw(`SELECT title FROM alerts ORDER BY title`).Scan(&titles).Error; err != nil {
			return err
		}
		// a ctx for another tenant re-declares it in the same transaction
		var other []string
		if err := app.Conn(db.WithTenant(ctx, globex)).Raw(`SELECT title FROM alerts`).Scan(&other).Error; err != nil {
			return err
		}
		if strings.Join(other, ",") != "globex alert" {
			t.Errorf("globex in acme's transaction reads %v", other)
		}
		return nil
	})
	if err != nil || strings.Join(titles, ",") != "acme alert" {
		t.Errorf("acme in a transaction reads %v (%v), want only acme's alert", titles, err)
	}
	if err := app.Conn(ctx).Exec(`INSERT INTO alerts (tenant_id, kind, severity, title, created_at) VALUES (?, 'test', 'info', 'x', now())`, globex).Error; err == nil ||
		!strings.Contains(err.Error(), "row-level security") {
		t.Errorf("acme writing a globex row: %v, want a row-level security violation", err)
	}
	if n := app.Conn(ctx).Exec(`UPDATE alerts SET title = 'mine' WHERE tenant_id = ?`, globex).RowsAffected; n != 0 {
		t.Errorf("acme updated %d globex rows", n)
	}
}

// A batch declares its ctx's tenant for itself alone: it sees that tenant's
// rows, errors without one, and the connection's session keeps the tenant it
// declared before (the next statement through Conn sees its own tenant).
func TestRLS_a_batch_declares_its_tenant_and_leaves_the_session_as_it_was(t *testing.T) {
	app, acme, globex := rlsEnv(t)
	app.SQL().SetMaxOpenConns(1) // every statement on the one connection
	ctx := context.Background()
	titles := func(ctx context.Context) (out []string) {
		t.Helper()
		if err := app.Conn(ctx).Raw(`SELECT title FROM alerts`).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	batch := func(ctx context.Context) (out []string, err error) {
		err = app.Batch(ctx, func(b *pgx.Batch) {
			b.Queue(`SELECT title FROM alerts`).Query(func(rows pgx.Rows) error {
				out, err = pgx.CollectRows(rows, pgx.RowTo[string])
				return err
			})
		})
		return out, err
	}
	if got := titles(db.WithTenant(ctx, acme)); strings.Join(got, ",") != "acme alert" {
		t.Fatalf("acme reads %v", got)
	}
	if got, err := batch(db.WithTenant(ctx, globex)); err != nil || strings.Join(got, ",") != "globex alert" {
		t.Errorf("a batch for globex reads %v (%v), want only globex's alert", got, err)
	}
	if got := titles(db.WithTenant(ctx, acme)); strings.Join(got, ",") != "acme alert" {
		t.Errorf("after globex's batch, acme reads %v through Conn, want acme's alert: the batch changed the session", got)
	}
	if got, err := batch(ctx); err == nil {
		t.Errorf("a batch without a tenant read %v, want an error", got)
	}
	err := app.InTx(db.WithTenant(ctx, acme), func(ctx context.Context) error {
		_, err := batch(ctx)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "outside InTx") {
		t.Errorf("a batch inside a transaction: %v, want it refused", err)
	}
}

// The app role may append to and read the audit trail but not change it,
// and cannot switch row-level security off.
func TestRLS_the_app_role_cannot_change_audit_rows_nor_bypass_security(t *testing.T) {
	app, acme, _ := rlsEnv(t)
	ctx := db.WithTenant(context.Background(), acme)
	if err := app.Conn(ctx).Exec(`INSERT INTO audit_log (tenant_id, action) VALUES (?, 'test.appended')`, acme).Error; err != nil {
		t.Fatalf("appending an audit row: %v", err)
	}
	if err := app.Conn(context.Background()).Exec(`INSERT INTO audit_log (action) VALUES ('auth.sign_in_failed')`).Error; err != nil {
		t.Fatalf("appending a tenant-less audit row: %v", err)
	}
	for _, stmt := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`} {
		if err := app.Conn(ctx).Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: %v, want permission denied", stmt, err)
		}
	}
	var bypass bool
	app.Conn(ctx).Raw(`SELECT rolbypassrls OR rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&bypass)
	if bypass {
		t.Error("the app role bypasses row-level security")
	}
	for _, stmt := range []string{`ALTER TABLE alerts DISABLE ROW LEVEL SECURITY`, `ALTER TABLE alerts NO FORCE ROW LEVEL SECURITY`,
		`DROP POLICY tenant_isolation ON alerts`} {
		if err := app.Conn(ctx).Exec(stmt).Error; err == nil || !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s: %v, want refused", stmt, err)
		}
	}
	err := app.InTx(ctx, func(ctx context.Context) error {
		if err := app.Conn(ctx).Exec(`SET LOCAL row_security = off`).Error; err != nil {
			return err
		}
		var n int
		return app.Conn(ctx).Raw(`SELECT count(*) FROM alerts`).Scan(&n).Error
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("reading with row_security off: %v, want refused", err)
	}
}

// Every table with a tenant_id is under forced row-level security with a
// policy: a new tenant-owned table without them fails here.
func TestRLS_covers_every_table_with_a_tenant_id(t *testing.T) {
	owner := dbtest.Open(t, dbtest.NewOwnerURL(t))
	var missing []string
	err := owner.Conn(context.Background()).Raw(`
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'
		  AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
		  AND NOT (c.relrowsecurity AND c.relforcerowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
		ORDER BY 1`).Scan(&missing).Error
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("tenant-owned tables without forced row-level security and a policy: %v", missing)
	}
	var covered int
	owner.Conn(context.Background()).Raw(`SELECT count(*) FROM pg_class WHERE relforcerowsecurity`).Scan(&covered)
	if covered < 33 {
		t.Errorf("%d tables under forced row-level security, want the 33 of migrations 00001-00010", covered)
	}
}

// CopyFrom works under row-level security (PostgreSQL refuses a plain COPY
// there): each load lands once, even two in one transaction, and a row of
// another tenant is refused.
func TestRLS_CopyFrom_loads_the_tenants_rows_and_refuses_anothers(t *testing.T) {
	app, acme, globex := rlsEnv(t)
	ctx := db.WithTenant(context.Background(), acme)
	cols := []string{"tenant_id", "kind", "severity", "title", "created_at"}
	row := func(tenant, title string) []any { return []any{tenant, "test", "info", title, time.Now()} }
	for round := 0; round < 2; round++ {
		err := app.InTx(ctx, func(ctx context.Context) error {
			if err := app.CopyFrom(ctx, "alerts", cols, [][]any{row(acme, "a"), row(acme, "b")}); err != nil {
				return err
			}
			return app.CopyFrom(ctx, "alerts", cols, [][]any{row(acme, "c")})
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	var n int
	app.Conn(ctx).Raw(`SELECT count(*) FROM alerts WHERE title IN ('a', 'b', 'c')`).Scan(&n)
	if n != 6 {
		t.Errorf("%d rows after two rounds of 3, want 6", n)
	}
	err := app.InTx(ctx, func(ctx context.Context) error {
		return app.CopyFrom(ctx, "alerts", cols, [][]any{row(acme, "d"), row(globex, "e")})
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("loading a globex row as acme: %v, want a row-level security violation", err)
	}
}
