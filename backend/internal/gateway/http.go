package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	agentapi "countersign/backend/api/agent"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/platform/ptr"
	"countersign/backend/internal/proposals"
)

type callerKey struct{}

// CallerFrom returns the authenticated agent of an agent API request.
func CallerFrom(ctx context.Context) (agents.Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(agents.Caller)
	return c, ok
}

// WithCaller stores the agent in ctx (the MCP server shares it), and holds
// every query made with ctx to the agent's tenant.
func WithCaller(ctx context.Context, c agents.Caller) context.Context {
	return context.WithValue(db.WithTenant(ctx, c.TenantID), callerKey{}, c)
}

// Authenticate is the agent API's middleware: a valid bearer key or 401.
// Another tenant's key is simply a wrong key.
func (s *Service) Authenticate(c *fiber.Ctx) error {
	key, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok {
		return problem.Unauthenticated("invalid_key", "Send Authorization: Bearer <agent key>.")
	}
	caller, err := s.agents.Authenticate(c.UserContext(), strings.TrimSpace(key))
	if err != nil {
		return err
	}
	c.SetUserContext(WithCaller(c.UserContext(), caller))
	return c.Next()
}

// RequireCaller returns the authenticated agent, or a 401 when the request
// has none: a handler never goes on as nobody with an empty tenant.
func RequireCaller(ctx context.Context) (agents.Caller, error) {
	c, ok := CallerFrom(ctx)
	if !ok || c.TenantID == "" {
		return c, problem.Unauthenticated("invalid_key", "Send Authorization: Bearer <agent key>.")
	}
	return c, nil
}

// SubmitHandler takes POST /proposals itself rather than through the generated
// decoding, so a wrongly typed item fails that item, not the batch.
func (s *Service) SubmitHandler(c *fiber.Ctx) error {
	caller, err := RequireCaller(c.UserContext())
	if err != nil {
		return err
	}
	d, err := DecodeBatch(c.Body())
	if be, ok := err.(*BatchError); ok {
		return problem.InvalidField(be.Field, "%s", be.Message)
	}
	results, err := s.Submit(c.UserContext(), caller, d)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"results": toAPIResults(results)})
}

func toAPIResults(rs []Result) []agentapi.ProposalResult {
	out := make([]agentapi.ProposalResult, len(rs))
	for i, r := range rs {
		out[i].Index = r.Index
		if r.Error != nil {
			out[i].Error = &agentapi.ItemError{Code: r.Error.Code, Field: r.Error.Field, Message: r.Error.Message, Rule: optional(r.Error.Rule)}
			continue
		}
		id, status, route, reasons := r.ID, agentapi.ProposalResultStatus(r.Status), agentapi.ProposalResultRoute(r.Route), r.Reasons
		out[i].Id, out[i].Status, out[i].Route, out[i].Reasons = &id, &status, &route, &reasons
	}
	return out
}

// Handlers implement the generated agent API.
type Handlers struct{ svc *Service }

// NewHandlers returns the agent API handlers.
func NewHandlers(svc *Service) *Handlers { return &Handlers{svc: svc} }

// ListAgentFields lists the catalog within scope.
func (h *Handlers) ListAgentFields(ctx context.Context, _ agentapi.ListAgentFieldsRequestObject) (agentapi.ListAgentFieldsResponseObject, error) {
	caller, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	fs, err := h.svc.Fields(ctx, caller)
	if err != nil {
		return nil, err
	}
	out := agentapi.ListAgentFields200JSONResponse{Fields: make([]agentapi.AgentField, len(fs))}
	for i, f := range fs {
		out.Fields[i] = toAPIAgentField(f)
	}
	return out, nil
}

// SubmitProposals is served by SubmitHandler; this generated route is shadowed.
func (h *Handlers) SubmitProposals(context.Context, agentapi.SubmitProposalsRequestObject) (agentapi.SubmitProposalsResponseObject, error) {
	return nil, problem.NotFound("route")
}

// GetAgentProposal returns one of the agent's proposals.
func (h *Handlers) GetAgentProposal(ctx context.Context, req agentapi.GetAgentProposalRequestObject) (agentapi.GetAgentProposalResponseObject, error) {
	caller, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.svc.Proposal(ctx, caller.TenantID, caller.AgentID, req.ProposalId)
	if err != nil {
		return nil, err
	}
	return agentapi.GetAgentProposal200JSONResponse(toAPIAgentProposal(p)), nil
}

// GetFeedback pages through the agent's outcomes.
func (h *Handlers) GetFeedback(ctx context.Context, req agentapi.GetFeedbackRequestObject) (agentapi.GetFeedbackResponseObject, error) {
	caller, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	limit := 100
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	after := ""
	if req.Params.After != nil {
		after = *req.Params.After
	}
	evs, next, err := h.svc.Feedback(ctx, caller, after, limit)
	if err != nil {
		return nil, err
	}
	return agentapi.GetFeedback200JSONResponse{Events: toAPIFeedback(evs), Next: next}, nil
}

