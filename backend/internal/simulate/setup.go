package simulate

import (
	"context"
	"countersign/backend/internal/access"
	"countersign/backend/internal/agents"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
	"countersign/backend/internal/rollouts"
	"fmt"
	"slices"
)

// setUp finds the people and the sandbox, and creates the agents and their
// rollouts (a canary at cfg.PercentBps).
func (s *sim) setUp(ctx context.Context) error {
	var ok bool
	if s.object, s.field, ok = cut(s.cfg.Field); !ok {
		return problem.InvalidField("field", "must be object.field, e.g. companies.city")
	}
	if err := s.people(ctx); err != nil {
		return err
	}
	conns, err := s.srv.Catalog.Connections(ctx, s.cfg.TenantID)
	if err != nil {
		return err
	}
	for _, c := range conns {
		if c.Provider == "sandbox" {
			s.connectionID = c.ID
			break
		}
	}
	if s.connectionID == "" {
		return problem.InvalidField("tenant", "has no sandbox connection to simulate against")
	}
	page, err := s.sandbox.Records(ctx, s.cfg.TenantID, s.connectionID, s.object, "", 200, "")
	if err != nil {
		return err
	}
	for _, r := range page.Records {
		s.records = append(s.records, r.ID)
	}
	if len(s.records) < 20 {
		return fmt.Errorf("the sandbox has %d %s: too few to simulate with", len(s.records), s.object)
	}
	s.wrong = map[string]bool{}
	run := fmt.Sprintf("%04x", s.rnd.Uint32()&0xffff)
	for i := 0; i < s.cfg.Agents; i++ {
		name := fmt.Sprintf("Simulated agent %d · %s", i+1, run)
		if i < len(s.cfg.Names) {
			name = s.cfg.Names[i]
		}
		errRate := s.cfg.CanaryError
		if len(s.cfg.CanaryErrors) > 0 {
			errRate = s.cfg.CanaryErrors[i]
		}
		desc := fmt.Sprintf("Simulated by countersign simulate: canary error %.1f %%, control error %.1f %%", errRate*100, s.cfg.ControlError*100)
		cap, conn := 100000, s.connectionID
		scopes := []agents.Scope{{Object: s.object, Field: s.field, Operations: []string{"set"}}}
		a, err := s.srv.Agents.Create(ctx, s.admin, agents.Input{Name: &name, Description: &desc, ConnectionID: &conn, VelocityCap: &cap,
			Scopes: &scopes})
		if err != nil {
			return fmt.Errorf("creating %s: %w", name, err)
		}
		threshold, sample := s.cfg.ThresholdBps, s.cfg.MinSample
		r, err := s.srv.Rollouts.Create(ctx, s.admin, rollouts.Input{AgentID: a.ID, Name: name + " · " + s.cfg.Field,
			Fields: []string{s.cfg.Field}, ThresholdBps: &threshold, MinSample: &sample})
		if err != nil {
			return err
		}
		bps := s.cfg.PercentBps
		if _, err := s.srv.Rollouts.SetStage(ctx, s.admin, r.ID, rollouts.StageInput{Stage: policy.StageCanary, PercentBps: &bps,
			Reason: "simulation"}); err != nil {
			return err
		}
		s.agents = append(s.agents, &simAgent{agent: a, rolloutID: r.ID, errRate: errRate})
	}
	return nil
}

// people picks the tenant's first admin (who owns the agents) and a
// reviewer who is someone else (nobody approves their own agent's work).
func (s *sim) people(ctx context.Context) error {
	roles, err := access.NewStore(s.d).RolesByUser(ctx, s.cfg.TenantID)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(roles))
	for id := range roles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var admin, reviewer string
	for _, id := range ids {
		if admin == "" && slices.Contains(roles[id], "admin") {
			admin = id
		}
	}
	for _, id := range ids {
		if reviewer == "" && id != admin && slices.Contains(roles[id], "reviewer") {
			reviewer = id
		}
	}
	if admin == "" || reviewer == "" {
		return problem.InvalidField("tenant", "needs an admin and another member with the reviewer role to simulate")
	}
	var users []struct{ ID, Email, Name string }
	if err := s.d.Conn(ctx).Raw(`SELECT id, email, name FROM users WHERE id IN (?, ?)`, admin, reviewer).Scan(&users).Error; err != nil {
		return err
	}
	for _, u := range users {
		p := principal.Principal{UserID: u.ID, Email: u.Email, Name: u.Name, TenantID: s.cfg.TenantID, IP: "127.0.0.1"}
		if u.ID == admin {
			s.admin = p
		} else {
			s.reviewer = p
		}
	}
	return nil
}

func cut(f string) (string, string, bool) {
	for i := range f {
		if f[i] == '.' {
			return f[:i], f[i+1:], i > 0 && i < len(f)-1
		}
	}
	return "", "", false
}
