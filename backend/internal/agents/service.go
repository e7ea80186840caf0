package agents

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// Service manages agents, their keys, scopes, breaker and webhook cursor.
type Service struct {
	db        *db.DB
	store     *Store
	catalog   *catalog.Service   // which connections an agent may be on
	alerts    *alerts.Service    // the breaker's alerts
	proposals *proposals.Service // an agent's activity
	audit     *audit.Log
	clock     clock.Clock
}

// Deps is what the agents service needs. Alerts and Proposals may be nil
// for a caller that only creates agents (the CLI).
type Deps struct {
	DB        *db.DB
	Catalog   *catalog.Service
	Alerts    *alerts.Service
	Proposals *proposals.Service
	Audit     *audit.Log
	Clock     clock.Clock
}

// NewService wires the agents service.
func NewService(d Deps) *Service {
	return &Service{db: d.DB, store: NewStore(d.DB), catalog: d.Catalog, alerts: d.Alerts, proposals: d.Proposals, audit: d.Audit,
		clock: d.Clock}
}

// Input creates or changes an agent; nil fields stay as they are.
type Input struct {
	Name              *string
	Description       *string
	ConnectionID      *string
	Status            *string
	PausedReason      *string
	VelocityCap       *int
	HardCapMultiplier *int
	FieldCaps         map[string]int
	WebhookURL        *string
	Scopes            *[]Scope
}

func (in Input) apply(a *Agent) {
	set(&a.Name, in.Name, strings.TrimSpace)
	set(&a.Description, in.Description, strings.TrimSpace)
	set(&a.Status, in.Status, strings.TrimSpace)
	set(&a.PausedReason, in.PausedReason, strings.TrimSpace)
	set(&a.WebhookURL, in.WebhookURL, strings.TrimSpace)
	if in.VelocityCap != nil {
		a.VelocityCap = *in.VelocityCap
	}
	if in.HardCapMultiplier != nil {
		a.HardCapMultiplier = *in.HardCapMultiplier
	}
	if in.FieldCaps != nil {
		a.FieldCaps = in.FieldCaps
	}
	if in.Scopes != nil {
		a.Scopes = *in.Scopes
	}
	if a.Status == "active" {
		a.PausedReason = ""
	}
	if a.WebhookURL != "" && a.WebhookSecret == "" {
		a.WebhookSecret = "whsec_" + randomBase62(32)
	}
}

func set(dst *string, v *string, norm func(string) string) {
	if v != nil {
		*dst = norm(*v)
	}
}

func validate(a Agent) error {
	var f problem.Fields
	if n := len(a.Name); n == 0 || n > 100 {
		f.Add("name", "must be 1 to 100 characters")
	}
	if len(a.Description) > 2000 {
		f.Add("description", "must be at most 2000 characters")
	}
	if a.Status != "active" && a.Status != "paused" {
		f.Add("status", "must be active or paused")
	}
	if a.Status == "paused" && a.PausedReason == "" {
		f.Add("paused_reason", "say why the agent is paused")
	}
	if a.VelocityCap < 1 || a.VelocityCap > 100000 {
		f.Add("velocity_cap", "must be between 1 and 100000 records per hour")
	}
	if a.HardCapMultiplier < 1 || a.HardCapMultiplier > 1000 {
		f.Add("hard_cap_multiplier", "must be between 1 and 1000")
	}
	for k, v := range a.FieldCaps {
		if !strings.Contains(k, ".") || v < 1 {
			f.Add("field_caps."+k, "use \"object.field\": records per hour (at least 1)")
		}
	}
	if a.WebhookURL != "" {
		if u, err := url.Parse(a.WebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			f.Add("webhook_url", "must be an absolute http(s) URL")
		}
	}
	for i, s := range a.Scopes {
		if s.Object == "" || s.Field == "" || len(s.Operations) == 0 {
			f.Add(fmt.Sprintf("scopes[%d]", i), "needs an object, a field (\"*\" for all) and at least one operation")
		}
		for _, op := range s.Operations {
			if !slices.Contains(Operations, op) {
				f.Add(fmt.Sprintf("scopes[%d].operations", i), "%q is not one of set, clear, append", op)
			}
		}
	}
	return f.Err()
}

