package db

import (
	"context"
	"database/sql"
	"errors"
	"runtime"
	"sync"
	"weak"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Row-level security (migrations/00007): every tenant-owned table shows a
// transaction only the rows of the tenant it declared in app.tenant_id, and
// errors when it declared none. The tenant travels in the context: the HTTP
// middleware that authenticates the caller, the agent key check and each
// background job put it there with WithTenant, and InTx and Conn declare it.

type tenantKey struct{}
type userKey struct{}

// scope is what a statement declares to PostgreSQL: the tenant and, for the
// identity tables read across tenants (memberships, sessions), the user.
type scope struct{ tenant, user string }

// The settings are text; "" (no tenant) fails the policies' ::uuid cast.
const (
	setLocal   = `SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)`
	setSession = `SELECT set_config('app.tenant_id', $1, false), set_config('app.user_id', $2, false)`
)

// ErrNoTenant is returned for work that needs a tenant and has none in ctx.
var ErrNoTenant = errors.New("no tenant in context: the caller was not authenticated (db.WithTenant)")

// WithTenant returns ctx for tenant id: the queries made with it see only that
// tenant's rows. An id that is not a UUID is refused by PostgreSQL.
func WithTenant(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, tenantKey{}, id)
}

// TenantFrom returns ctx's tenant, or "" when there is none.
func TenantFrom(ctx context.Context) string { s, _ := ctx.Value(tenantKey{}).(string); return s }

// WithUser returns ctx for user id: besides its tenant's rows, it sees that
// user's memberships and sessions in every tenant (sign-in, tenant switch,
// password change).
func WithUser(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, userKey{}, id)
}

func scopeOf(ctx context.Context) scope {
	t, _ := ctx.Value(tenantKey{}).(string)
	u, _ := ctx.Value(userKey{}).(string)
	return scope{tenant: t, user: u}
}

// ForEachTenant runs fn once per tenant, with ctx carrying that tenant: for
// background work that sweeps every tenant (each in its own statements).
func (d *DB) ForEachTenant(ctx context.Context, fn func(ctx context.Context, tenantID string) error) error {
	var ids []string
	if err := d.gorm.WithContext(ctx).Raw(`SELECT id FROM tenants ORDER BY created_at, id`).Scan(&ids).Error; err != nil {
		return err
	}
	var errs []error
	for _, id := range ids {
		if err := fn(WithTenant(ctx, id), id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// scopedPool runs each statement outside a transaction on a connection of
// its own that first declares the statement's tenant and user (for the
// session: the next statement on that connection declares its own, and a
// transaction declares its own locally).
type scopedPool struct {
	db       *sql.DB
	scope    scope
	declared *declared
}

// declared remembers what each connection of the pool last declared for its
// session, so a statement on a connection that already declared its scope
// costs no extra round trip. Only scopedPool declares for the session
// (transactions declare locally, which ends with them), so this stays true;
// entries go with their connections.
type declared struct {
	mu sync.Mutex
	m  map[weak.Pointer[stdlib.Conn]]scope
}

func (d *declared) is(k weak.Pointer[stdlib.Conn], s scope) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	got, ok := d.m[k]
	return ok && got == s
}

func (d *declared) set(c *stdlib.Conn, k weak.Pointer[stdlib.Conn], s scope) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[weak.Pointer[stdlib.Conn]]scope{}
	}
	if _, ok := d.m[k]; !ok {
		runtime.AddCleanup(c, d.forget, k)
	}
	d.m[k] = s
}

func (d *declared) forget(k weak.Pointer[stdlib.Conn]) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.m, k)
}

var _ gorm.ConnPool = scopedPool{}

func (p scopedPool) conn(ctx context.Context) (*sql.Conn, error) {
	c, err := p.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var dc *stdlib.Conn
	c.Raw(func(d any) error { dc, _ = d.(*stdlib.Conn); return nil })
	var k weak.Pointer[stdlib.Conn]
	if dc != nil {
		if k = weak.Make(dc); p.declared.is(k, p.scope) {
			return c, nil
		}
	}
	if _, err := c.ExecContext(ctx, setSession, p.scope.tenant, p.scope.user); err != nil {
		c.Close()
		return nil, err
	}
	if dc != nil {
		p.declared.set(dc, k, p.scope)
	}
	return c, nil
}

func (p scopedPool) PrepareContext(context.Context, string) (*sql.Stmt, error) {
	return nil, errors.New("db: prepared statements outside a transaction are not supported")
}

func (p scopedPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.ExecContext(ctx, query, args...)
}

func (p scopedPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c, err := p.conn(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		c.Close()
		return nil, err
	}
	// Conn.Close waits for the rows to be closed, then returns the
	// connection to the pool.
	go c.Close()
	return rows, nil
}

func (p scopedPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c, err := p.conn(ctx)
	if err != nil {
		// *sql.Row cannot be built with an error: this query fails naming it
		return p.db.QueryRowContext(ctx, `SELECT current_setting('db: ' || $1)`, err.Error())
	}
	row := c.QueryRowContext(ctx, query, args...)
	go c.Close()
	return row
}
