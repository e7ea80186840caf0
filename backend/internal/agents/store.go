package agents

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/ptr"
)

// Store holds the agents' SQL; every call takes the tenant id except the key
// lookup, which is how a tenant is found in the first place.
type Store struct {
	db *db.DB
	// keyTenant caches each key hash's tenant, which never changes: the key
	// itself (and whether it is revoked) is still read on every call.
	keyTenant sync.Map
}

// NewStore returns the agents store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

type agentRow struct {
	ID                string
	TenantID          string
	ConnectionID      string
	ConnectionName    string
	Name              string
	Description       string
	Status            string
	PausedReason      string
	VelocityCap       int
	HardCapMultiplier int
	FieldCaps         string
	BreakerOpen       bool
	BreakerTrippedAt  *time.Time
	BreakerResetAt    *time.Time
	WebhookURL        string
	WebhookSecret     string
	WebhookError      string
	CreatedAt         time.Time
	CreatedBy         *string
	CatalogRevision   int64
	Scopes            string
}

// agent converts the row; a JSON column that does not decode is an error
// naming the agent and the column, never an agent without caps or scopes.
func (r agentRow) agent() (Agent, error) {
	a := Agent{ID: r.ID, TenantID: r.TenantID, ConnectionID: r.ConnectionID, ConnectionName: r.ConnectionName, Name: r.Name,
		Description: r.Description, Status: r.Status, PausedReason: r.PausedReason, VelocityCap: r.VelocityCap,
		HardCapMultiplier: r.HardCapMultiplier, BreakerOpen: r.BreakerOpen, BreakerTrippedAt: r.BreakerTrippedAt, BreakerResetAt: r.BreakerResetAt,
		WebhookURL: r.WebhookURL, WebhookSecret: r.WebhookSecret, WebhookError: r.WebhookError, CreatedAt: r.CreatedAt,
		CreatedBy: r.CreatedBy, CatalogRevision: r.CatalogRevision, FieldCaps: map[string]int{}}
	if r.FieldCaps != "" {
		if err := json.Unmarshal([]byte(r.FieldCaps), &a.FieldCaps); err != nil {
			return a, fmt.Errorf("agent %s: field_caps does not decode: %w", r.ID, err)
		}
	}
	if r.Scopes != "" {
		if err := json.Unmarshal([]byte(r.Scopes), &a.Scopes); err != nil {
			return a, fmt.Errorf("agent %s: scopes do not decode: %w", r.ID, err)
		}
	}
	return a, nil
}

// agentOf converts the row read with err, unless err is set.
func agentOf(r agentRow, err error) (Agent, error) {
	if err != nil {
		return Agent{}, err
	}
	return r.agent()
}

const agentSQL = `
SELECT a.id, a.tenant_id, a.connection_id, c.name AS connection_name, a.name, a.description, a.status, a.paused_reason,
       a.velocity_cap, a.hard_cap_multiplier, a.field_caps::text AS field_caps, a.breaker_open, a.breaker_tripped_at, a.breaker_reset_at,
       a.webhook_url, a.webhook_secret, a.webhook_error, a.created_at, a.created_by
FROM agents a JOIN crm_connections c ON c.id = a.connection_id AND c.tenant_id = a.tenant_id
WHERE a.tenant_id = ?`