func toAPIFeedback(evs []FeedbackEvent) []agentapi.FeedbackEvent {
	out := make([]agentapi.FeedbackEvent, len(evs))
	for i, e := range evs {
		out[i] = agentapi.FeedbackEvent{Cursor: e.Cursor, ProposalId: e.ProposalID, Outcome: agentapi.FeedbackEventOutcome(e.Outcome),
			At: e.At, Detail: orMap(e.Detail)}
	}
	return out
}

// ListAgentRecords reads records through Countersign.
func (h *Handlers) ListAgentRecords(ctx context.Context, req agentapi.ListAgentRecordsRequestObject) (agentapi.ListAgentRecordsResponseObject, error) {
	caller, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	limit := 20
	if req.Params.Limit != nil {
		limit = *req.Params.Limit
	}
	page, withheld, err := h.svc.ListRecords(ctx, caller, req.Object, ptr.Deref(req.Params.Fields), limit, ptr.Deref(req.Params.After))
	if err != nil {
		return nil, err
	}
	out := agentapi.ListAgentRecords200JSONResponse{Records: make([]agentapi.AgentRecord, len(page.Records)), Withheld: toAPIWithheld(withheld)}
	for i, r := range page.Records {
		out.Records[i] = agentapi.AgentRecord{Id: r.ID, Values: orMap(r.Values)}
	}
	if page.Next != "" {
		out.Next = &page.Next
	}
	return out, nil
}

// GetAgentRecord reads one record through Countersign.
func (h *Handlers) GetAgentRecord(ctx context.Context, req agentapi.GetAgentRecordRequestObject) (agentapi.GetAgentRecordResponseObject, error) {
	caller, err := RequireCaller(ctx)
	if err != nil {
		return nil, err
	}
	r, withheld, err := h.svc.GetRecord(ctx, caller, req.Object, req.RecordId, ptr.Deref(req.Params.Fields))
	if err != nil {
		return nil, err
	}
	w := toAPIWithheld(withheld)
	return agentapi.GetAgentRecord200JSONResponse{Id: r.ID, Values: orMap(r.Values), Withheld: &w}, nil
}

func toAPIWithheld(ws []Withheld) []agentapi.WithheldField {
	out := make([]agentapi.WithheldField, len(ws))
	for i, w := range ws {
		out[i] = agentapi.WithheldField{Field: w.Field, Reason: w.Reason}
	}
	return out
}

func toAPIAgentField(f AgentField) agentapi.AgentField {
	out := agentapi.AgentField{Object: f.Object, Name: f.Name, Label: f.Label, Type: string(f.Type), Writable: f.Writable,
		Sensitivity: agentapi.AgentFieldSensitivity(f.Policy.Sensitivity), Mode: agentapi.AgentFieldMode(f.Policy.Mode)}
	thr, ev := f.Policy.ConfidenceThreshold, f.Policy.EvidenceRequired
	out.ConfidenceThreshold, out.EvidenceRequired = &thr, &ev
	for _, o := range f.Options {
		out.Options = append(out.Options, struct {
			Label string `json:"label"`
			Value string `json:"value"`
		}{o.Label, o.Value})
	}
	if out.Options == nil {
		out.Options = []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		}{}
	}
	for _, op := range f.Operations {
		out.Operations = append(out.Operations, agentapi.AgentFieldOperations(op))
	}
	return out
}

func toAPIAgentProposal(p proposals.Proposal) agentapi.AgentProposal {
	out := agentapi.AgentProposal{Id: p.ID, Object: p.Object, RecordId: p.RecordID, Field: p.Field, Operation: p.Operation,
		ExpectedOld: p.ExpectedOld, Proposed: p.Proposed, Confidence: p.Confidence, Status: p.Status, Route: p.Route,
		Reasons: reasonTexts(p.Reasons), Flags: []string{}, CreatedAt: p.CreatedAt}
	out.History = make([]struct {
		At     time.Time               `json:"at"`
		Detail *map[string]interface{} `json:"detail,omitempty"`
		Status string                  `json:"status"`
	}, 0, len(p.History))
	for _, f := range p.Flags {
		out.Flags = append(out.Flags, string(f.Code))
	}
	for _, t := range p.History {
		d := orMap(t.Detail)
		out.History = append(out.History, struct {
			At     time.Time               `json:"at"`
			Detail *map[string]interface{} `json:"detail,omitempty"`
			Status string                  `json:"status"`
		}{t.At, &d, t.To})
	}
	out.Decision = decisionOf(p.History)
	return out
}

// decisionOf is the reviewers' standing decision in a proposal's history:
// the last transition a verdict made, unless an undo came after it.
func decisionOf(history []proposals.Event) *agentapi.AgentDecision {
	for i := len(history) - 1; i >= 0; i-- {
		t := history[i]
		if _, undone := t.Detail["undo"]; undone {
			return nil
		}
		verdict, ok := t.Detail["verdict"].(string)
		if !ok {
			continue
		}
		d := &agentapi.AgentDecision{Verdict: agentapi.AgentDecisionVerdict(verdict), DecidedAt: t.At, FinalValue: t.Detail["final_value"]}
		if c, ok := t.Detail["reason_code"].(string); ok {
			d.ReasonCode = &c
		}
		if c, ok := t.Detail["comment"].(string); ok {
			d.Comment = &c
		}
		return d
	}
	return nil
}

func orMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
