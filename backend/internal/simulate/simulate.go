// Package simulate drives the real pipeline — intake, the policy engine and
// rollouts, review decisions, applies to the sandbox CRM, people correcting
// the CRM afterwards, reconciliation, the insights fold and the guardrail —
// on a simulated clock, with error rates you choose. It answers "would the
// guardrail have caught an agent that errs at 8 %?" without waiting a month,
// and gives the demo workspace a month of history.
//
// Errors are injected at exactly the rates asked, spread evenly (the n-th
// change of an arm is wrong when ⌊n·p⌋ grows), so what the metrics measure
// can be checked against what was injected: a wrong canary write is later
// corrected by a person in the CRM (found by reconciliation), and a wrong
// control proposal is rejected or edited by the reviewer.
package simulate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/crm/sandbox"
	"countersign/backend/internal/gateway"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/review"
	"countersign/backend/internal/rollouts"
	"countersign/backend/internal/server"
)

// Config is one simulation.
type Config struct {
	TenantID                  string
	Days, Agents              int
	CanaryError, ControlError float64
	// CanaryErrors, when set, gives each agent its own canary error rate.
	CanaryErrors []float64
	// Names, when set, names the agents (default "Simulated agent N · run").
	Names                   []string
	PerDay                  int    // proposals per agent per day (default 24)
	PercentBps              int    // the canary's share of records (default 5000)
	ThresholdBps, MinSample int    // the rollouts' guardrail (defaults 300, 50)
	Field                   string // object.field the agents propose to (default companies.city)
	Seed                    uint64
	// Progress hears about each simulated day (nil: silence).
	Progress func(day, days int)
}

// AgentReport is what happened to one simulated agent's rollout.
type AgentReport struct {
	AgentID, AgentName, RolloutID string
	Stage                         policy.Stage
	HaltedAt                      *time.Time
	CanarySince                   *time.Time
	Proposals                     int
	Canary, Control               insights.Rate
	InjectedCanary                int // canary writes made wrong on purpose
	InjectedControl               int // control proposals the reviewer turned down or edited
}

// Report is a simulation's outcome.
type Report struct {
	From, To     time.Time
	ConnectionID string // the sandbox the agents wrote to
	Agents       []AgentReport
}

// Run simulates cfg.Days days ending today on srv, whose services must all
// run on clk; clk is moved through the simulated days. The tenant needs a
// sandbox connection, an admin (who owns the simulated agents) and another
// member with the reviewer role (who reviews).
func Run(ctx context.Context, d *db.DB, srv *server.Server, clk *clock.Fixed, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	ctx = db.WithTenant(ctx, cfg.TenantID)
	s := &sim{cfg: cfg, d: d, srv: srv, clk: clk, sandbox: sandbox.NewService(d, clk),
		rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x2545f4914f6cdd1d))}
	end := clk.Now().UTC().Truncate(24 * time.Hour)
	start := end.AddDate(0, 0, -cfg.Days)
	clk.Set(start.Add(7 * time.Hour))
	if err := s.setUp(ctx); err != nil {
		return Report{}, err
	}
	for day := 0; day < cfg.Days; day++ {
		for hour := 8; hour < 18; hour++ {
			clk.Set(start.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour))
			if err := s.hour(ctx, cfg.PerDay/10+boolInt(hour-8 < cfg.PerDay%10)); err != nil {
				return Report{}, fmt.Errorf("day %d, %02d:00: %w", day+1, hour, err)
			}
		}
		if _, err := srv.Insights.Fold(ctx, cfg.TenantID); err != nil {
			return Report{}, err
		}
		if cfg.Progress != nil {
			cfg.Progress(day+1, cfg.Days)
		}
	}
	clk.Set(end.Add(-time.Minute))
	if err := s.settle(ctx); err != nil {
		return Report{}, err
	}
	return s.report(ctx, start, end)
}