// Agents lists the tenant's agents.
func (s *Store) Agents(ctx context.Context, tenantID string) ([]Agent, error) {
	var rows []agentRow
	if err := s.db.Conn(ctx).Raw(agentSQL+` ORDER BY lower(a.name)`, tenantID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Agent, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.agent(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Agent finds one agent.
func (s *Store) Agent(ctx context.Context, tenantID, id string) (Agent, error) {
	var r agentRow
	err := s.db.Conn(ctx).Raw(agentSQL+` AND a.id = ?`, tenantID, id).Take(&r).Error
	return agentOf(r, err)
}

// agentWithScopesSQL reads an agent, its scopes and its connection's catalog
// revision in one query (intake does this on every batch).
const agentWithScopesSQL = `
SELECT a.id, a.tenant_id, a.connection_id, c.name AS connection_name, a.name, a.description, a.status, a.paused_reason,
       a.velocity_cap, a.hard_cap_multiplier, a.field_caps::text AS field_caps, a.breaker_open, a.breaker_tripped_at, a.breaker_reset_at,
       a.webhook_url, a.webhook_secret, a.webhook_error, a.created_at, a.created_by, c.catalog_revision,
       (SELECT COALESCE(json_agg(json_build_object('object', s.object, 'field', s.field, 'operations', s.operations) ORDER BY s.object, s.field), '[]')
        FROM agent_scopes s WHERE s.tenant_id = a.tenant_id AND s.agent_id = a.id)::text AS scopes`

// AgentWithScopes reads an agent with its scopes and catalog revision.
func (s *Store) AgentWithScopes(ctx context.Context, tenantID, id string) (Agent, error) {
	var r agentRow
	err := s.db.Conn(ctx).Raw(agentWithScopesSQL+`
FROM agents a JOIN crm_connections c ON c.id = a.connection_id AND c.tenant_id = a.tenant_id
WHERE a.tenant_id = ? AND a.id = ?`, tenantID, id).Take(&r).Error
	return withScopes(r, err)
}

// withScopes converts a row read with its scopes: none is an empty list.
func withScopes(r agentRow, err error) (Agent, error) {
	a, err := agentOf(r, err)
	if err == nil && a.Scopes == nil {
		a.Scopes = []Scope{}
	}
	return a, err
}

// AgentByName finds an agent by name, case-insensitively.
func (s *Store) AgentByName(ctx context.Context, tenantID, name string) (Agent, error) {
	var r agentRow
	err := s.db.Conn(ctx).Raw(agentSQL+` AND lower(a.name) = lower(?)`, tenantID, name).Take(&r).Error
	return agentOf(r, err)
}

// CreateAgent inserts an agent and returns its id.
func (s *Store) CreateAgent(ctx context.Context, a Agent, now time.Time) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`
		INSERT INTO agents (tenant_id, connection_id, name, description, velocity_cap, hard_cap_multiplier, webhook_url, created_at, updated_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULLIF(?, '')::uuid) RETURNING id`,
		a.TenantID, a.ConnectionID, a.Name, a.Description, a.VelocityCap, a.HardCapMultiplier, a.WebhookURL, now, now, ptr.Deref(a.CreatedBy)).Scan(&id).Error
	return id, err
}

// UpdateAgent saves an agent's editable settings.
func (s *Store) UpdateAgent(ctx context.Context, a Agent, now time.Time) error {
	caps, _ := json.Marshal(a.FieldCaps)
	return s.db.Conn(ctx).Exec(`
		UPDATE agents SET name = ?, description = ?, status = ?, paused_reason = ?, velocity_cap = ?, hard_cap_multiplier = ?,
		       field_caps = ?::jsonb, webhook_url = ?, webhook_secret = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		a.Name, a.Description, a.Status, a.PausedReason, a.VelocityCap, a.HardCapMultiplier, string(caps), a.WebhookURL,
		a.WebhookSecret, now, a.TenantID, a.ID).Error
}

// SetBreaker opens or closes an agent's velocity breaker; it reports whether the state changed.
func (s *Store) SetBreaker(ctx context.Context, tenantID, id string, open bool, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`
		UPDATE agents SET breaker_open = ?,
		       breaker_tripped_at = CASE WHEN ? THEN ?::timestamptz ELSE breaker_tripped_at END,
		       breaker_reset_at = CASE WHEN ? THEN breaker_reset_at ELSE ?::timestamptz END
		WHERE tenant_id = ? AND id = ? AND breaker_open <> ?`, open, open, now, open, now, tenantID, id, open)
	return res.RowsAffected == 1, res.Error
}

// TripBreaker opens a closed breaker unless it was reset since resetAt.
func (s *Store) TripBreaker(ctx context.Context, tenantID, id string, resetAt *time.Time, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`
		UPDATE agents SET breaker_open = true, breaker_tripped_at = ?
		WHERE tenant_id = ? AND id = ? AND NOT breaker_open AND breaker_reset_at IS NOT DISTINCT FROM ?::timestamptz`,
		now, tenantID, id, resetAt)
	return res.RowsAffected == 1, res.Error
}

// Scopes lists an agent's scopes.
func (s *Store) Scopes(ctx context.Context, tenantID, agentID string) ([]Scope, error) {
	var rows []struct {
		Object, Field string
		Operations    string
	}
	err := s.db.Conn(ctx).Raw(`SELECT object, field, to_json(operations)::text AS operations FROM agent_scopes
		WHERE tenant_id = ? AND agent_id = ? ORDER BY object, field`, tenantID, agentID).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Scope, len(rows))
	for i, r := range rows {
		out[i] = Scope{Object: r.Object, Field: r.Field}
		if err := json.Unmarshal([]byte(r.Operations), &out[i].Operations); err != nil {
			return nil, fmt.Errorf("agent %s: the operations of scope %s.%s do not decode: %w", agentID, r.Object, r.Field, err)
		}
	}
	return out, nil
}

// SetScopes replaces an agent's scopes.
func (s *Store) SetScopes(ctx context.Context, tenantID, agentID string, scopes []Scope) error {
	conn := s.db.Conn(ctx)
	if err := conn.Exec(`DELETE FROM agent_scopes WHERE tenant_id = ? AND agent_id = ?`, tenantID, agentID).Error; err != nil {
		return err
	}
	if len(scopes) == 0 {
		return nil
	}
	b, _ := json.Marshal(scopes)
	return conn.Exec(`INSERT INTO agent_scopes (tenant_id, agent_id, object, field, operations)
		SELECT ?, ?, x.object, x.field, x.operations FROM jsonb_to_recordset(?::jsonb) AS x(object text, field text, operations text[])`,
		tenantID, agentID, string(b)).Error
}

// Keys lists an agent's keys, newest first.
func (s *Store) Keys(ctx context.Context, tenantID, agentID string) ([]Key, error) {
	var keys []Key
	err := s.db.Conn(ctx).Raw(`SELECT id, agent_id, name, prefix, created_at, last_used_at, revoked_at FROM agent_keys
		WHERE tenant_id = ? AND agent_id = ? ORDER BY created_at DESC`, tenantID, agentID).Scan(&keys).Error
	return keys, err
}

// CreateKey stores a key's hash and prefix.
func (s *Store) CreateKey(ctx context.Context, tenantID, agentID, name, prefix, hash, createdBy string, now time.Time) (string, error) {
	var id string
	err := s.db.Conn(ctx).Raw(`INSERT INTO agent_keys (tenant_id, agent_id, name, prefix, hash, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, NULLIF(?, '')::uuid, ?) RETURNING id`, tenantID, agentID, name, prefix, hash, createdBy, now).Scan(&id).Error
	return id, err
}

// RevokeKey revokes one of the agent's keys; it reports whether one was live.
func (s *Store) RevokeKey(ctx context.Context, tenantID, agentID, keyID string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Exec(`UPDATE agent_keys SET revoked_at = ? WHERE tenant_id = ? AND agent_id = ? AND id = ? AND revoked_at IS NULL`,
		now, tenantID, agentID, keyID)
	return res.RowsAffected == 1, res.Error
}

// CallerByKeyHash finds the live key with that hash and its agent.
func (s *Store) CallerByKeyHash(ctx context.Context, hash string) (Caller, *time.Time, error) {
	// Whose key it is, before the tenant is known (a SECURITY DEFINER
	// function); then the key and its agent are read as that tenant.
	tenantID, ok := s.keyTenant.Load(hash)
	if !ok {
		var t struct{ TenantID *string }
		if err := s.db.Conn(ctx).Raw(`SELECT agent_key_tenant(?) AS tenant_id`, hash).Scan(&t).Error; err != nil {
			return Caller{}, nil, err
		}
		if t.TenantID == nil {
			return Caller{}, nil, db.ErrNotFound
		}
		tenantID, _ = s.keyTenant.LoadOrStore(hash, *t.TenantID)
	}
	ctx = db.WithTenant(ctx, tenantID.(string))
	var r struct {
		Agent      agentRow `gorm:"embedded"`
		KeyID      string
		LastUsedAt *time.Time
	}
	err := s.db.Conn(ctx).Raw(agentWithScopesSQL+`, k.id AS key_id, k.last_used_at
FROM agent_keys k JOIN agents a ON a.id = k.agent_id AND a.tenant_id = k.tenant_id
     JOIN crm_connections c ON c.id = a.connection_id AND c.tenant_id = a.tenant_id
WHERE k.hash = ? AND k.revoked_at IS NULL`, hash).Take(&r).Error
	a, err := withScopes(r.Agent, err)
	return Caller{TenantID: a.TenantID, AgentID: a.ID, KeyID: r.KeyID, Agent: &a}, r.LastUsedAt, err
}

// TouchKey records a key's use.
func (s *Store) TouchKey(ctx context.Context, keyID string, now time.Time) error {
	return s.db.Conn(ctx).Exec(`UPDATE agent_keys SET last_used_at = ? WHERE id = ?`, now, keyID).Error
}
