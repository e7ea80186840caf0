// Package db opens PostgreSQL through GORM, carries transactions in the
// context, migrates with goose and refuses to serve an out-of-date schema.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"countersign/migrations"
)

// DB is the database handle shared by every store: GORM (over database/sql)
// for the stores, and a pgx pool for River and set-based hot paths.
type DB struct {
	gorm     *gorm.DB
	sql      *sql.DB
	pool     *pgxpool.Pool
	declared *declared // what each connection declared for its session (tenant.go)
	staged   *staged   // the staging tables each connection has (CopyFrom)
}

// Open connects and pings.
func Open(ctx context.Context, url string) (*DB, error) {
	g, err := gorm.Open(postgres.Open(url), &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		TranslateError:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	s, err := g.DB()
	if err != nil {
		return nil, err
	}
	s.SetMaxOpenConns(20)
	s.SetMaxIdleConns(20) // as many as may be open: closing idle ones under load means a new backend per request
	s.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.PingContext(pingCtx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
	}
	return &DB{gorm: g, sql: s, pool: pool, declared: &declared{}, staged: &staged{}}, nil
}

// Close releases the pools.
func (d *DB) Close() error {
	d.pool.Close()
	return d.sql.Close()
}

// Pool exposes the pgx pool (River, COPY).
func (d *DB) Pool() *pgxpool.Pool { return d.pool }

// SQL exposes the pool for migrations, metrics and health checks.
func (d *DB) SQL() *sql.DB { return d.sql }

// Gorm exposes the root handle to libraries that need one (the casbin adapter).
func (d *DB) Gorm() *gorm.DB { return d.gorm }

type txKey struct{}

// Detached returns ctx outside its transaction, if it is in one: InTx then
// starts (and commits) a transaction of its own, and Conn runs on its own
// connection. For work that must outlive the caller's transaction.
func Detached(ctx context.Context) context.Context {
	return context.WithValue(ctx, txKey{}, (*tx)(nil))
}

// tx is a transaction in a context: GORM's handle on it, the connection it
// runs on (for pgx's COPY inside the same transaction), and the tenant and
// user it has declared to PostgreSQL so far.
type tx struct {
	gorm *gorm.DB
	conn *sql.Conn

	mu     sync.Mutex
	scope  scope
	staged []string        // staging tables CopyFrom created in this transaction
	filled map[string]bool // staging tables CopyFrom filled in this transaction
}

// InTx runs fn in a transaction carried by ctx; a nested call joins the outer
// one. The transaction declares ctx's tenant (and user, see WithUser) to
// PostgreSQL, whose row-level security then shows it only that tenant's rows.
func (d *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if t, ok := ctx.Value(txKey{}).(*tx); ok && t != nil {
		return fn(ctx)
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := d.gorm.Session(&gorm.Session{Context: ctx, NewDB: true})
	s.Statement.ConnPool = conn
	t := &tx{conn: conn}
	err = s.Transaction(func(g *gorm.DB) error {
		t.gorm, t.scope = g, scopeOf(ctx)
		if err := g.Exec(setLocal, t.scope.tenant, t.scope.user).Error; err != nil {
			return fmt.Errorf("declaring the tenant: %w", err)
		}
		return fn(context.WithValue(ctx, txKey{}, t))
	})
	if err == nil && len(t.staged) > 0 {
		// committed: the connection keeps those temporary tables
		conn.Raw(func(dc any) error {
			if c, ok := dc.(*stdlib.Conn); ok {
				d.staged.add(c, t.staged)
			}
			return nil
		})
	}
	return err
}

// Batch runs the statements fill queues in one round trip, on a pooled
// connection of its own (never ctx's transaction): a pgx batch, which
// PostgreSQL runs as one implicit transaction, that first declares ctx's
// tenant and user for itself. The connection's session keeps what it
// declared before. For hot paths where Conn's declaration, when the
// connection last served another tenant, would cost a round trip of its own.
func (d *DB) Batch(ctx context.Context, fill func(*pgx.Batch)) error {
	if t, ok := ctx.Value(txKey{}).(*tx); ok && t != nil {
		return errors.New("db.Batch runs outside InTx: its batch commits on its own")
	}
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db.Batch: the driver connection is a %T, not pgx", dc)
		}
		s := scopeOf(ctx)
		b := &pgx.Batch{}
		b.Queue(setLocal, s.tenant, s.user)
		fill(b)
		return c.Conn().SendBatch(ctx, b).Close()
	})
}

// Conn returns the transaction in ctx or the pool, bound to ctx and to ctx's
// tenant: inside a transaction, a ctx carrying another tenant than the one
// the transaction declared re-declares it first; outside one, each statement
// runs on a connection that declares ctx's tenant just before it. A ctx
// without a tenant declares none, and any tenant-owned table then errors.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if t, ok := ctx.Value(txKey{}).(*tx); ok && t != nil {
		if err := t.declare(ctx); err != nil {
			g := t.gorm.WithContext(ctx)
			g.AddError(err)
			return g
		}
		return t.gorm
	}
	s := d.gorm.Session(&gorm.Session{Context: ctx, NewDB: true})
	s.Statement.ConnPool = scopedPool{db: d.sql, scope: scopeOf(ctx), declared: d.declared}
	return s
}

