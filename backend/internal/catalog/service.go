package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"countersign/backend/internal/audit"
	"countersign/backend/internal/crm"
	"countersign/backend/internal/fieldvalue"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
	"countersign/backend/internal/platform/secretbox"
)

// Provisioner prepares a new connection's CRM side (the sandbox creates its data set).
type Provisioner interface {
	Provision(ctx context.Context, tenantID, connectionID string) error
}

// Deps are what the catalog needs from the rest of the system.
type Deps struct {
	DB           *db.DB
	Jobs         *jobs.Jobs
	Audit        *audit.Log
	Clock        clock.Clock
	Log          *slog.Logger
	SecretKey    []byte
	Factories    map[crm.Provider]crm.Factory
	Provisioners map[crm.Provider]Provisioner
}

// Service manages connections, syncs and field policies.
type Service struct {
	Deps
	store    *Store
	box      *secretbox.Box
	defaults Defaults
	cache    fieldCache
}

// NewService wires the catalog and registers its background jobs.
func NewService(d Deps) (*Service, error) {
	box, err := secretbox.New(d.SecretKey, "crm-credentials")
	if err != nil {
		return nil, err
	}
	s := &Service{Deps: d, store: NewStore(d.DB), box: box, defaults: builtinDefaults}
	if d.Jobs != nil {
		jobs.Register(d.Jobs, &syncWorker{svc: s})
		jobs.EveryTenant[ScheduleArgs](d.Jobs, time.Minute, func(ctx context.Context, _ string) error {
			_, err := s.QueueDueSyncs(ctx)
			return err
		})
	}
	return s, nil
}

// requiredCredentials lists what each provider needs.
var requiredCredentials = map[crm.Provider][]string{
	crm.Sandbox:    {},
	crm.HubSpot:    {"access_token"},
	crm.Salesforce: {"client_id", "client_secret", "refresh_token"},
	crm.Pipedrive:  {"api_token"},
}

var optionalCredentials = map[crm.Provider][]string{crm.Salesforce: {"login_url", "instance_url"}}

// ConnectionInput is a new or changed connection; nil fields stay as they are.
type ConnectionInput struct {
	Name                *string
	Provider            crm.Provider
	BaseURL             *string
	Credentials         map[string]string
	SyncIntervalMinutes *int
}

func validateConnection(c Connection, creds map[string]string, checkCreds bool) error {
	var f problem.Fields
	if n := len(strings.TrimSpace(c.Name)); n == 0 || n > 100 {
		f.Add("name", "must be 1 to 100 characters")
	}
	if _, ok := requiredCredentials[c.Provider]; !ok {
		f.Add("provider", "must be one of sandbox, hubspot, salesforce, pipedrive")
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			f.Add("base_url", "must be an absolute http(s) URL, or empty for the provider's default")
		}
	}
	if c.SyncIntervalMinutes < 0 || c.SyncIntervalMinutes > 10080 {
		f.Add("sync_interval_minutes", "must be between 0 (manual only) and 10080 (a week)")
	}
	if checkCreds {
		checkCredentials(&f, c.Provider, creds)
	}
	return f.Err()
}

func checkCredentials(f *problem.Fields, p crm.Provider, creds map[string]string) {
	required := requiredCredentials[p]
	for _, k := range required {
		if strings.TrimSpace(creds[k]) == "" {
			f.Add("credentials."+k, "is required for %s", p)
		}
	}
	for k := range creds {
		if !slices.Contains(required, k) && !slices.Contains(optionalCredentials[p], k) {
			f.Add("credentials."+k, "is not a %s credential", p)
		}
	}
}

// hints masks credentials for display: only the last four characters show.
func hints(creds map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range creds {
		if strings.HasSuffix(k, "_url") {
			out[k] = v
			continue
		}
		tail := ""
		if len(v) >= 12 {
			tail = v[len(v)-4:]
		}
		out[k] = "••••" + tail
	}
	return out
}

func ownerAD(c Connection) []byte { return []byte(c.TenantID + "/" + c.ID) }

func (s *Service) sealCredentials(ctx context.Context, c Connection, creds map[string]string) error {
	b, _ := json.Marshal(creds)
	return s.store.SetCredentials(ctx, c.TenantID, c.ID, s.box.Seal(b, ownerAD(c)), hints(creds))
}

