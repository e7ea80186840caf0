package sandbox

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
)

// testNow is the tests' clock: after every generated change.
var testNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// world is a fresh database with one tenant owning a provisioned sandbox.
type world struct {
	d            *db.DB
	tenantID     string
	connectionID string
}

func newWorld(t testing.TB) world {
	t.Helper()
	d := dbtest.New(t)
	tenantID := newTenant(t, d, "acme")
	w := world{d: d, tenantID: tenantID, connectionID: newConnection(t, d, tenantID, "sandbox")}
	if err := Provision(w.ctx(), d, w.tenantID, w.connectionID); err != nil {
		t.Fatalf("provision: %v", err)
	}
	return w
}

func newTenant(t testing.TB, d *db.DB, slug string) string {
	t.Helper()
	var id string
	if err := d.Conn(context.Background()).Raw(`INSERT INTO tenants (slug, name) VALUES (?, ?) RETURNING id`,
		slug, slug).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

var connSeq atomic.Int64

func newConnection(t testing.TB, d *db.DB, tenantID, provider string) string {
	t.Helper()
	var id string
	if err := d.Conn(db.WithTenant(context.Background(), tenantID)).Raw(`INSERT INTO crm_connections (tenant_id, name, provider) VALUES (?, ?, ?) RETURNING id`,
		tenantID, fmt.Sprintf("%s %d", provider, connSeq.Add(1)), provider).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func (w world) connector(t testing.TB) *Connector {
	t.Helper()
	c, err := Factory(w.d, clock.System{})(w.ctx(), crm.Connection{ID: w.connectionID, TenantID: w.tenantID, Provider: crm.Sandbox})
	if err != nil {
		t.Fatal(err)
	}
	conn := c.(*Connector)
	conn.clock = clock.NewFixed(testNow)
	return conn
}

func (w world) service() *Service { return NewService(w.d, clock.NewFixed(testNow)) }

func (w world) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.d.Conn(w.ctx()).Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// firstID is the lowest id of an object's records.
func (w world) firstID(t testing.TB, object string) string {
	t.Helper()
	var id string
	if err := w.d.Conn(w.ctx()).Raw(`SELECT id FROM sandbox_records WHERE tenant_id = ? AND connection_id = ? AND object = ?
		ORDER BY length(id), id LIMIT 1`, w.tenantID, w.connectionID, object).Scan(&id).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

func fieldNamed(t testing.TB, fields []crm.Field, name string) crm.Field {
	t.Helper()
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	t.Fatalf("no field %s", name)
	return crm.Field{}
}

// ctx is a context for the world's tenant, as the caller of the sandbox
// (the catalog's sync, the console's handlers) has it.
func (w world) ctx() context.Context { return db.WithTenant(context.Background(), w.tenantID) }