// declare makes the transaction's declared tenant and user ctx's.
func (t *tx) declare(ctx context.Context) error {
	sc := scopeOf(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	if sc == t.scope {
		return nil
	}
	if _, err := t.conn.ExecContext(ctx, setLocal, sc.tenant, sc.user); err != nil {
		return fmt.Errorf("declaring the tenant: %w", err)
	}
	t.scope = sc
	return nil
}

// CopyFrom bulk-loads rows into table with COPY, inside the transaction in ctx.
//
// PostgreSQL refuses COPY FROM into a table under row-level security, so the
// rows are copied into a temporary table of the connection (made once, no
// policies, emptied at commit) and moved into table by one INSERT, which the
// tenant policy checks row by row.
func (d *DB) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) error {
	t, ok := ctx.Value(txKey{}).(*tx)
	ok = ok && t != nil
	if !ok {
		return errors.New("db.CopyFrom runs inside InTx")
	}
	if err := t.declare(ctx); err != nil {
		return err
	}
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(cols, ", ")
	h := fnv.New32a()
	h.Write([]byte(table + "(" + list + ")"))
	staging := fmt.Sprintf("copy_%s_%08x", table, h.Sum32())
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("db.CopyFrom: the driver connection is a %T, not pgx", dc)
		}
		pc := c.Conn()
		if !d.staged.has(c, staging) {
			if _, err := pc.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE IF NOT EXISTS %s ON COMMIT DELETE ROWS AS SELECT %s FROM %s WITH NO DATA`,
				staging, list, pgx.Identifier{table}.Sanitize())); err != nil {
				return err
			}
			t.staged = append(t.staged, staging)
		}
		if t.filled[staging] { // a second load in the same transaction
			if _, err := pc.Exec(ctx, `TRUNCATE `+staging); err != nil {
				return err
			}
		}
		if _, err := pc.CopyFrom(ctx, pgx.Identifier{staging}, columns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		if t.filled == nil {
			t.filled = map[string]bool{}
		}
		t.filled[staging] = true
		_, err := pc.Exec(ctx, fmt.Sprintf(`INSERT INTO %s (%s) SELECT %s FROM %s`, pgx.Identifier{table}.Sanitize(), list, list, staging))
		return err
	})
}

// staged remembers the staging tables of each connection that were committed
// (a rolled-back CREATE leaves none), to spare CopyFrom a round trip.
type staged struct {
	mu sync.Mutex
	m  map[weak.Pointer[stdlib.Conn]]map[string]bool
}

func (s *staged) has(c *stdlib.Conn, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[weak.Make(c)][name]
}

func (s *staged) add(c *stdlib.Conn, names []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := weak.Make(c)
	if s.m == nil {
		s.m = map[weak.Pointer[stdlib.Conn]]map[string]bool{}
	}
	if s.m[k] == nil {
		s.m[k] = map[string]bool{}
		runtime.AddCleanup(c, s.forget, k)
	}
	for _, n := range names {
		s.m[k][n] = true
	}
}

func (s *staged) forget(k weak.Pointer[stdlib.Conn]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
}

// ErrNotFound is "no row", for stores that find none without GORM saying so.
var ErrNotFound = gorm.ErrRecordNotFound

// NotFound reports whether err means "no row".
func NotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// Duplicate reports whether err is a unique-constraint violation.
func Duplicate(err error) bool {
	var pg *pgconn.PgError
	return errors.Is(err, gorm.ErrDuplicatedKey) || (errors.As(err, &pg) && pg.Code == "23505")
}

func provider(s *sql.DB) (*goose.Provider, error) {
	// The session lock keeps two app copies from migrating at once.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s, migrations.FS, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration.
func (d *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	p, err := provider(d.sql)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration.String())
	}
	if err != nil {
		return fmt.Errorf("migrating: %w", err)
	}
	// River (the job queue) keeps its own versioned schema.
	rm, err := rivermigrate.New(riverpgxv5.New(d.pool), nil)
	if err != nil {
		return err
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrating the job queue: %w", err)
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	log.Info("schema up to date", "version", v)
	return nil
}

// ErrSchemaOutOfDate is returned by CheckSchema when migrations are pending.
var ErrSchemaOutOfDate = errors.New("database schema is out of date")

// CheckSchema refuses to go on when the database is behind this binary.
func (d *DB) CheckSchema(ctx context.Context) error {
	// goose would create its table on a database that has none, which the app
	// role may not (and should not) do
	var hasVersions bool
	if err := d.sql.QueryRowContext(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&hasVersions); err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if !hasVersions {
		return fmt.Errorf("%w: the database has no schema yet: run `countersign migrate` (or `make run`)", ErrSchemaOutOfDate)
	}
	p, err := provider(d.sql)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("reading schema version: %w", err)
	}
	if current < target {
		return fmt.Errorf("%w: the database is at version %d, this binary needs %d: run `countersign migrate` (or `make run`)",
			ErrSchemaOutOfDate, current, target)
	}
	rm, err := rivermigrate.New(riverpgxv5.New(d.pool), nil)
	if err != nil {
		return err
	}
	have, err := rm.ExistingVersions(ctx)
	all := rm.AllVersions()
	if err != nil || len(have) == 0 || have[len(have)-1].Version < all[len(all)-1].Version {
		return fmt.Errorf("%w: the job queue's schema is behind this binary: run `countersign migrate`", ErrSchemaOutOfDate)
	}
	return nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsUUID reports whether s can be an id; stores answer "not found" for
// anything else rather than letting PostgreSQL reject the cast.
func IsUUID(s string) bool { return uuidRE.MatchString(s) }
