package catalog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
)

// fakeCRM is an in-memory CRM whose field definitions a test can change
// between syncs.
type fakeCRM struct {
	mu     sync.Mutex
	fields map[string][]crm.Field // by object
	fail   error
}

func newFakeCRM(objects map[string]int) *fakeCRM {
	f := &fakeCRM{fields: map[string][]crm.Field{}}
	for o, n := range objects {
		for i := 0; i < n; i++ {
			f.fields[o] = append(f.fields[o], crm.Field{Object: o, Name: fmt.Sprintf("field_%03d", i), Label: fmt.Sprintf("Field %d", i), Type: crm.TypeString})
		}
	}
	return f
}

func (f *fakeCRM) ObjectTypes(context.Context) ([]crm.ObjectType, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	var out []crm.ObjectType
	for o := range f.fields {
		out = append(out, crm.ObjectType{Name: o, Label: o})
	}
	return out, nil
}

func (f *fakeCRM) Fields(_ context.Context, object string) ([]crm.Field, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]crm.Field(nil), f.fields[object]...), nil
}

func (f *fakeCRM) edit(fn func(map[string][]crm.Field)) { f.mu.Lock(); fn(f.fields); f.mu.Unlock() }

func (f *fakeCRM) ReadRecords(context.Context, string, []string, []string) ([]crm.Record, error) {
	return nil, nil
}
func (f *fakeCRM) ListRecords(context.Context, string, []string, int, string) (crm.Page, error) {
	return crm.Page{}, nil
}
func (f *fakeCRM) UpdateRecords(context.Context, string, []crm.Update) ([]crm.UpdateResult, error) {
	return nil, nil
}
func (f *fakeCRM) History(context.Context, string, []string, []string, time.Time) ([]crm.Change, error) {
	return nil, nil
}

type kit struct {
	t      testing.TB
	db     *db.DB
	svc    *Service
	crm    *fakeCRM
	jobs   *jobs.Jobs
	clock  *clock.Fixed
	acme   principal.Principal
	globex principal.Principal
	creds  map[string]string // what the fake factory was last given
}

func newKit(t testing.TB, objects map[string]int) *kit {
	t.Helper()
	d := dbtest.New(t)
	k := &kit{t: t, db: d, crm: newFakeCRM(objects), clock: clock.NewFixed(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	k.jobs = jobs.New(d, quiet)
	factory := func(_ context.Context, c crm.Connection) (crm.Connector, error) {
		k.creds = c.Credentials
		return k.crm, nil
	}
	svc, err := NewService(Deps{DB: d, Jobs: k.jobs, Audit: audit.New(d), Clock: k.clock, Log: quiet, SecretKey: make([]byte, 32),
		Factories: map[crm.Provider]crm.Factory{crm.Sandbox: factory, crm.HubSpot: factory}})
	if err != nil {
		t.Fatal(err)
	}
	k.svc = svc
	k.acme = k.member("acme", "admin@acme.test")
	k.globex = k.member("globex", "admin@globex.test")
	return k
}

// member creates a tenant and a user and returns them as a principal.
func (k *kit) member(slug, email string) principal.Principal {
	var p principal.Principal
	conn := k.db.Conn(context.Background())
	conn.Raw(`INSERT INTO tenants (slug, name) VALUES (?, ?) RETURNING id`, slug, slug).Scan(&p.TenantID)
	conn.Raw(`INSERT INTO users (email, name, password_hash) VALUES (?, ?, 'x') RETURNING id`, email, email).Scan(&p.UserID)
	p.Email = email
	return p
}

// connect adds a connection and runs its initial sync in-process.
func (k *kit) connect(actor principal.Principal, name string) (Connection, SyncRun) {
	k.t.Helper()
	ctx := as(actor)
	c, err := k.svc.CreateConnection(ctx, actor, ConnectionInput{Name: &name, Provider: crm.HubSpot,
		Credentials: map[string]string{"access_token": "pat-na1-secret-token-1234"}})
	if err != nil {
		k.t.Fatalf("create connection: %v", err)
	}
	if c.LastRun == nil || c.LastRun.Status != "queued" || c.LastRun.Trigger != "initial" {
		k.t.Fatalf("a new connection should queue its initial sync, got %+v", c.LastRun)
	}
	return c, k.sync(actor, c.LastRun.ID)
}

func (k *kit) sync(actor principal.Principal, runID string) SyncRun {
	k.t.Helper()
	if err := k.svc.RunSync(as(actor), actor.TenantID, runID); err != nil {
		k.t.Fatalf("sync: %v", err)
	}
	run, err := k.svc.Run(as(actor), actor.TenantID, runID)
	if err != nil {
		k.t.Fatal(err)
	}
	return run
}

func (k *kit) resync(actor principal.Principal, c Connection) SyncRun {
	k.t.Helper()
	run, err := k.svc.StartSync(as(actor), actor, c.ID)
	if err != nil {
		k.t.Fatal(err)
	}
	return k.sync(actor, run.ID)
}

func (k *kit) fields(actor principal.Principal, q FieldFilter) ([]Field, int) {
	k.t.Helper()
	if q.Limit == 0 {
		q.Limit = 500
	}
	fs, total, err := k.svc.Fields(as(actor), actor.TenantID, q)
	if err != nil {
		k.t.Fatal(err)
	}
	return fs, total
}

// as is a context for calling the service as p's tenant, as the HTTP
// middleware makes it.
func as(p principal.Principal) context.Context {
	return db.WithTenant(context.Background(), p.TenantID)
}
