package proposals

import (
	"context"
	"time"

	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
)

// Service reads proposals for the console, for their agents and for the
// agents page (the write side is the Store's moves, in callers' transactions).
type Service struct {
	store *Store
	clock clock.Clock
}

// NewService returns the proposals read service.
func NewService(d *db.DB, clk clock.Clock) *Service { return &Service{store: NewStore(d), clock: clk} }

// List pages through the tenant's proposals, newest first, and counts all
// that f selects.
func (s *Service) List(ctx context.Context, tenantID string, f Filter) ([]Proposal, int, error) {
	var fe problem.Fields
	if f.Limit < 1 || f.Limit > 200 {
		fe.Add("limit", "must be between 1 and 200")
	}
	if f.Offset < 0 {
		fe.Add("offset", "must not be negative")
	}
	if f.AgentID != "" && !db.IsUUID(f.AgentID) {
		fe.Add("agent_id", "is not an agent id")
	}
	if err := fe.Err(); err != nil {
		return nil, 0, err
	}
	return s.store.List(ctx, tenantID, f)
}

// Get returns one of the tenant's proposals with its status history.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Proposal, error) {
	return s.get(ctx, tenantID, "", id)
}

// OfAgent returns one of an agent's own proposals with its history: another
// agent's proposal is not found, as a missing one.
func (s *Service) OfAgent(ctx context.Context, tenantID, agentID, id string) (Proposal, error) {
	return s.get(ctx, tenantID, agentID, id)
}

func (s *Service) get(ctx context.Context, tenantID, agentID, id string) (Proposal, error) {
	if !db.IsUUID(id) {
		return Proposal{}, problem.NotFound("proposal")
	}
	p, err := s.store.One(ctx, tenantID, agentID, id)
	if db.NotFound(err) {
		return Proposal{}, problem.NotFound("proposal")
	} else if err != nil {
		return Proposal{}, err
	}
	p.History, err = s.store.History(ctx, tenantID, id)
	return p, err
}

// activityDays is how far back an agent's activity is counted per day.
const activityDays = 14

// Activity summarises an agent's proposals for its page.
func (s *Service) Activity(ctx context.Context, tenantID, agentID string) (Activity, error) {
	return s.store.Activity(ctx, tenantID, agentID, s.clock.Now().Add(-activityDays*24*time.Hour))
}
