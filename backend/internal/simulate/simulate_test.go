package simulate_test

import (
	"context"
	"testing"
	"time"

	"countersign/backend/internal/access"
	"countersign/backend/internal/changelog"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/config"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/seed"
	"countersign/backend/internal/seed/seedtest"
	"countersign/backend/internal/server"
	"countersign/backend/internal/simulate"
)

type env struct {
	d        *db.DB
	srv      *server.Server
	clk      *clock.Fixed
	tenantID string
}

func newEnv(t *testing.T) env {
	t.Helper()
	sdb := seedtest.Open(t)
	d, data, quiet := sdb.App, sdb.Data, sdb.Quiet
	ctx := context.Background()
	clk := clock.NewFixed(time.Now())
	srv, err := server.New(ctx, config.Config{Listen: ":0", BaseURL: "http://console.test", SecretKey: make([]byte, 32), Env: "development"},
		quiet, d, clk)
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Connections(ctx, d, srv.Catalog, data, quiet); err != nil {
		t.Fatal(err)
	}
	var tenantID string
	if err := sdb.Owner(t).Conn(ctx).Raw(`SELECT id FROM tenants WHERE slug = ?`, data.Tenants[0].Slug).Scan(&tenantID).Error; err != nil {
		t.Fatal(err)
	}
	return env{d: d, srv: srv, clk: clk, tenantID: tenantID}
}

