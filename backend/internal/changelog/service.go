package changelog

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/proposals"
)

// Deps is what the change log needs.
type Deps struct {
	DB      *db.DB
	Clock   clock.Clock
	Catalog *catalog.Service // connectors, for rollback and reconciliation
	Signer  *Signer
	Alerts  *alerts.Service // reconciliation's alerts
}

// Service appends, reads, verifies and rolls back the change log.
type Service struct {
	db        *db.DB
	store     *store
	clock     clock.Clock
	catalog   *catalog.Service
	proposals *proposals.Store
	signer    *Signer
	alerts    *alerts.Service
}

// New returns the change log service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: &store{db: d.DB}, clock: d.Clock, catalog: d.Catalog, proposals: proposals.NewStore(d.DB),
		signer: d.Signer, alerts: d.Alerts}
}

// Signer is the key that signs checkpoints.
func (s *Service) Signer() *Signer { return s.signer }

func (s *Service) checkpoint(tenantID string, seq int64, hash []byte, at time.Time) checkpointRow {
	return checkpointRow{Seq: seq, Hash: append([]byte(nil), hash...), KeyID: s.signer.KeyID(),
		Signature: s.signer.sign(tenantID, seq, hash), At: at}
}

// MaxPage is the most events a page of the log holds.
const MaxPage = 200

// List pages through the tenant's log, newest first; before is the cursor
// (the last seq of the previous page), 0 for the first page.
func (s *Service) List(ctx context.Context, tenantID string, f Filter, before int64, limit int) (Page, error) {
	if limit <= 0 || limit > MaxPage {
		limit = 50
	}
	if err := f.Check(); err != nil {
		return Page{}, err
	}
	events, err := s.store.list(ctx, tenantID, f, before, limit+1)
	if err != nil {
		return Page{}, err
	}
	page := Page{Events: events}
	if len(events) > limit {
		page.Events = events[:limit]
		next := events[limit-1].Seq
		page.Next = &next
	}
	return page, nil
}

// Get returns one event, or 404.
func (s *Service) Get(ctx context.Context, tenantID string, seq int64) (Event, error) {
	e, ok, err := s.store.event(ctx, tenantID, seq)
	if err == nil && !ok {
		err = problem.NotFound("change")
	}
	return e, err
}

// Check refuses a malformed filter, naming the field.
func (f Filter) Check() error {
	if f.AgentID != "" && !db.IsUUID(f.AgentID) {
		return problem.InvalidField("agent_id", "must be an agent's id")
	}
	if f.BatchID != "" && !db.IsUUID(f.BatchID) {
		return problem.InvalidField("batch_id", "must be a batch id")
	}
	if f.RolloutID != "" && !db.IsUUID(f.RolloutID) {
		return problem.InvalidField("rollout_id", "must be a rollout id")
	}
	switch f.ActorKind {
	case "", ActorAgent, ActorCollaborative, ActorHuman, ActorSystem:
	default:
		return problem.InvalidField("actor_kind", "must be one of agent, collaborative, human, system")
	}
	if f.Since != nil && f.Until != nil && !f.Since.Before(*f.Until) {
		return problem.InvalidField("until", "must be after since")
	}
	return nil
}

// LastCheckpoint is the tenant's newest signed checkpoint, nil if none.
func (s *Service) LastCheckpoint(ctx context.Context, tenantID string) (*Checkpoint, error) {
	cps, err := s.store.checkpoints(ctx, tenantID)
	if err != nil || len(cps) == 0 {
		return nil, err
	}
	c := cps[len(cps)-1]
	return &Checkpoint{Seq: c.Seq, Hash: hex.EncodeToString(c.Hash), KeyID: c.KeyID, Signature: hex.EncodeToString(c.Signature), At: c.At,
		Valid: VerifyCheckpoint(s.signer.PublicKey(), tenantID, c.Seq, c.Hash, c.Signature)}, nil
}

// CheckpointNow signs the tenant's head if it moved since the last
// checkpoint (the hourly job, and on demand).
func (s *Service) CheckpointNow(ctx context.Context, tenantID string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		h, err := s.store.head(ctx, tenantID)
		if err != nil || h.Seq == 0 {
			return err
		}
		return s.store.insertCheckpoints(ctx, tenantID, []checkpointRow{s.checkpoint(tenantID, h.Seq, h.Hash, s.clock.Now())})
	})
}

