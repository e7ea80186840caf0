package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/problem"
)

// MCP serves the agent API as MCP tools: stateless, JSON responses, the same
// bearer key. Each tool calls the same service methods as the REST API.
func (s *Service) MCP() http.Handler {
	server := mcp.NewServer(&mcp.Implementation{Name: "countersign", Title: "Countersign agent gateway", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "list_fields",
		Description: "List the CRM fields this agent may read or propose changes to, with type, options, writable flag, sensitivity and mode."},
		s.toolListFields)
	mcp.AddTool(server, &mcp.Tool{Name: "propose_changes",
		Description: "Submit 1 to 500 proposed field changes (object, record_id, field, operation, expected_old, proposed, confidence, rationale, evidence, run_id, idempotency_key). Each gets a route and reasons, or an error naming the field."},
		s.toolPropose)
	mcp.AddTool(server, &mcp.Tool{Name: "get_proposal", Description: "Get one of this agent's proposals: status, route, reasons and history."},
		s.toolGetProposal)
	mcp.AddTool(server, &mcp.Tool{Name: "get_feedback",
		Description: "Read the outcomes of this agent's proposals in order (blocked, approved, edited, rejected, …) from a cursor."},
		s.toolFeedback)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	return s.bearer(h)
}

// bearer authenticates the key before MCP sees the request.
func (s *Service) bearer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		var caller agents.Caller
		err := errors.New("no bearer key")
		if ok {
			caller, err = s.agents.Authenticate(r.Context(), strings.TrimSpace(key))
		}
		if err != nil {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": "Unauthorized", "status": 401,
				"code": "invalid_key", "detail": "Send a valid agent key: Authorization: Bearer cs_agent_…"})
			return
		}
		next.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), caller)))
	})
}

type noInput struct{}

// ProposeInput is propose_changes' arguments: the same items as POST /proposals.
type ProposeInput struct {
	Proposals []map[string]any `json:"proposals" jsonschema:"1 to 500 proposals"`
}

// ProposalInput names a proposal.
type ProposalInput struct {
	ID string `json:"id" jsonschema:"the proposal id returned by propose_changes"`
}

// FeedbackInput pages through feedback.
type FeedbackInput struct {
	After string `json:"after,omitempty" jsonschema:"the next cursor of the previous call; empty to start"`
	Limit int    `json:"limit,omitempty" jsonschema:"1 to 500, default 100"`
}

func (s *Service) toolListFields(ctx context.Context, _ *mcp.CallToolRequest, _ noInput) (*mcp.CallToolResult, any, error) {
	caller, err := mustCaller(ctx)
	if err != nil {
		return nil, nil, err
	}
	fs, err := s.Fields(ctx, caller)
	if err != nil {
		return toolError(err), nil, nil
	}
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = toAPIAgentField(f)
	}
	return toolJSON(map[string]any{"fields": out}), nil, nil
}

func (s *Service) toolPropose(ctx context.Context, _ *mcp.CallToolRequest, in ProposeInput) (*mcp.CallToolResult, any, error) {
	caller, err := mustCaller(ctx)
	if err != nil {
		return nil, nil, err
	}
	body, _ := json.Marshal(in)
	d, err := DecodeBatch(body)
	if err != nil {
		return toolError(err), nil, nil
	}
	results, err := s.Submit(ctx, caller, d)
	if err != nil {
		return toolError(err), nil, nil
	}
	return toolJSON(map[string]any{"results": toAPIResults(results)}), nil, nil
}

func (s *Service) toolGetProposal(ctx context.Context, _ *mcp.CallToolRequest, in ProposalInput) (*mcp.CallToolResult, any, error) {
	caller, err := mustCaller(ctx)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Proposal(ctx, caller.TenantID, caller.AgentID, in.ID)
	if err != nil {
		return toolError(err), nil, nil
	}
	return toolJSON(toAPIAgentProposal(p)), nil, nil
}

func (s *Service) toolFeedback(ctx context.Context, _ *mcp.CallToolRequest, in FeedbackInput) (*mcp.CallToolResult, any, error) {
	caller, err := mustCaller(ctx)
	if err != nil {
		return nil, nil, err
	}
	if in.Limit == 0 {
		in.Limit = 100
	}
	evs, next, err := s.Feedback(ctx, caller, in.After, in.Limit)
	if err != nil {
		return toolError(err), nil, nil
	}
	return toolJSON(map[string]any{"events": toAPIFeedback(evs), "next": next}), nil, nil
}

func mustCaller(ctx context.Context) (agents.Caller, error) {
	c, ok := CallerFrom(ctx)
	if !ok {
		return c, errors.New("no authenticated agent")
	}
	return c, nil
}

func toolJSON(v any) *mcp.CallToolResult {
	b, _ := json.Marshal(v)
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: string(b)}}}
}

// toolError reports a domain error to the model as a tool error it can read.
func toolError(err error) *mcp.CallToolResult {
	msg := "Something went wrong on our side; try again later."
	var be *BatchError
	if pe, ok := problem.As(err); ok {
		b, _ := json.Marshal(map[string]any{"code": pe.Code, "detail": pe.Detail, "errors": pe.Fields})
		msg = string(b)
	} else if errors.As(err, &be) {
		msg = be.Field + " " + be.Message
	}
	return &mcp.CallToolResult{IsError: true, Content: []mcp.Content{&mcp.TextContent{Text: msg}}}
}
