package db_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

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

// Proposals queued before review queues existed get their review items when
// 00009 runs: each in the first default queue whose tags fit, its deadline
// from its field's sensitivity; proposals in other states get none.
func TestMigration_00009_backfills_review_items_for_queued_proposals(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, dbtest.NewOwnerURL(t))
	p, err := goose.NewProvider(goose.DialectPostgres, d.SQL(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 8); err != nil {
		t.Fatalf("down to 8: %v", err)
	}
	conn := d.Conn(ctx)
	must := func(sql string, args ...any) {
		t.Helper()
		if err := conn.Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	must(`INSERT INTO tenants (id, slug, name) VALUES ('11111111-1111-4111-8111-111111111111', 'old', 'Old')`)
	must(`INSERT INTO crm_connections (id, tenant_id, name, provider) VALUES ('22222222-2222-4222-8222-222222222222', '11111111-1111-4111-8111-111111111111', 'S', 'sandbox')`)
	must(`INSERT INTO agents (id, tenant_id, connection_id, name) VALUES ('33333333-3333-4333-8333-333333333333', '11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', 'a')`)
	must(`INSERT INTO crm_fields (id, tenant_id, connection_id, object, name, label, type, raw_type, definition_hash, first_seen_at, last_seen_at)
		VALUES ('44444444-4444-4444-8444-444444444444', '11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', 'deals', 'dealstage', 'Stage', 'enumeration', 'enumeration', 'h', now(), now())`)
	must(`INSERT INTO field_policies (field_id, tenant_id, sensitivity, mode, tags, updated_at)
		VALUES ('44444444-4444-4444-8444-444444444444', '11111111-1111-4111-8111-111111111111', 'high', 'review', '{pipeline}', now())`)
	for i, st := range []string{"queued", "queued", "blocked"} {
		field := map[bool]string{true: "44444444-4444-4444-8444-444444444444", false: ""}[i == 0]
		must(`INSERT INTO proposals (id, tenant_id, agent_id, batch_id, object, record_id, field, field_id, operation, confidence, route, status, created_at, updated_at)
			VALUES (gen_random_uuid(), '11111111-1111-4111-8111-111111111111', '33333333-3333-4333-8333-333333333333', gen_random_uuid(), 'deals', ?, ?,
			NULLIF(?, '')::uuid, 'set', 0.9, 'review', ?, '2026-01-01T00:00:00Z', now())`, fmt.Sprint(i), map[bool]string{true: "dealstage", false: "dealname"}[i == 0], field, st)
	}
	if _, err := p.Up(ctx); err != nil {
		t.Fatalf("up: %v", err)
	}
	var items []struct {
		RecordID, Queue, Sensitivity string
		DueAt                        time.Time
	}
	conn.Raw(`SELECT i.record_id, q.name AS queue, i.sensitivity, i.due_at FROM review_items i JOIN review_queues q ON q.id = i.queue_id
		ORDER BY i.record_id`).Scan(&items)
	if len(items) != 2 || items[0].Queue != "Pipeline changes" || items[0].Sensitivity != "high" ||
		!items[0].DueAt.Equal(time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)) || items[1].Queue != "Everything else" || items[1].Sensitivity != "medium" {
		t.Errorf("backfilled items: %+v", items)
	}
}