// An agent whose canary writes err at 2 % and whose control proposals err at
// 10 %: the measured rates hold the injected ones inside their intervals,
// from the real pipeline's own records (reconciled CRM edits for the canary,
// reviewer rejections and edits for the control), and a 2 % canary against
// a 3 % threshold is not halted.
func TestSimulate_measured_rates_match_the_injected_ones(t *testing.T) {
	e := newEnv(t)
	rep, err := simulate.Run(t.Context(), e.d, e.srv, e.clk, simulate.Config{TenantID: e.tenantID, Days: 20, Agents: 1,
		CanaryError: 0.02, ControlError: 0.10, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Agents[0]
	t.Logf("canary %d/%d = %.3f [%.3f, %.3f] (injected %d); control %d/%d = %.3f [%.3f, %.3f] (injected %d)",
		a.Canary.Corrected, a.Canary.Applied, a.Canary.Rate, a.Canary.Low, a.Canary.High, a.InjectedCanary,
		a.Control.Corrected, a.Control.Applied, a.Control.Rate, a.Control.Low, a.Control.High, a.InjectedControl)
	if a.Canary.Applied < 150 || a.Control.Applied < 150 {
		t.Fatalf("too few outcomes to judge: canary %d, control %d", a.Canary.Applied, a.Control.Applied)
	}
	if !(a.Canary.Low <= 0.02 && 0.02 <= a.Canary.High) || a.Canary.Corrected != a.InjectedCanary {
		t.Errorf("canary measured %d of %d corrected [%.3f, %.3f]; injected %d at 2 %%", a.Canary.Corrected, a.Canary.Applied,
			a.Canary.Low, a.Canary.High, a.InjectedCanary)
	}
	if !(a.Control.Low <= 0.10 && 0.10 <= a.Control.High) || a.Control.Corrected != a.InjectedControl {
		t.Errorf("control measured %d of %d corrected [%.3f, %.3f]; injected %d at 10 %%", a.Control.Corrected, a.Control.Applied,
			a.Control.Low, a.Control.High, a.InjectedControl)
	}
	if a.Stage != policy.StageCanary || a.HaltedAt != nil {
		t.Errorf("a 2 %% canary against a 3 %% threshold ended %s (halted %v)", a.Stage, a.HaltedAt)
	}
}

// A canary that errs at 8 % against a 3 % threshold is halted to shadow by
// the guardrail (an alert says so), and reverting its canary writes puts
// every record the canary wrote back to its value before, except those a
// person has since corrected, which the rollback reports as conflicts.
func TestSimulate_a_bad_canary_halts_and_its_writes_revert(t *testing.T) {
	e := newEnv(t)
	rep, err := simulate.Run(t.Context(), e.d, e.srv, e.clk, simulate.Config{TenantID: e.tenantID, Days: 12, Agents: 1,
		CanaryError: 0.08, ControlError: 0.02, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Agents[0]
	if a.Stage != policy.StageShadow || a.HaltedAt == nil {
		t.Fatalf("an 8 %% canary ended %s, halted %v (canary %d/%d)", a.Stage, a.HaltedAt, a.Canary.Corrected, a.Canary.Applied)
	}
	ctx := db.WithTenant(t.Context(), e.tenantID)
	var alerts int64
	e.d.Conn(ctx).Raw(`SELECT count(*) FROM alerts WHERE tenant_id = ? AND kind = 'rollout_halted'`, e.tenantID).Scan(&alerts)
	if alerts != 1 {
		t.Errorf("%d rollout_halted alerts, want 1", alerts)
	}
	// what the canary wrote: the before value of each record's first canary write
	f := changelog.Filter{RolloutID: a.RolloutID, Since: a.CanarySince}
	var written []struct {
		RecordID, Before string
		Seq              int64
	}
	e.d.Conn(ctx).Raw(`SELECT DISTINCT ON (e.record_id) e.record_id, e.before_value::jsonb #>> '{}' AS before, e.seq FROM change_events e
		JOIN proposals p ON p.tenant_id = e.tenant_id AND p.id = e.proposal_id
		WHERE e.tenant_id = ? AND p.rollout_id = ? AND p.arm = 'canary' ORDER BY e.record_id, e.seq`, e.tenantID, a.RolloutID).Scan(&written)
	if len(written) < 20 {
		t.Fatalf("the canary wrote %d records", len(written))
	}
	admin := adminOf(t, e)
	b, err := e.srv.Changes.StartRollback(ctx, admin, f, "guardrail halted the canary")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Changes.RunRollback(ctx, e.tenantID, b.ID); err != nil {
		t.Fatal(err)
	}
	done, err := e.srv.Changes.GetRollback(ctx, e.tenantID, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	// a record changed by anyone but the canary after its first canary
	// write — corrected by a person in the CRM (between two canary writes
	// or after the last), or written by a reviewed proposal — is not the
	// canary's to undo: it is left, reported, for a person
	var changed []string
	e.d.Conn(ctx).Raw(`
		WITH canary AS (
		  SELECT e.record_id, e.seq FROM change_events e JOIN proposals p ON p.tenant_id = e.tenant_id AND p.id = e.proposal_id
		  WHERE e.tenant_id = ? AND p.rollout_id = ? AND p.arm = 'canary'),
		first AS (SELECT record_id, min(seq) AS seq FROM canary GROUP BY record_id)
		SELECT f.record_id FROM first f WHERE
		  EXISTS (SELECT 1 FROM change_events l WHERE l.tenant_id = ? AND l.record_id = f.record_id AND l.field = 'city' AND l.seq > f.seq
		          AND l.reverts IS NULL AND l.seq <= ? AND l.seq NOT IN (SELECT seq FROM canary))
		  OR EXISTS (SELECT 1 FROM corrections k JOIN canary c ON c.seq = k.change_seq
		          WHERE k.tenant_id = ? AND c.record_id = f.record_id AND k.kind = 'crm_edit')
		ORDER BY 1`, e.tenantID, a.RolloutID, e.tenantID, b.MaxSeq, e.tenantID).Scan(&changed)
	if done.State != "done" || done.Failed != 0 || len(changed) < a.Canary.Corrected {
		t.Fatalf("rollback %s: reverted %d, conflicts %d (records changed since the canary: %d, corrected by people: %d), failed %d",
			done.State, done.Reverted, done.Conflicts, len(changed), a.Canary.Corrected, done.Failed)
	}
	sb := sandbox.NewService(e.d, e.clk)
	conflicts := map[string]bool{}
	for _, c := range done.Report {
		conflicts[c.RecordID] = true
	}
	for _, id := range changed {
		if !conflicts[id] {
			t.Errorf("record %s changed since the canary wrote it, but the rollback did not report it", id)
		}
	}
	if len(conflicts) != len(changed) {
		t.Errorf("the rollback reports conflicts on %d records; %d were changed since the canary wrote them", len(conflicts), len(changed))
	}
	connID := rep.ConnectionID
	restored := 0
	for _, w := range written {
		rec, err := sb.Record(ctx, e.tenantID, connID, "companies", w.RecordID)
		if err != nil {
			t.Fatal(err)
		}
		if got := rec.Values["city"]; !conflicts[w.RecordID] && got != w.Before {
			t.Errorf("record %s holds %v after the rollback, want its value before the canary %q", w.RecordID, got, w.Before)
		} else if !conflicts[w.RecordID] {
			restored++
		}
	}
	if restored == 0 || restored+len(conflicts) != len(written) {
		t.Errorf("%d records restored and %d conflicts of %d the canary wrote", restored, len(conflicts), len(written))
	}
	t.Logf("canary %d/%d corrected; %d records restored, %d conflicts", a.Canary.Corrected, a.Canary.Applied, restored, len(conflicts))
}

func adminOf(t *testing.T, e env) principal.Principal {
	t.Helper()
	ctx := db.WithTenant(t.Context(), e.tenantID)
	roles, err := access.NewStore(e.d).RolesByUser(ctx, e.tenantID)
	if err != nil {
		t.Fatal(err)
	}
	for id, rs := range roles {
		for _, r := range rs {
			if r == "admin" {
				var u struct{ Email, Name string }
				e.d.Conn(ctx).Raw(`SELECT email, name FROM users WHERE id = ?`, id).Scan(&u)
				return principal.Principal{UserID: id, Email: u.Email, Name: u.Name, TenantID: e.tenantID}
			}
		}
	}
	t.Fatal("no admin")
	return principal.Principal{}
}
