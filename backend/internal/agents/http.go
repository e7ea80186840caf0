package agents

import (
	"context"

	"countersign/backend/api"
	"countersign/backend/internal/platform/principal"
)

// Handlers serve the Agents page.
type Handlers struct {
	svc *Service
	// canManage says whether the caller may manage agents: only they see webhook secrets.
	canManage func(ctx context.Context) bool
}

// NewHandlers returns the agents handlers.
func NewHandlers(svc *Service, canManage func(context.Context) bool) *Handlers {
	return &Handlers{svc: svc, canManage: canManage}
}

// view hides what readers may not see.
func (h *Handlers) view(ctx context.Context, a Agent) api.Agent { return toAPIAgent(h.visible(ctx, a)) }

func (h *Handlers) visible(ctx context.Context, a Agent) Agent {
	if !h.canManage(ctx) {
		a.WebhookSecret = ""
	}
	return a
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
	a, act, err := h.svc.Detail(ctx, p.TenantID, req.AgentId)
	if err != nil {
		return nil, err
	}
	return api.GetAgent200JSONResponse(toAPIAgentDetail(h.visible(ctx, a), act)), nil
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
	a, err := h.svc.ResetBreaker(ctx, p, req.AgentId)
	if err != nil {
		return nil, err
	}
	return api.ResetAgentBreaker200JSONResponse(toAPIAgent(a)), nil
}

func toAPIAgent(a Agent) api.Agent {
	return api.Agent{Id: a.ID, Name: a.Name, Description: a.Description, ConnectionId: a.ConnectionID, ConnectionName: a.ConnectionName,
		Status: api.AgentStatus(a.Status), PausedReason: optional(a.PausedReason), VelocityCap: a.VelocityCap,
		HardCapMultiplier: a.HardCapMultiplier, FieldCaps: a.FieldCaps, BreakerOpen: a.BreakerOpen, BreakerTrippedAt: a.BreakerTrippedAt,
		WebhookUrl: a.WebhookURL, WebhookSecret: optional(a.WebhookSecret), WebhookError: optional(a.WebhookError), CreatedAt: a.CreatedAt,
		Scopes: toAPIScopes(a.Scopes), Keys: toAPIKeys(a.Keys)}
}

// toAPIAgentDetail is the generated AgentDetail (Agent and its activity,
// flattened by the generator from the spec's allOf).
func toAPIAgentDetail(a Agent, act Activity) api.AgentDetail {
	return api.AgentDetail{Id: a.ID, Name: a.Name, Description: a.Description, ConnectionId: a.ConnectionID, ConnectionName: a.ConnectionName,
		Status: api.AgentDetailStatus(a.Status), PausedReason: optional(a.PausedReason), VelocityCap: a.VelocityCap,
		HardCapMultiplier: a.HardCapMultiplier, FieldCaps: a.FieldCaps, BreakerOpen: a.BreakerOpen, BreakerTrippedAt: a.BreakerTrippedAt,
		WebhookUrl: a.WebhookURL, WebhookSecret: optional(a.WebhookSecret), WebhookError: optional(a.WebhookError), CreatedAt: a.CreatedAt,
		Scopes: toAPIScopes(a.Scopes), Keys: toAPIKeys(a.Keys), Activity: toAPIActivity(act)}
}

func toAPIScopes(scopes []Scope) []api.AgentScope {
	out := make([]api.AgentScope, len(scopes))
	for i, s := range scopes {
		out[i] = api.AgentScope{Object: s.Object, Field: s.Field}
		for _, op := range s.Operations {
			out[i].Operations = append(out[i].Operations, api.AgentScopeOperations(op))
		}
	}
	return out
}

func toAPIKeys(keys []Key) []api.AgentKey {
	out := make([]api.AgentKey, len(keys))
	for i, k := range keys {
		out[i] = api.AgentKey{Id: k.ID, Name: k.Name, Prefix: k.Prefix, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
	}
	return out
}

func toAPIActivity(a Activity) api.AgentActivity {
	out := api.AgentActivity{DistinctRecordsLastHour: a.DistinctRecordsLastHour, ByRouteStatus: make([]api.RouteStatusCount, len(a.ByRouteStatus)),
		BlockedByField: make([]api.FieldCount, len(a.BlockedByField)), ByDay: make([]api.DayRouteCount, len(a.ByDay))}
	for i, c := range a.ByRouteStatus {
		out.ByRouteStatus[i] = api.RouteStatusCount{Route: c.Route, Status: c.Status, Count: c.Count}
	}
	for i, c := range a.BlockedByField {
		out.BlockedByField[i] = api.FieldCount{Object: c.Object, Field: c.Field, Count: c.Count}
	}
	for i, c := range a.ByDay {
		out.ByDay[i] = api.DayRouteCount{Day: c.Day, Route: c.Route, Count: c.Count}
	}
	return out
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
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
