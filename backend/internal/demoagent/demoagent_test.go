package demoagent_test

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/demoagent"
	"countersign/backend/internal/server/servertest"
)

// The demo agent that `make run` starts must not greet a new user with a red
// breaker banner: in its steady mode it stays under the default velocity cap
// however long it runs, and --burst still trips the breaker.
func TestDemoAgent_stays_under_its_caps_and_a_burst_trips_the_breaker(t *testing.T) {
	e := servertest.NewEnv(t, true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.App.Listener(ln)
	t.Cleanup(func() { e.App.Shutdown() })
	scopes := append(agents.DefaultScopes(), agents.Scope{Object: "contacts", Field: "email", Operations: []string{"set"}})
	created, client := e.NewAgent("admin@acme.test", "Demo agent", agents.Input{Scopes: &scopes})
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := demoagent.New("http://"+ln.Addr().String(), client.Key, 7, quiet)
	if err := a.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	// 180 batches of 4: an hour of `make run` at its 20 s interval, all inside one velocity window
	for i := 0; i < 180; i++ {
		if err := a.Tick(t.Context(), 4); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if got, err := e.Srv.Agents.Get(e.As(created.TenantID), created.TenantID, created.ID); err != nil || got.BreakerOpen {
		t.Fatalf("the steady demo agent tripped its breaker (err %v)", err)
	}
	if err := a.Burst(t.Context(), 120); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Srv.Agents.Get(e.As(created.TenantID), created.TenantID, created.ID); !got.BreakerOpen {
		t.Error("--burst did not trip the breaker")
	}
}