func (c *Config) defaults() error {
	var f problem.Fields
	if c.Days < 1 || c.Days > 90 {
		f.Add("days", "must be between 1 and 90")
	}
	if c.Agents < 1 || c.Agents > 10 {
		f.Add("agents", "must be between 1 and 10")
	}
	if !(c.CanaryError >= 0 && c.CanaryError <= 1) {
		f.Add("canary-error", "must be a rate between 0 and 1, e.g. 0.08")
	}
	if len(c.CanaryErrors) > 0 && len(c.CanaryErrors) != c.Agents {
		f.Add("canary-errors", "must give one rate per agent")
	}
	for _, p := range c.CanaryErrors {
		if !(p >= 0 && p <= 1) {
			f.Add("canary-errors", "must be rates between 0 and 1")
		}
	}
	if !(c.ControlError >= 0 && c.ControlError <= 1) {
		f.Add("control-error", "must be a rate between 0 and 1, e.g. 0.05")
	}
	if c.PerDay == 0 {
		c.PerDay = 24
	}
	if c.PerDay < 1 || c.PerDay > 500 {
		f.Add("per-day", "must be between 1 and 500")
	}
	if c.PercentBps == 0 {
		c.PercentBps = 5000
	}
	if c.ThresholdBps == 0 {
		c.ThresholdBps = rollouts.DefaultThresholdBps
	}
	if c.MinSample == 0 {
		c.MinSample = rollouts.DefaultMinSample
	}
	if c.Field == "" {
		c.Field = "companies.city"
	}
	return f.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// simAgent is one simulated agent and its counters.
type simAgent struct {
	agent     agents.Agent
	rolloutID string
	errRate   float64 // how often its canary writes are wrong
	canary    int     // canary writes so far
	control   int     // control (and shadow) proposals decided so far
	wrongC    int
	wrongR    int
	proposals int
}

type sim struct {
	cfg             Config
	d               *db.DB
	srv             *server.Server
	clk             *clock.Fixed
	sandbox         *sandbox.Service
	rnd             *rand.Rand
	admin, reviewer principal.Principal
	connectionID    string
	object, field   string
	records         []string
	agents          []*simAgent
	// wrong are the proposals whose value is wrong: the reviewer turns them
	// down, or a person corrects the CRM after they are applied
	wrong map[string]bool
	// fixes are canary writes a person will correct, and when
	fixes []fix
}

type fix struct {
	at       time.Time
	recordID string
}

// hour is one working hour: each agent proposes n changes, the reviewer
// works the queue, applies run, people fix what they noticed, and the
// reconciliation and the guardrail look.
func (s *sim) hour(ctx context.Context, n int) error {
	for _, a := range s.agents {
		if err := s.propose(ctx, a, n); err != nil {
			return err
		}
	}
	s.clk.Advance(10 * time.Minute)
	if err := s.review(ctx); err != nil {
		return err
	}
	s.clk.Advance(time.Minute) // past the undo window
	if _, err := s.srv.Apply.Drain(ctx, s.cfg.TenantID); err != nil {
		return err
	}
	s.clk.Advance(30 * time.Minute)
	if err := s.fixDue(ctx); err != nil {
		return err
	}
	if _, err := s.srv.Changes.Reconcile(ctx, s.cfg.TenantID); err != nil {
		return err
	}
	_, err := s.srv.Rollouts.Guard(ctx, s.cfg.TenantID)
	return err
}

// recordsOf are the records agent a works on: each agent its own share, so
// two agents never race for a record.
func (s *sim) recordsOf(a *simAgent) []string {
	i := slices.Index(s.agents, a)
	var out []string
	for j, id := range s.records {
		if j%len(s.agents) == i {
			out = append(out, id)
		}
	}
	return out
}

var cities = []string{"Lisbon", "Porto", "Lyon", "Ghent", "Tallinn", "Bergen", "Graz", "Turku", "Leeds", "Cork", "Malmö", "Aarhus",
	"Bilbao", "Gdańsk", "Brno", "Utrecht", "Basel", "Trieste", "Nantes", "Kraków"}

// propose submits n changes for distinct records through intake.
func (s *sim) propose(ctx context.Context, a *simAgent, n int) error {
	picked := map[string]bool{}
	var items []gateway.Item
	mine := s.recordsOf(a)
	for len(items) < n && len(picked) < len(mine) {
		id := mine[s.rnd.IntN(len(mine))]
		if picked[id] {
			continue
		}
		picked[id] = true
		rec, err := s.sandbox.Record(ctx, s.cfg.TenantID, s.connectionID, s.object, id)
		if err != nil {
			return err
		}
		current := rec.Values[s.field]
		next := cities[s.rnd.IntN(len(cities))]
		for next == current {
			next = cities[s.rnd.IntN(len(cities))]
		}
		items = append(items, gateway.Item{Object: s.object, RecordID: id, Field: s.field, Operation: "set", ExpectedOld: current,
			HasExpectedOld: true, Proposed: next, Confidence: 0.97 + s.rnd.Float64()*0.03,
			Rationale: "The company's latest filing lists its head office in " + next + ".",
			Evidence:  []gateway.Evidence{{URL: "https://registry.example/companies/" + id, Title: "Company registry"}}, RunID: "simulation"})
	}
	res, err := s.srv.Gateway.Submit(ctx, agents.Caller{TenantID: s.cfg.TenantID, AgentID: a.agent.ID},
		gateway.Decoded{Items: items, Errors: make([]*gateway.ItemError, len(items))})
	if err != nil {
		return err
	}
	for _, r := range res {
		if r.Error != nil {
			return fmt.Errorf("intake refused a simulated proposal: %s %s", r.Error.Field, r.Error.Message)
		}
		a.proposals++
		switch r.Status {
		case "auto_approved":
			a.canary++
			if wrongNow(a.canary, a.errRate) {
				a.wrongC++
				s.wrong[r.ID] = true
				s.fixes = append(s.fixes, fix{at: s.clk.Now().Add(2 * time.Hour), recordID: items[r.Index].RecordID})
			}
		case "queued":
			a.control++
			if wrongNow(a.control, s.cfg.ControlError) {
				a.wrongR++
				s.wrong[r.ID] = true
			}
		}
	}
	return nil
}

// wrongNow says whether the n-th change (from 1) of an arm erring at p is
// wrong: exactly ⌊n·p⌋ of the first n are.
func wrongNow(n int, p float64) bool {
	return math.Floor(float64(n)*p+1e-9) > math.Floor(float64(n-1)*p+1e-9)
}

// review claims and decides everything queued: wrong proposals are
// rejected (or, every other one, edited to the right value).
func (s *sim) review(ctx context.Context) error {
	edit := false
	for {
		items, _, err := s.srv.Review.Claim(ctx, s.reviewer, "", 20)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		for _, it := range items {
			in := review.DecisionInput{Verdict: "approve"}
			if s.wrong[it.ProposalID] {
				if edit {
					in = review.DecisionInput{Verdict: "edit", Value: "Vienna", HasValue: true, Comment: "the filing is outdated"}
				} else {
					in = review.DecisionInput{Verdict: "reject", ReasonCode: "wrong_value", Comment: "wrong city"}
				}
				edit = !edit
			}
			if _, err := s.srv.Review.Decide(ctx, s.reviewer, it.ID, in); err != nil {
				return fmt.Errorf("deciding %s: %w", it.ID, err)
			}
		}
	}
}

// fixDue has people correct, in the CRM, the wrong canary writes they have
// noticed by now.
func (s *sim) fixDue(ctx context.Context) error {
	now := s.clk.Now()
	keep := s.fixes[:0]
	for _, f := range s.fixes {
		if f.at.After(now) {
			keep = append(keep, f)
			continue
		}
		if _, err := s.sandbox.EditAsHuman(ctx, s.cfg.TenantID, s.connectionID, s.object, f.recordID,
			map[string]any{s.field: "Reykjavík"}, s.reviewer.Email); err != nil {
			return err
		}
	}
	s.fixes = keep
	return nil
}

// settle lets everything in flight land: the last fixes, reconciliation,
// the guardrail and the fold.
func (s *sim) settle(ctx context.Context) error {
	s.clk.Advance(3 * time.Hour) // every fix is due by now
	if err := s.fixDue(ctx); err != nil {
		return err
	}
	s.clk.Advance(time.Minute)
	if _, err := s.srv.Changes.Reconcile(ctx, s.cfg.TenantID); err != nil {
		return err
	}
	if _, err := s.srv.Rollouts.Guard(ctx, s.cfg.TenantID); err != nil {
		return err
	}
	_, err := s.srv.Insights.Fold(ctx, s.cfg.TenantID)
	return err
}

func (s *sim) report(ctx context.Context, from, to time.Time) (Report, error) {
	out := Report{From: from, To: to, ConnectionID: s.connectionID}
	for _, a := range s.agents {
		r, err := s.srv.Rollouts.Get(ctx, s.cfg.TenantID, a.rolloutID)
		if err != nil {
			return out, err
		}
		rates, err := s.srv.Insights.Corrections(ctx, s.cfg.TenantID, &insights.Query{AgentID: a.agent.ID, Field: s.cfg.Field,
			Days: s.cfg.Days + 1})
		if err != nil {
			return out, err
		}
		ar := AgentReport{AgentID: a.agent.ID, AgentName: a.agent.Name, RolloutID: a.rolloutID, Stage: r.Stage, HaltedAt: r.HaltedAt,
			CanarySince: r.CanarySince, Proposals: a.proposals, InjectedCanary: a.wrongC, InjectedControl: a.wrongR,
			Canary: insights.NewRate("canary", 0, 0), Control: insights.NewRate("control", 0, 0)}
		for _, x := range rates {
			switch x.Arm {
			case "canary":
				ar.Canary = x
			case "control":
				ar.Control = x
			}
		}
		out.Agents = append(out.Agents, ar)
	}
	return out, nil
}