// Create adds an agent on a connection (the tenant's only one when none is named).
func (s *Service) Create(ctx context.Context, actor principal.Principal, in Input) (Agent, error) {
	a := Agent{TenantID: actor.TenantID, Status: "active", VelocityCap: 50, HardCapMultiplier: 10, Scopes: DefaultScopes(), FieldCaps: map[string]int{}}
	in.apply(&a)
	if actor.UserID != "" {
		a.CreatedBy = &actor.UserID
	}
	connID, err := s.pickConnection(ctx, actor.TenantID, in.ConnectionID)
	if err != nil {
		return Agent{}, err
	}
	a.ConnectionID = connID
	if err := validate(a); err != nil {
		return Agent{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreateAgent(ctx, a, s.clock.Now())
		if db.Duplicate(err) {
			return problem.InvalidField("name", "another agent already has this name")
		} else if err != nil {
			return err
		}
		a.ID = id
		if err := s.store.UpdateAgent(ctx, a, s.clock.Now()); err != nil {
			return err
		}
		if err := s.store.SetScopes(ctx, a.TenantID, a.ID, a.Scopes); err != nil {
			return err
		}
		return s.record(ctx, actor, "agent.created", a.Name, map[string]any{"connection_id": a.ConnectionID})
	})
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, actor.TenantID, a.ID)
}

func (s *Service) pickConnection(ctx context.Context, tenantID string, want *string) (string, error) {
	ids, err := s.catalog.ConnectionIDs(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if want != nil && *want != "" {
		if !slices.Contains(ids, *want) {
			return "", problem.InvalidField("connection_id", "no such connection in this tenant")
		}
		return *want, nil
	}
	switch len(ids) {
	case 0:
		return "", problem.InvalidField("connection_id", "connect a CRM first (Fields → Connections)")
	case 1:
		return ids[0], nil
	}
	return "", problem.InvalidField("connection_id", "this tenant has %d connections: name one", len(ids))
}

// Update changes an agent.
func (s *Service) Update(ctx context.Context, actor principal.Principal, id string, in Input) (Agent, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		a, err := s.Get(ctx, actor.TenantID, id)
		if err != nil {
			return err
		}
		before := a.Status
		in.apply(&a)
		if err := validate(a); err != nil {
			return err
		}
		if err := s.store.UpdateAgent(ctx, a, s.clock.Now()); db.Duplicate(err) {
			return problem.InvalidField("name", "another agent already has this name")
		} else if err != nil {
			return err
		}
		if in.Scopes != nil {
			if err := s.store.SetScopes(ctx, a.TenantID, a.ID, a.Scopes); err != nil {
				return err
			}
		}
		return s.record(ctx, actor, "agent.updated", a.Name, map[string]any{"status": map[string]any{"before": before, "after": a.Status}})
	})
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, actor.TenantID, id)
}

// List returns the tenant's agents with scopes and keys.
func (s *Service) List(ctx context.Context, tenantID string) ([]Agent, error) {
	as, err := s.store.Agents(ctx, tenantID)
	for i := range as {
		if err != nil {
			break
		}
		err = s.fill(ctx, &as[i])
	}
	return as, err
}

// Get returns one agent with scopes and keys.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Agent, error) {
	if !db.IsUUID(id) {
		return Agent{}, problem.NotFound("agent")
	}
	a, err := s.store.Agent(ctx, tenantID, id)
	if db.NotFound(err) {
		return a, problem.NotFound("agent")
	} else if err != nil {
		return a, err
	}
	return a, s.fill(ctx, &a)
}

func (s *Service) fill(ctx context.Context, a *Agent) (err error) {
	if a.Scopes, err = s.store.Scopes(ctx, a.TenantID, a.ID); err != nil {
		return err
	}
	a.Keys, err = s.store.Keys(ctx, a.TenantID, a.ID)
	return err
}

