package catalog

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"countersign/backend/internal/crm"
	"countersign/backend/internal/platform/db"
)

// Store holds the catalog's SQL; every call takes the tenant id.
type Store struct{ db *db.DB }

// NewStore returns the catalog store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

type connectionRow struct {
	ID                  string
	TenantID            string
	Name                string
	Provider            string
	BaseURL             string
	Credentials         []byte
	CredentialHints     string
	SyncIntervalMinutes int
	Status              string
	LastError           string
	LastSyncedAt        *time.Time
	NextSyncAt          *time.Time
	CreatedAt           time.Time
	FieldCount          int
	NeedsDecision       int
}

func (r connectionRow) connection() (Connection, error) {
	c := Connection{ID: r.ID, TenantID: r.TenantID, Name: r.Name, Provider: crm.Provider(r.Provider), BaseURL: r.BaseURL,
		SyncIntervalMinutes: r.SyncIntervalMinutes, Status: r.Status, LastError: r.LastError,
		LastSyncedAt: r.LastSyncedAt, NextSyncAt: r.NextSyncAt, CreatedAt: r.CreatedAt,
		FieldCount: r.FieldCount, NeedsDecision: r.NeedsDecision, CredentialHints: map[string]string{}}
	if err := decodeJSON("crm_connections.credential_hints", r.CredentialHints, &c.CredentialHints); err != nil {
		return Connection{}, fmt.Errorf("connection %q (%s): %w", r.Name, r.ID, err)
	}
	return c, nil
}

// decodeJSON decodes a jsonb column read as text into v, naming the column
// when it does not decode. An empty text — a NULL, or a column the query did
// not select — leaves v as it is.
func decodeJSON(column, text string, v any) error {
	if text == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return fmt.Errorf("decoding %s: %w", column, err)
	}
	return nil
}

const connectionSQL = `
SELECT c.id, c.tenant_id, c.name, c.provider, c.base_url, c.credentials, c.credential_hints::text AS credential_hints,
       c.sync_interval_minutes, c.status, c.last_error, c.last_synced_at, c.next_sync_at, c.created_at,
       (SELECT count(*) FROM crm_fields f WHERE f.tenant_id = c.tenant_id AND f.connection_id = c.id AND NOT f.archived) AS field_count,
       (SELECT count(*) FROM crm_fields f JOIN field_policies p ON p.field_id = f.id
         WHERE f.tenant_id = c.tenant_id AND f.connection_id = c.id AND NOT f.archived AND NOT p.decided) AS needs_decision
FROM crm_connections c
WHERE c.tenant_id = ?`

