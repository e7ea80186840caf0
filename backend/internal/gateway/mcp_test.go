package gateway_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/server/servertest"
)

type bearerTransport struct{ key string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return http.DefaultTransport.RoundTrip(r)
}

// TestMCP_tools_through_the_sdk_client drives /mcp with the MCP SDK's own
// client over real HTTP: list_fields, propose_changes, get_proposal, get_feedback.
func TestMCP_tools_through_the_sdk_client(t *testing.T) {
	e := servertest.NewEnv(t, true)
	_, agent := e.NewAgent("admin@acme.test", "MCP bot", agents.Input{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.App.Listener(ln)
	defer e.App.Shutdown()
	ctx := context.Background()
	connect := func(key string) (*mcp.ClientSession, error) {
		client := mcp.NewClient(&mcp.Implementation{Name: "test-agent", Version: "1"}, nil)
		return client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: "http://" + ln.Addr().String() + "/mcp",
			HTTPClient: &http.Client{Transport: bearerTransport{key}}, DisableStandaloneSSE: true, MaxRetries: -1}, nil)
	}
	if _, err := connect("cs_agent_wrong"); err == nil {
		t.Error("a wrong key connected")
	}
	cs, err := connect(agent.Key)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer cs.Close()
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	if strings.Join(names, ",") != "get_feedback,get_proposal,list_fields,propose_changes" {
		t.Errorf("tools %v", names)
	}
	text := func(name string, args any) string {
		t.Helper()
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil || res.IsError {
			t.Fatalf("%s: %v %+v", name, err, res)
		}
		return res.Content[0].(*mcp.TextContent).Text
	}
	if fields := text("list_fields", map[string]any{}); !strings.Contains(fields, `"name":"dealstage"`) {
		t.Errorf("list_fields: %.200s", fields)
	}
	deal := agent.Records("deals", "dealstage", 1)[0]
	contact := agent.Records("contacts", "utm_source", 1)[0]
	out := text("propose_changes", map[string]any{"proposals": []map[string]any{
		{"object": "contacts", "record_id": contact.ID, "field": "utm_source", "proposed": "x", "confidence": 0.9},
		{"object": "deals", "record_id": deal.ID, "field": "dealstage", "proposed": "closedwon", "confidence": 0.6},
	}})
	var res struct{ Results []servertest.Result }
	json.Unmarshal([]byte(out), &res)
	if len(res.Results) != 2 || res.Results[0].Status != "blocked" || res.Results[1].Route != "review" {
		t.Fatalf("propose_changes: %s", out)
	}
	if p := text("get_proposal", map[string]any{"id": res.Results[1].ID}); !strings.Contains(p, `"status":"queued"`) {
		t.Errorf("get_proposal: %s", p)
	}
	if fb := text("get_feedback", map[string]any{}); !strings.Contains(fb, res.Results[0].ID) || !strings.Contains(fb, `"outcome":"blocked"`) {
		t.Errorf("get_feedback: %s", fb)
	}
}
