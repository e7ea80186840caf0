package db_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/migrations"
)

func TestMigrations_apply_to_an_empty_database_and_the_schema_check_follows(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, dbtest.Empty(t))

	err := d.CheckSchema(ctx)
	if !errors.Is(err, db.ErrSchemaOutOfDate) || !strings.Contains(err.Error(), "run `countersign migrate`") {
		t.Fatalf("empty database: %v, want ErrSchemaOutOfDate telling to run countersign migrate", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := d.Migrate(ctx, quiet); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("after migrate: %v", err)
	}
	if err := d.Migrate(ctx, quiet); err != nil {
		t.Fatalf("migrating twice is a no-op, got %v", err)
	}
	var tables int
	d.Conn(ctx).Raw(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
		AND table_name IN ('tenants','users','memberships','casbin_rule','sessions','invites','audit_log')`).Scan(&tables)
	if tables != 7 {
		t.Errorf("found %d of the 7 platform tables", tables)
	}
}

func TestInTx_rolls_back_everything_on_error(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := d.InTx(ctx, func(ctx context.Context) error {
		if err := d.Conn(ctx).Exec(`INSERT INTO tenants (slug, name) VALUES ('half', 'Half')`).Error; err != nil {
			return err
		}
		return d.InTx(ctx, func(ctx context.Context) error { return boom }) // nested joins the outer tx
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	var n int
	d.Conn(ctx).Raw(`SELECT count(*) FROM tenants WHERE slug = 'half'`).Scan(&n)
	if n != 0 {
		t.Error("a failed transaction left a row behind")
	}
}

// Every migration can be undone: from the top all the way down, then up again.
func TestMigrations_go_down_to_nothing_and_up_again(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, dbtest.NewOwnerURL(t)) // migrations run as the owner
	p, err := goose.NewProvider(goose.DialectPostgres, d.SQL(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.GetDBVersion(ctx)
	if err != nil || top < 6 {
		t.Fatalf("version %d, %v", top, err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	var left int
	d.Conn(ctx).Raw(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'
		AND table_name IN ('tenants', 'proposals', 'agent_targets')`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d tables left after going down", left)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := d.CheckSchema(ctx); err != nil {
		t.Fatalf("after down and up: %v", err)
	}
}