// CreateConnection adds a connection, prepares its CRM side and queues its first sync.
func (s *Service) CreateConnection(ctx context.Context, actor principal.Principal, in ConnectionInput) (Connection, error) {
	c := Connection{TenantID: actor.TenantID, Name: strings.TrimSpace(ptr.Deref(in.Name)), Provider: in.Provider,
		BaseURL: strings.TrimSpace(ptr.Deref(in.BaseURL)), SyncIntervalMinutes: ptr.Deref(in.SyncIntervalMinutes)}
	if err := validateConnection(c, in.Credentials, true); err != nil {
		return Connection{}, err
	}
	now := s.Clock.Now()
	c.NextSyncAt = nextSync(c, now)
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreateConnection(ctx, c, now)
		if db.Duplicate(err) {
			return problem.Invalid(problem.FieldError{Field: "name", Message: "another connection already has this name"})
		} else if err != nil {
			return err
		}
		c.ID = id
		if err := s.sealCredentials(ctx, c, in.Credentials); err != nil {
			return err
		}
		if p := s.Provisioners[c.Provider]; p != nil {
			if err := p.Provision(ctx, c.TenantID, c.ID); err != nil {
				return fmt.Errorf("preparing the %s: %w", c.Provider, err)
			}
		}
		if _, err := s.queueSync(ctx, c, "initial", actor.UserID); err != nil {
			return err
		}
		return s.record(ctx, actor, "connection.created", c.Name, map[string]any{"provider": c.Provider})
	})
	if err != nil {
		return Connection{}, err
	}
	return s.Connection(ctx, actor.TenantID, c.ID)
}

// UpdateConnection renames, re-keys or reschedules a connection.
func (s *Service) UpdateConnection(ctx context.Context, actor principal.Principal, id string, in ConnectionInput) (Connection, error) {
	err := s.DB.InTx(ctx, func(ctx context.Context) error {
		c, _, err := s.find(ctx, actor.TenantID, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			c.Name = strings.TrimSpace(*in.Name)
		}
		if in.BaseURL != nil {
			c.BaseURL = strings.TrimSpace(*in.BaseURL)
		}
		if in.SyncIntervalMinutes != nil {
			c.SyncIntervalMinutes = *in.SyncIntervalMinutes
			c.NextSyncAt = nextSync(c, s.Clock.Now())
		}
		if err := validateConnection(c, in.Credentials, in.Credentials != nil); err != nil {
			return err
		}
		if err := s.store.UpdateConnection(ctx, c, s.Clock.Now()); db.Duplicate(err) {
			return problem.Invalid(problem.FieldError{Field: "name", Message: "another connection already has this name"})
		} else if err != nil {
			return err
		}
		detail := map[string]any{"credentials_replaced": in.Credentials != nil}
		if in.Credentials != nil {
			if err := s.sealCredentials(ctx, c, in.Credentials); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "connection.updated", c.Name, detail)
	})
	if err != nil {
		return Connection{}, err
	}
	return s.Connection(ctx, actor.TenantID, id)
}

// Connections lists the tenant's connections with their latest run.
func (s *Service) Connections(ctx context.Context, tenantID string) ([]Connection, error) {
	cs, err := s.store.Connections(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if runs, err := s.store.Runs(ctx, tenantID, cs[i].ID, 1); err != nil {
			return nil, err
		} else if len(runs) == 1 {
			cs[i].LastRun = &runs[0]
		}
	}
	return cs, nil
}

// Connection finds one connection.
func (s *Service) Connection(ctx context.Context, tenantID, id string) (Connection, error) {
	c, _, err := s.find(ctx, tenantID, id)
	if err != nil {
		return c, err
	}
	if runs, err := s.store.Runs(ctx, tenantID, id, 1); err != nil {
		return c, err
	} else if len(runs) == 1 {
		c.LastRun = &runs[0]
	}
	return c, nil
}

func (s *Service) find(ctx context.Context, tenantID, id string) (Connection, []byte, error) {
	if !db.IsUUID(id) {
		return Connection{}, nil, problem.NotFound("connection")
	}
	c, sealed, err := s.store.Connection(ctx, tenantID, id)
	if db.NotFound(err) {
		return c, nil, problem.NotFound("connection")
	}
	return c, sealed, err
}

// connector opens the credentials and builds the provider's connector.
func (s *Service) connector(ctx context.Context, c Connection, sealed []byte) (crm.Connector, error) {
	creds := map[string]string{}
	if len(sealed) > 0 {
		plain, err := s.box.Open(sealed, ownerAD(c))
		if err != nil {
			return nil, fmt.Errorf("the stored credentials cannot be read (was COUNTERSIGN_SECRET_KEY changed?): %w", err)
		}
		if err := json.Unmarshal(plain, &creds); err != nil {
			return nil, err
		}
	}
	factory := s.Factories[c.Provider]
	if factory == nil {
		return nil, fmt.Errorf("the %s connector is not available in this build", c.Provider)
	}
	return factory(ctx, crm.Connection{ID: c.ID, TenantID: c.TenantID, Provider: c.Provider, BaseURL: c.BaseURL, Credentials: creds})
}

// TestResult is the outcome of "Test connection".
type TestResult struct {
	OK      bool
	Message string
	Objects []string
}