// Connections lists the tenant's connections.
func (s *Store) Connections(ctx context.Context, tenantID string) ([]Connection, error) {
	var rows []connectionRow
	if err := s.db.Conn(ctx).Raw(connectionSQL+` ORDER BY lower(c.name)`, tenantID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	return connections(rows)
}

func connections(rows []connectionRow) ([]Connection, error) {
	out := make([]Connection, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.connection(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Connection finds one connection and its sealed credentials.
func (s *Store) Connection(ctx context.Context, tenantID, id string) (Connection, []byte, error) {
	var r connectionRow
	if err := s.db.Conn(ctx).Raw(connectionSQL+` AND c.id = ?`, tenantID, id).Take(&r).Error; err != nil {
		return Connection{}, nil, err
	}
	c, err := r.connection()
	return c, r.Credentials, err
}

// CreateConnection inserts a connection and returns its id.
func (s *Store) CreateConnection(ctx context.Context, c Connection, now time.Time) (string, error) {
	hints, _ := json.Marshal(c.CredentialHints)
	var id string
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO crm_connections (tenant_id, name, provider, base_url, credential_hints, sync_interval_minutes, next_sync_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?) RETURNING id`,
		c.TenantID, c.Name, string(c.Provider), c.BaseURL, string(hints), c.SyncIntervalMinutes, c.NextSyncAt, now, now).Scan(&id).Error
	return id, err
}

// SetCredentials stores sealed credentials and their masks.
func (s *Store) SetCredentials(ctx context.Context, tenantID, id string, sealed []byte, hints map[string]string) error {
	h, _ := json.Marshal(hints)
	return s.db.Conn(ctx).Exec(`UPDATE crm_connections SET credentials = decode(?, 'hex'), credential_hints = ?::jsonb WHERE tenant_id = ? AND id = ?`,
		hex.EncodeToString(sealed), string(h), tenantID, id).Error
}

// UpdateConnection saves name, base URL and schedule.
func (s *Store) UpdateConnection(ctx context.Context, c Connection, now time.Time) error {
	return s.db.Conn(ctx).Exec(`
		UPDATE crm_connections SET name = ?, base_url = ?, sync_interval_minutes = ?, next_sync_at = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		c.Name, c.BaseURL, c.SyncIntervalMinutes, c.NextSyncAt, now, c.TenantID, c.ID).Error
}

// SetConnectionStatus records the outcome of a sync or test.
func (s *Store) SetConnectionStatus(ctx context.Context, tenantID, id, status, lastError string, synced *time.Time, next *time.Time) error {
	return s.db.Conn(ctx).Exec(`
		UPDATE crm_connections SET status = ?, last_error = ?, last_synced_at = COALESCE(?, last_synced_at), next_sync_at = ?
		WHERE tenant_id = ? AND id = ?`, status, lastError, synced, next, tenantID, id).Error
}

// DueConnections lists connections whose scheduled sync is due, across tenants.
func (s *Store) DueConnections(ctx context.Context, now time.Time) ([]Connection, error) {
	var rows []connectionRow
	err := s.db.Conn(ctx).Raw(`
		SELECT id, tenant_id, name, provider, sync_interval_minutes, status, last_error, next_sync_at FROM crm_connections
		WHERE sync_interval_minutes > 0 AND next_sync_at <= ?
		ORDER BY next_sync_at LIMIT 100`, now).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	return connections(rows)
}

type runRow struct {
	ID           string
	TenantID     string
	ConnectionID string
	Status       string
	Trigger      string
	Progress     string
	Summary      *string
	Error        string
	CreatedAt    time.Time
	StartedAt    *time.Time
	FinishedAt   *time.Time
}

func (r runRow) run() (SyncRun, error) {
	run := SyncRun{ID: r.ID, TenantID: r.TenantID, ConnectionID: r.ConnectionID, Status: r.Status, Trigger: r.Trigger,
		Error: r.Error, CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
	err := decodeJSON("sync_runs.progress", r.Progress, &run.Progress)
	if err == nil && r.Summary != nil {
		run.Summary = &SyncSummary{}
		err = decodeJSON("sync_runs.summary", *r.Summary, run.Summary)
	}
	if err != nil {
		return SyncRun{}, fmt.Errorf("sync run %s: %w", r.ID, err)
	}
	return run, nil
}

// takeRun runs a query of one sync run.
func (s *Store) takeRun(ctx context.Context, sql string, args ...any) (SyncRun, error) {
	var r runRow
	if err := s.db.Conn(ctx).Raw(sql, args...).Take(&r).Error; err != nil {
		return SyncRun{}, err
	}
	return r.run()
}

const runSQL = `SELECT id, tenant_id, connection_id, status, trigger, progress::text AS progress, summary::text AS summary,
       error, created_at, started_at, finished_at FROM sync_runs`

// Run finds a sync run of the tenant.
func (s *Store) Run(ctx context.Context, tenantID, id string) (SyncRun, error) {
	return s.takeRun(ctx, runSQL+` WHERE tenant_id = ? AND id = ?`, tenantID, id)
}

// RunByID finds a run for the worker, which has no tenant yet.
func (s *Store) RunByID(ctx context.Context, id string) (SyncRun, error) {
	return s.takeRun(ctx, runSQL+` WHERE id = ?`, id)
}

// Runs lists a connection's recent runs, newest first.
func (s *Store) Runs(ctx context.Context, tenantID, connectionID string, limit int) ([]SyncRun, error) {
	var rows []runRow
	err := s.db.Conn(ctx).Raw(runSQL+` WHERE tenant_id = ? AND connection_id = ? ORDER BY created_at DESC LIMIT ?`,
		tenantID, connectionID, limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]SyncRun, len(rows))
	for i, r := range rows {
		if out[i], err = r.run(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ActiveRun finds the connection's queued or running sync, if any.
func (s *Store) ActiveRun(ctx context.Context, tenantID, connectionID string) (SyncRun, error) {
	return s.takeRun(ctx, runSQL+` WHERE tenant_id = ? AND connection_id = ? AND status IN ('queued','running')`,
		tenantID, connectionID)
}

// CreateRun queues a sync run.
func (s *Store) CreateRun(ctx context.Context, tenantID, connectionID, trigger, requestedBy string, now time.Time) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO sync_runs (tenant_id, connection_id, trigger, requested_by, created_at)
		VALUES (?, ?, ?, NULLIF(?, '')::uuid, ?) RETURNING id`, tenantID, connectionID, trigger, requestedBy, now).Scan(&id).Error
	return id, err
}

// StartRun marks a queued run running; false if it was not queued.
func (s *Store) StartRun(ctx context.Context, id string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE sync_runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'`, now, id)
	return res.RowsAffected == 1, res.Error
}

// SetProgress records how far a run is.
func (s *Store) SetProgress(ctx context.Context, id string, p SyncProgress) error {
	b, _ := json.Marshal(p)
	return s.db.Conn(ctx).Exec(`UPDATE sync_runs SET progress = ?::jsonb WHERE id = ?`, string(b), id).Error
}

// FinishRun records a run's outcome.
func (s *Store) FinishRun(ctx context.Context, id, status string, summary *SyncSummary, errMsg string, now time.Time) error {
	var sum *string
	if summary != nil {
		b, _ := json.Marshal(summary)
		str := string(b)
		sum = &str
	}
	return s.db.Conn(ctx).Exec(`UPDATE sync_runs SET status = ?, summary = ?::jsonb, error = ?, finished_at = ? WHERE id = ?`,
		status, sum, errMsg, now, id).Error
}
