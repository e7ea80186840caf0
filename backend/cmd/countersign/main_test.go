package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/dbtest"
	"fmt"
	"time"
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

// seeded is the owner's URL of a new database that `countersign migrate` and
// `seed` made, as the CLI's database (COUNTERSIGN_DATABASE_URL) from here on.
func seeded(t *testing.T) string {
	t.Helper()
	url := dbtest.Empty(t)
	t.Setenv("COUNTERSIGN_DATABASE_URL", url)
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	for _, cmd := range []string{"migrate", "seed"} {
		if err := run(context.Background(), cmd); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
	}
	return url
}

func TestAgentsCLI_creates_an_agent_and_prints_a_working_key_once(t *testing.T) {
	url := seeded(t)
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

func TestVerifyLog_names_the_row_a_superuser_edited(t *testing.T) {
	w := withFiveChanges(t, "")
	cfg, owner, app, tenantID := w.cfg, w.owner, w.app, w.tenantID
	verify := func() (string, string, error) {
		var out, errOut strings.Builder
		err := runVerifyLog(t.Context(), cfg, app, nil, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	if out, _, err := verify(); err != nil || out != "verified 5 events\n" {
		t.Fatalf("clean chain: %q %v", out, err)
	}
	// neither the app role nor the owner can change a row
	if err := app.Conn(db.WithTenant(t.Context(), tenantID)).Exec(`UPDATE change_events SET after_value = '"closedwon"' WHERE seq = 3`).Error; err == nil {
		t.Error("the app role changed a change event")
	}
	if err := owner.Conn(t.Context()).Exec(`DELETE FROM change_events WHERE seq = 3`).Error; err == nil ||
		!strings.Contains(err.Error(), "append-only") {
		t.Errorf("the owner deleted a change event: %v", err)
	}
	// a superuser gets past the trigger: a changed id is caught (an id names a change in the API)...
	var id1 string
	owner.Conn(t.Context()).Raw(`SELECT id FROM change_events WHERE tenant_id = ? AND seq = 1`, tenantID).Scan(&id1)
	setID := func(id string) {
		t.Helper()
		if err := owner.Conn(t.Context()).Exec(`SET session_replication_role = replica;
			UPDATE change_events SET id = '` + id + `' WHERE tenant_id = '` + tenantID + `' AND seq = 1;
			SET session_replication_role = DEFAULT`).Error; err != nil {
			t.Fatal(err)
		}
	}
	setID("00000000-0000-4000-8000-000000000001")
	if out, _, err := verify(); err == nil || out != "first bad seq=1 tenant=acme\n" {
		t.Errorf("a changed id: %q %v", out, err)
	}
	setID(id1)
	// ...and so is an edited value
	if err := owner.Conn(t.Context()).Exec(`SET session_replication_role = replica;
		UPDATE change_events SET after_value = '"closedwon"' WHERE tenant_id = '` + tenantID + `' AND seq = 3;
		SET session_replication_role = DEFAULT`).Error; err != nil {
		t.Fatal(err)
	}
	out, errOut, err := verify()
	if err == nil || out != "first bad seq=3 tenant=acme\n" || !strings.Contains(errOut, "columns do not match its hash") {
		t.Errorf("tampered chain: %q %q %v", out, errOut, err)
	}
	if err := run(context.Background(), "verify-log", "--tenant", "globex"); err != nil {
		t.Errorf("globex's (empty) chain: %v", err)
	}
}

// simulate runs the pipeline on a simulated clock and prints each agent's
// measured rates; bad flags are refused by name. seed --demo-history gives
// the demo a month of rollouts once: a second seed leaves it as it is.
func TestSimulateCLI_and_the_demo_history(t *testing.T) {
	url := dbtest.Empty(t)
	t.Setenv("COUNTERSIGN_DATABASE_URL", url)
	t.Setenv("COUNTERSIGN_DATA_DIR", t.TempDir())
	if err := run(context.Background(), "migrate"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := run(context.Background(), "seed", "--demo-history"); err != nil {
			t.Fatalf("seed --demo-history: %v", err)
		}
	}
	owner := dbtest.Open(t, url)
	var rollouts []struct {
		Stage  string
		Halted bool
	}
	owner.Conn(t.Context()).Raw(`SELECT stage, halted_at IS NOT NULL AS halted FROM rollouts ORDER BY name`).Scan(&rollouts) // HQ mover, then Office locator
	if len(rollouts) != 2 || !rollouts[0].Halted || rollouts[0].Stage != "shadow" || rollouts[1].Halted || rollouts[1].Stage != "canary" {
		t.Fatalf("the demo's rollouts after two seeds: %+v (want a healthy canary and a halted one)", rollouts)
	}
	cfg, _ := config.Load(config.WithPrivateCluster(os.Getenv))
	app := dbtest.Open(t, config.AppURL(url))
	var out strings.Builder
	err := runSimulate(t.Context(), cfg, app, slog.New(slog.NewTextHandler(io.Discard, nil)),
		[]string{"--tenant", "acme", "--days", "2", "--agents", "1", "--per-day", "10", "--canary-error", "0.1", "--seed", "3"}, &out)
	if err != nil || !strings.Contains(out.String(), "simulated day 2 of 2") || !strings.Contains(out.String(), "canary ") {
		t.Fatalf("simulate: %v\n%s", err, out.String())
	}
	err = runSimulate(t.Context(), cfg, app, slog.Default(), []string{"--tenant", "acme", "--days", "0"}, &out)
	if err == nil || !strings.Contains(err.Error(), "days") {
		t.Errorf("--days 0: %v", err)
	}
	if err := runSimulate(t.Context(), cfg, app, slog.Default(), []string{"--tenant", "nope"}, &out); err == nil || !strings.Contains(err.Error(), `no tenant "nope"`) {
		t.Errorf("--tenant nope: %v", err)
	}
}

// logged is a migrated and seeded database whose acme workspace has five
// system changes in its log, as the CLI's commands find them.
type logged struct {
	cfg        config.Config
	owner, app *db.DB
	tenantID   string
	log        *changelog.Service
}

func withFiveChanges(t *testing.T, reason string) logged {
	t.Helper()
	url := seeded(t)
	cfg, _ := config.Load(os.Getenv)
	w := logged{cfg: cfg, owner: dbtest.Open(t, url), app: dbtest.Open(t, config.AppURL(url))}
	var connID string
	w.owner.Conn(t.Context()).Raw(`SELECT t.id FROM tenants t WHERE slug = 'acme'`).Scan(&w.tenantID)
	w.owner.Conn(t.Context()).Raw(`SELECT id FROM crm_connections WHERE tenant_id = ? LIMIT 1`, w.tenantID).Scan(&connID)
	w.log = changelog.New(changelog.Deps{DB: w.app, Clock: clock.System{}, Signer: changelog.NewSigner(cfg.SecretKey)})
	var entries []changelog.Entry
	for i := range 5 {
		entries = append(entries, changelog.Entry{ConnectionID: connID, Object: "deals", RecordID: fmt.Sprint(9800000001 + i), Field: "dealstage",
			Before: "appointmentscheduled", After: "contractsent", ActorKind: changelog.ActorSystem, At: time.Now(), Reason: reason})
	}
	if _, err := w.log.Append(db.WithTenant(t.Context(), w.tenantID), w.tenantID, entries); err != nil {
		t.Fatal(err)
	}
	return w
}