// CheckpointAt signs (and keeps) a checkpoint of the event at seq: an
// export's manifest carries the one of its last row. Seq 0 is the empty
// log's genesis.
func (s *Service) CheckpointAt(ctx context.Context, tenantID string, seq int64) (hash, signature []byte, err error) {
	hash = genesis
	if seq > 0 {
		var hs []struct{ Hash []byte }
		if err := s.db.Conn(ctx).Raw(`SELECT hash FROM change_events WHERE tenant_id = ? AND seq = ?`, tenantID, seq).Scan(&hs).Error; err != nil {
			return nil, nil, err
		}
		if len(hs) == 0 {
			return nil, nil, fmt.Errorf("no change event at seq %d", seq)
		}
		hash = hs[0].Hash
	}
	c := s.checkpoint(tenantID, seq, hash, s.clock.Now())
	if seq > 0 {
		if err := s.store.insertCheckpoints(ctx, tenantID, []checkpointRow{c}); err != nil {
			return nil, nil, err
		}
	}
	return c.Hash, c.Signature, nil
}

// Head is the seq of the tenant's newest event (0 for an empty log).
func (s *Service) Head(ctx context.Context, tenantID string) (int64, error) {
	h, err := s.store.head(ctx, tenantID)
	return h.Seq, err
}

// GetByID returns one event by its id, or 404 (another tenant's too).
func (s *Service) GetByID(ctx context.Context, tenantID, id string) (Event, error) {
	if !db.IsUUID(id) {
		return Event{}, problem.NotFound("change")
	}
	seq, ok, err := s.store.seqOf(ctx, tenantID, id)
	if err != nil {
		return Event{}, err
	}
	if !ok {
		return Event{}, problem.NotFound("change")
	}
	return s.Get(ctx, tenantID, seq)
}

// RecordEntry is something the change log knows of a record: a write (or
// rollback) of ours, or a later edit in the CRM that corrected one.
type RecordEntry struct {
	At         time.Time
	Kind       string // change | crm_edit
	Seq        int64
	Field      string
	ProposalID string
	Actor      string
	Text       string
}

// RecordEntries lists the record's change events and CRM corrections, newest first.
func (s *Service) RecordEntries(ctx context.Context, tenantID, object, recordID string, limit int) ([]RecordEntry, error) {
	var out []RecordEntry
	err := s.db.Conn(ctx).Raw(`
		SELECT * FROM (
		  SELECT e.at, 'change' AS kind, e.seq, e.field, COALESCE(e.proposal_id::text, '') AS proposal_id,
		         CASE e.actor_kind WHEN 'agent' THEN COALESCE(a.name, 'an agent')
		              WHEN 'collaborative' THEN COALESCE(a.name, 'an agent') || ' + ' || COALESCE(u.name, 'a reviewer')
		              WHEN 'human' THEN COALESCE(u.name, 'a person') ELSE 'system' END AS actor,
		         CASE WHEN e.reverts IS NOT NULL THEN 'rolled back #' || e.reverts || ': wrote ' ELSE 'wrote ' END
		           || e.after_value || ' (was ' || e.before_value || ') — change #' || e.seq AS text
		  FROM change_events e
		  LEFT JOIN agents a ON a.tenant_id = e.tenant_id AND a.id = e.agent_id
		  LEFT JOIN users u ON u.id = e.user_id
		  WHERE e.tenant_id = ? AND e.object = ? AND e.record_id = ?
		  UNION ALL
		  SELECT c.at, 'crm_edit', c.change_seq, e.field, COALESCE(c.proposal_id::text, ''), COALESCE(NULLIF(c.actor, ''), 'someone in the CRM'),
		         'changed in the CRM to ' || COALESCE(c.value, 'null') || ', correcting change #' || c.change_seq
		  FROM corrections c JOIN change_events e ON e.tenant_id = c.tenant_id AND e.seq = c.change_seq
		  WHERE c.tenant_id = ? AND c.kind = 'crm_edit' AND e.object = ? AND e.record_id = ?
		) t ORDER BY at DESC LIMIT ?`, tenantID, object, recordID, tenantID, object, recordID, limit).Scan(&out).Error
	return out, err
}
