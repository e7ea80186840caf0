package agents

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
)

// Activity describes what an agent has been doing, and settles its alerts
// (the gateway knows both).
type Activity interface {
	Activity(ctx context.Context, tenantID, agentID string) (api.AgentActivity, error)
	ResolveBreakerAlerts(ctx context.Context, tenantID, agentID, userID string) error
}

// Handlers serve the Agents page.
type Handlers struct {
	svc      *Service
	activity Activity
	// canManage says whether the caller may manage agents: only they see webhook secrets.
	canManage func(ctx context.Context) bool
}

// NewHandlers returns the agents handlers.
func NewHandlers(svc *Service, activity Activity, canManage func(context.Context) bool) *Handlers {
	return &Handlers{svc: svc, activity: activity, canManage: canManage}
}

// view hides what readers may not see.
func (h *Handlers) view(ctx context.Context, a Agent) api.Agent {
	if !h.canManage(ctx) {
		a.WebhookSecret = ""
	}
	return toAPIAgent(a)
}

func (h *Handlers) ListAgents(ctx context.Context, _ api.ListAgentsRequestObject) (api.ListAgentsResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	as, err := h.svc.List(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := api.ListAgents200JSONResponse{Agents: make([]api.Agent, len(as))}
	for i, a := range as {
		out.Agents[i] = h.view(ctx, a)
	}
	return out, nil
}

// CreateAgent adds an agent.
func (h *Handlers) CreateAgent(ctx context.Context, req api.CreateAgentRequestObject) (api.CreateAgentResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.Create(ctx, p, fromAPIInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.CreateAgent201JSONResponse(toAPIAgent(a)), nil
}

// GetAgent returns an agent with its activity.
func (h *Handlers) GetAgent(ctx context.Context, req api.GetAgentRequestObject) (api.GetAgentResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.Get(ctx, p.TenantID, req.AgentId)
	if err != nil {
		return nil, err
	}
	act, err := h.activity.Activity(ctx, p.TenantID, a.ID)
	if err != nil {
		return nil, err
	}
	x := h.view(ctx, a)
	return api.GetAgent200JSONResponse{Id: x.Id, Name: x.Name, Description: x.Description, ConnectionId: x.ConnectionId,
		ConnectionName: x.ConnectionName, Status: api.AgentDetailStatus(x.Status), PausedReason: x.PausedReason,
		VelocityCap: x.VelocityCap, HardCapMultiplier: x.HardCapMultiplier, FieldCaps: x.FieldCaps, BreakerOpen: x.BreakerOpen,
		BreakerTrippedAt: x.BreakerTrippedAt, WebhookUrl: x.WebhookUrl, WebhookSecret: x.WebhookSecret, WebhookError: x.WebhookError,
		CreatedAt: x.CreatedAt, Scopes: x.Scopes, Keys: x.Keys, Activity: act}, nil
}

// UpdateAgent changes an agent.
func (h *Handlers) UpdateAgent(ctx context.Context, req api.UpdateAgentRequestObject) (api.UpdateAgentResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.Update(ctx, p, req.AgentId, fromAPIInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return api.UpdateAgent200JSONResponse(toAPIAgent(a)), nil
}

// CreateAgentKey issues a key and shows its secret once.
func (h *Handlers) CreateAgentKey(ctx context.Context, req api.CreateAgentKeyRequestObject) (api.CreateAgentKeyResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	name := ""
	if req.Body != nil && req.Body.Name != nil {
		name = *req.Body.Name
	}
	k, secret, err := h.svc.CreateKey(ctx, p, req.AgentId, name)
	if err != nil {
		return nil, err
	}
	return api.CreateAgentKey201JSONResponse{Id: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, Secret: secret}, nil
}

// RevokeAgentKey revokes a key.
func (h *Handlers) RevokeAgentKey(ctx context.Context, req api.RevokeAgentKeyRequestObject) (api.RevokeAgentKeyResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.RevokeKey(ctx, p, req.AgentId, req.KeyId); err != nil {
		return nil, err
	}
	return api.RevokeAgentKey204Response{}, nil
}

// ResetAgentBreaker closes a tripped breaker.
func (h *Handlers) ResetAgentBreaker(ctx context.Context, req api.ResetAgentBreakerRequestObject) (api.ResetAgentBreakerResponseObject, error) {
	p, err := principal.Require(ctx)
	if err != nil {
		return nil, err
	}
	a, err := h.svc.ResetBreaker(ctx, p, req.AgentId, func(ctx context.Context) error {
		return h.activity.ResolveBreakerAlerts(ctx, p.TenantID, req.AgentId, p.UserID)
	})
	if err != nil {
		return nil, err
	}
	return api.ResetAgentBreaker200JSONResponse(toAPIAgent(a)), nil
}

func toAPIAgent(a Agent) api.Agent {
	out := api.Agent{Id: a.ID, Name: a.Name, Description: a.Description, ConnectionId: a.ConnectionID, ConnectionName: a.ConnectionName,
		Status: api.AgentStatus(a.Status), VelocityCap: a.VelocityCap, HardCapMultiplier: a.HardCapMultiplier, FieldCaps: a.FieldCaps,
		BreakerOpen: a.BreakerOpen, BreakerTrippedAt: a.BreakerTrippedAt, WebhookUrl: a.WebhookURL, CreatedAt: a.CreatedAt,
		Scopes: make([]api.AgentScope, len(a.Scopes)), Keys: make([]api.AgentKey, len(a.Keys))}
	if a.PausedReason != "" {
		out.PausedReason = &a.PausedReason
	}
	if a.WebhookSecret != "" {
		out.WebhookSecret = &a.WebhookSecret
	}
	if a.WebhookError != "" {
		out.WebhookError = &a.WebhookError
	}
	for i, s := range a.Scopes {
		out.Scopes[i] = api.AgentScope{Object: s.Object, Field: s.Field}
		for _, op := range s.Operations {
			out.Scopes[i].Operations = append(out.Scopes[i].Operations, api.AgentScopeOperations(op))
		}
	}
	for i, k := range a.Keys {
		out.Keys[i] = api.AgentKey{Id: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
	}
	return out
}

func fromAPIInput(b api.AgentInput) Input {
	in := Input{Name: b.Name, Description: b.Description, ConnectionID: b.ConnectionId, PausedReason: b.PausedReason,
		VelocityCap: b.VelocityCap, HardCapMultiplier: b.HardCapMultiplier, WebhookURL: b.WebhookUrl}
	if b.Status != nil {
		st := string(*b.Status)
		in.Status = &st
	}
	if b.FieldCaps != nil {
		in.FieldCaps = *b.FieldCaps
	}
	if b.Scopes != nil {
		scopes := make([]Scope, len(*b.Scopes))
		for i, s := range *b.Scopes {
			scopes[i] = Scope{Object: s.Object, Field: s.Field}
			for _, op := range s.Operations {
				scopes[i].Operations = append(scopes[i].Operations, string(op))
			}
		}
		in.Scopes = &scopes
	}
	return in
}