// WithScopes returns an agent and its scopes, without its keys: what intake needs.
func (s *Service) WithScopes(ctx context.Context, tenantID, id string) (Agent, error) {
	a, err := s.store.AgentWithScopes(ctx, tenantID, id)
	if db.NotFound(err) {
		return a, problem.NotFound("agent")
	}
	return a, err
}

// ByName finds an agent by name (for the CLI).
func (s *Service) ByName(ctx context.Context, tenantID, name string) (Agent, error) {
	a, err := s.store.AgentByName(ctx, tenantID, name)
	if db.NotFound(err) {
		return a, problem.NotFound("agent " + name)
	}
	return a, err
}

// KeyPrefix starts every agent key, so a leaked one is easy to recognise.
const KeyPrefix = "cs_agent_"

// CreateKey issues a new key; the secret is returned once and only its hash is kept.
func (s *Service) CreateKey(ctx context.Context, actor principal.Principal, agentID, name string) (Key, string, error) {
	a, err := s.Get(ctx, actor.TenantID, agentID)
	if err != nil {
		return Key{}, "", err
	}
	secret := KeyPrefix + randomBase62(40)
	k := Key{AgentID: a.ID, Name: strings.TrimSpace(name), Prefix: secret[:len(KeyPrefix)+6], CreatedAt: s.clock.Now()}
	if len(k.Name) > 100 {
		return Key{}, "", problem.InvalidField("name", "must be at most 100 characters")
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		id, err := s.store.CreateKey(ctx, a.TenantID, a.ID, k.Name, k.Prefix, HashKey(secret), actor.UserID, k.CreatedAt)
		k.ID = id
		if err != nil {
			return err
		}
		return s.record(ctx, actor, "agent.key_created", a.Name, map[string]any{"prefix": k.Prefix})
	})
	return k, secret, err
}

// RevokeKey revokes a key at once.
func (s *Service) RevokeKey(ctx context.Context, actor principal.Principal, agentID, keyID string) error {
	a, err := s.Get(ctx, actor.TenantID, agentID)
	if err != nil {
		return err
	}
	if !db.IsUUID(keyID) {
		return problem.NotFound("key")
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		ok, err := s.store.RevokeKey(ctx, a.TenantID, a.ID, keyID, s.clock.Now())
		if err != nil {
			return err
		}
		if !ok {
			return problem.NotFound("key")
		}
		return s.record(ctx, actor, "agent.key_revoked", a.Name, map[string]any{"key_id": keyID})
	})
}

// Authenticate resolves a bearer key. Unknown, revoked and malformed keys get
// the same answer.
func (s *Service) Authenticate(ctx context.Context, key string) (Caller, error) {
	bad := problem.Unauthenticated("invalid_key", "Send a valid agent key: Authorization: Bearer cs_agent_…")
	if !strings.HasPrefix(key, KeyPrefix) || len(key) > 200 {
		return Caller{}, bad
	}
	c, lastUsed, err := s.store.CallerByKeyHash(ctx, HashKey(key))
	if db.NotFound(err) {
		return Caller{}, bad
	} else if err != nil {
		return Caller{}, err
	}
	now := s.clock.Now()
	if lastUsed == nil || now.Sub(*lastUsed) > time.Minute {
		if err := s.store.TouchKey(db.WithTenant(ctx, c.TenantID), c.KeyID, now); err != nil {
			return Caller{}, err
		}
	}
	return c, nil
}

// HashKey is how keys are stored: SHA-256 is enough for 40 random base62 characters.
func HashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomBase62(n int) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(base62)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		out[i] = base62[v.Int64()]
	}
	return string(out)
}

func (s *Service) record(ctx context.Context, actor principal.Principal, action, target string, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.clock.Now(), ActorUserID: actor.UserID,
		ActorEmail: actor.Email, Action: action, Target: target, Detail: detail, IP: actor.IP})
}