// TestConnection lists the CRM's object types with the stored credentials.
func (s *Service) TestConnection(ctx context.Context, tenantID, id string) (TestResult, error) {
	c, sealed, err := s.find(ctx, tenantID, id)
	if err != nil {
		return TestResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	conn, err := s.connector(ctx, c, sealed)
	if err != nil {
		return TestResult{Message: err.Error()}, nil
	}
	objects, err := conn.ObjectTypes(ctx)
	if err != nil {
		return TestResult{Message: userMessage(err)}, nil
	}
	res := TestResult{OK: true, Message: fmt.Sprintf("Connected to %s: %d object types.", c.Provider, len(objects))}
	for _, o := range objects {
		res.Objects = append(res.Objects, o.Name)
	}
	return res, nil
}

// userMessage turns a connector error into a sentence for the console; typed
// connector errors never carry raw bodies or credentials.
func userMessage(err error) string {
	if e, ok := crm.AsError(err); ok {
		switch e.Kind {
		case crm.KindAuthExpired:
			return "The CRM rejected the credentials (expired or revoked): replace them and try again."
		case crm.KindRateLimited:
			return fmt.Sprintf("The CRM's rate limit was reached; try again in %s.", e.RetryAfter.Round(time.Second))
		case crm.KindUnavailable:
			return "The CRM did not answer (timeouts or server errors); try again later."
		}
		return e.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The CRM did not answer in time."
	}
	return err.Error()
}

func (s *Service) record(ctx context.Context, actor principal.Principal, action, target string, detail map[string]any) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.Clock.Now(), ActorUserID: actor.UserID,
		ActorEmail: actor.Email, Action: action, Target: target, Detail: detail, IP: actor.IP})
}

func nextSync(c Connection, now time.Time) *time.Time {
	if c.SyncIntervalMinutes == 0 {
		return nil
	}
	t := now.Add(time.Duration(c.SyncIntervalMinutes) * time.Minute)
	return &t
}

// ConnectionIDs lists the tenant's connection ids (agents pick theirs from it).
func (s *Service) ConnectionIDs(ctx context.Context, tenantID string) ([]string, error) {
	cs, err := s.store.Connections(ctx, tenantID)
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids, err
}

// ConnectionFields lists every field of a connection with its policy,
// archived ones included (the gateway validates proposals against it). It is
// read on every batch of proposals, so it is cached per connection and
// reloaded when the connection's catalog revision moves (any sync write or
// policy change bumps it, in the same transaction).
func (s *Service) ConnectionFields(ctx context.Context, tenantID, connectionID string) ([]Field, error) {
	rev, err := s.store.Revision(ctx, tenantID, connectionID)
	if db.NotFound(err) {
		return nil, problem.NotFound("connection")
	} else if err != nil {
		return nil, err
	}
	return s.ConnectionFieldsAt(ctx, tenantID, connectionID, rev)
}

// ConnectionFieldsAt is ConnectionFields for a caller that has just read the
// connection's catalog revision itself (intake reads it with the agent's key).
// The cache never serves fields of another revision than the one asked for.
func (s *Service) ConnectionFieldsAt(ctx context.Context, tenantID, connectionID string, rev int64) ([]Field, error) {
	key := tenantID + "/" + connectionID
	if fs, ok := s.cache.get(key, rev); ok {
		return fs, nil
	}
	fs, _, err := s.store.ConnectionFields(ctx, tenantID, connectionID)
	if err == nil {
		s.cache.put(key, rev, fs)
	}
	return fs, err
}

// Connector builds the connector of a tenant's connection, for reads and writes
// on the agents' behalf (agents never hold CRM credentials).
func (s *Service) Connector(ctx context.Context, tenantID, connectionID string) (crm.Connector, error) {
	c, sealed, err := s.find(ctx, tenantID, connectionID)
	if err != nil {
		return nil, err
	}
	return s.connector(ctx, c, sealed)
}

// fieldCache holds each connection's fields at one catalog revision. Entries
// are never modified, only replaced.
type fieldCache struct {
	mu      sync.Mutex
	entries map[string]cachedFields
}

type cachedFields struct {
	rev    int64
	fields []Field
}

func (c *fieldCache) get(key string, rev int64) ([]Field, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.fields, ok && e.rev == rev
}

func (c *fieldCache) put(key string, rev int64, fs []Field) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) > 10000 {
		c.entries = map[string]cachedFields{}
	}
	c.entries[key] = cachedFields{rev: rev, fields: fs}
}

// Specs are the value rules of an object's fields of a connection, by field
// name; writable leaves out the archived and read-only ones.
func (s *Service) Specs(ctx context.Context, tenantID, connectionID, object string, writable bool) (map[string]fieldvalue.Spec, error) {
	fs, err := s.ConnectionFields(ctx, tenantID, connectionID)
	if err != nil {
		return nil, err
	}
	out := map[string]fieldvalue.Spec{}
	for _, f := range fs {
		if f.Object == object && (!writable || (!f.Archived && !f.ReadOnly)) {
			out[f.Name] = fieldvalue.SpecOf(f.Field)
		}
	}
	return out, nil
}
