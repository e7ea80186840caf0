package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/dbtest"
)

func TestServe_refuses_an_out_of_date_schema(t *testing.T) {
	t.Setenv("COUNTERSIGN_DATABASE_URL", dbtest.Empty(t))
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	t.Setenv("COUNTERSIGN_LISTEN", "127.0.0.1:0")
	err := run(context.Background(), "serve")
	if err == nil || !strings.Contains(err.Error(), "run `countersign migrate`") {
		t.Fatalf("serve on an empty database: %v, want a refusal saying to run countersign migrate", err)
	}
}

func TestMigrateThenSeed_twice_is_idempotent(t *testing.T) {
	url := dbtest.Empty(t)
	t.Setenv("COUNTERSIGN_DATABASE_URL", url)
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	for i := 0; i < 2; i++ {
		for _, cmd := range []string{"migrate", "seed"} {
			if err := run(context.Background(), cmd); err != nil {
				t.Fatalf("round %d %s: %v", i, cmd, err)
			}
		}
	}
	d := dbtest.Open(t, url)
	var users, members int
	d.Conn(t.Context()).Raw(`SELECT count(*) FROM users`).Scan(&users)
	d.Conn(t.Context()).Raw(`SELECT count(*) FROM memberships`).Scan(&members)
	if users != 5 || members != 6 {
		t.Errorf("after seeding twice: %d users, %d memberships; want 5 and 6", users, members)
	}
}

func TestUnknownCommand(t *testing.T) {
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	if err := run(context.Background(), "frobnicate"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Fatalf("got %v", err)
	}
}

func TestAgentsCLI_creates_an_agent_and_prints_a_working_key_once(t *testing.T) {
	url := dbtest.Empty(t)
	t.Setenv("COUNTERSIGN_DATABASE_URL", url)
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	for _, cmd := range []string{"migrate", "seed"} {
		if err := run(context.Background(), cmd); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	if err := run(context.Background(), "agents", "create", "--tenant", "acme", "--name", "Scripted"); err != nil {
		t.Fatalf("create: %v", err)
	}
	cfg, _ := config.Load(os.Getenv)
	d := dbtest.Open(t, url)
	var out strings.Builder
	if err := runAgents(context.Background(), cfg, d, slog.Default(), []string{"create-key", "--tenant", "acme", "--agent", "scripted"}, &out); err != nil {
		t.Fatalf("create-key: %v", err)
	}
	key := strings.TrimSpace(out.String())
	var hash string
	d.Conn(t.Context()).Raw(`SELECT hash FROM agent_keys`).Scan(&hash)
	if !strings.HasPrefix(key, "cs_agent_") || hash != agents.HashKey(key) || strings.Contains(hash, key) {
		t.Errorf("key %q, stored %q", key, hash)
	}
	if err := run(context.Background(), "agents", "create", "--tenant", "nowhere", "--name", "X"); err == nil || !strings.Contains(err.Error(), "no tenant") {
		t.Errorf("unknown tenant: %v", err)
	}
}
