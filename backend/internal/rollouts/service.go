package rollouts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"countersign/backend/internal/agents"
	"countersign/backend/internal/alerts"
	"countersign/backend/internal/audit"
	"countersign/backend/internal/catalog"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/clock"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/platform/principal"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
)

// Audit actions.
const (
	ActionCreated = "rollout.created"
	ActionUpdated = "rollout.updated"
	ActionStage   = "rollout.stage_changed"
)

// Deps are what the service stands on.
type Deps struct {
	DB       *db.DB
	Clock    clock.Clock
	Agents   *agents.Service
	Catalog  *catalog.Service
	Insights *insights.Service
	Alerts   *alerts.Service
	Audit    *audit.Log
}

// Service manages rollouts and runs their guardrail.
type Service struct {
	db       *db.DB
	store    *store
	clock    clock.Clock
	agents   *agents.Service
	catalog  *catalog.Service
	insights *insights.Service
	alerts   *alerts.Service
	audit    *audit.Log
	jobs     *jobs.Jobs
}

// New returns the rollouts service.
func New(d Deps) *Service {
	return &Service{db: d.DB, store: &store{db: d.DB}, clock: d.Clock, agents: d.Agents, catalog: d.Catalog, insights: d.Insights,
		alerts: d.Alerts, audit: d.Audit}
}

// Input creates a rollout.
type Input struct {
	AgentID, Name           string
	Fields                  []string // object.field
	ThresholdBps, MinSample *int
}

// Update changes a rollout's name or guardrail; nil leaves a value as is.
type Update struct {
	Name                    *string
	ThresholdBps, MinSample *int
}

// StageInput moves a rollout.
type StageInput struct {
	Stage      policy.Stage
	PercentBps *int
	Reason     string
}

func checkGuardrail(f *problem.Fields, threshold, sample *int) {
	if threshold != nil && (*threshold < 1 || *threshold > policy.BasisPoints) {
		f.Add("threshold_bps", "must be between 1 and 10000 basis points (0.01 %% to 100 %%)")
	}
	if sample != nil && (*sample < 1 || *sample > 100000) {
		f.Add("min_sample", "must be between 1 and 100000")
	}
}

func checkName(f *problem.Fields, name string) string {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > 100 {
		f.Add("name", "must be 1 to 100 characters")
	}
	return name
}

// Create makes a rollout, off, for an agent and fields of its connection.
// A field that is blocked for agents or human-only can never be
// auto-applied, so it is refused, named.
func (s *Service) Create(ctx context.Context, actor principal.Principal, in Input) (Detail, error) {
	var f problem.Fields
	name := checkName(&f, in.Name)
	checkGuardrail(&f, in.ThresholdBps, in.MinSample)
	if !db.IsUUID(in.AgentID) {
		f.Add("agent_id", "must be an agent's id")
	}
	if len(in.Fields) == 0 || len(in.Fields) > 50 {
		f.Add("fields", "must name 1 to 50 fields as object.field")
	}
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	agent, err := s.agents.Get(ctx, actor.TenantID, in.AgentID)
	if problem.Is(err, "not_found") {
		return Detail{}, problem.InvalidField("agent_id", "no such agent in this workspace")
	} else if err != nil {
		return Detail{}, err
	}
	fields, err := s.checkFields(ctx, actor.TenantID, agent, in.Fields)
	if err != nil {
		return Detail{}, err
	}
	now := s.clock.Now()
	r := Rollout{TenantID: actor.TenantID, AgentID: agent.ID, Name: name, Fields: fields, Stage: policy.StageOff,
		ThresholdBps: DefaultThresholdBps, MinSample: DefaultMinSample, Salt: newSalt(), StageSince: now, CreatedAt: now, UpdatedAt: now}
	if in.ThresholdBps != nil {
		r.ThresholdBps = *in.ThresholdBps
	}
	if in.MinSample != nil {
		r.MinSample = *in.MinSample
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.create(ctx, &r, actor.UserID); err != nil {
			return err
		}
		if err := s.store.addStage(ctx, r.ID, StageChange{ToStage: string(policy.StageOff), Reason: "created", ActorKind: "human", At: now},
			actor.UserID); err != nil {
			return err
		}
		return s.record(ctx, actor, ActionCreated, r.ID, map[string]any{"agent_id": r.AgentID, "fields": r.Fields,
			"threshold_bps": r.ThresholdBps, "min_sample": r.MinSample})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor.TenantID, r.ID)
}

// checkFields resolves object.field names against the agent's catalog and
// refuses those that can never be auto-applied.
func (s *Service) checkFields(ctx context.Context, tenantID string, agent agents.Agent, names []string) ([]string, error) {
	fs, err := s.catalog.ConnectionFields(ctx, tenantID, agent.ConnectionID)
	if err != nil {
		return nil, err
	}
	byName := map[string]catalog.Field{}
	for _, f := range fs {
		byName[f.Object+"."+f.Name] = f
	}
	var errs problem.Fields
	var out []string
	for i, n := range names {
		at := fmt.Sprintf("fields[%d]", i)
		f, ok := byName[strings.TrimSpace(n)]
		switch {
		case !ok:
			errs.Add(at, "%q is not a field of %s's connection (write it as object.field)", n, agent.Name)
		case f.Archived:
			errs.Add(at, "%s is archived in the CRM", n)
		case policy.Mode(f.Policy.Mode) == policy.ModeBlocked:
			errs.Add(at, "%s is blocked for agents: a rollout can never auto-apply it", n)
		case (policy.FieldPolicy{Sensitivity: policy.Sensitivity(f.Policy.Sensitivity), Tags: f.Policy.Tags}).HumanOnly():
			errs.Add(at, "%s is human-only (critical or a consent flag): a rollout can never auto-apply it", n)
		case slices.Contains(out, f.Object+"."+f.Name):
			errs.Add(at, "%s is listed twice", n)
		default:
			out = append(out, f.Object+"."+f.Name)
		}
	}
	return out, errs.Err()
}

// UpdateRollout renames a rollout or changes its guardrail.
func (s *Service) UpdateRollout(ctx context.Context, actor principal.Principal, id string, in Update) (Detail, error) {
	var f problem.Fields
	var name *string
	if in.Name != nil {
		n := checkName(&f, *in.Name)
		name = &n
	}
	checkGuardrail(&f, in.ThresholdBps, in.MinSample)
	if err := f.Err(); err != nil {
		return Detail{}, err
	}
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.lock(ctx, actor.TenantID, id); err != nil {
			return err
		}
		if err := s.store.update(ctx, actor.TenantID, id, name, in.ThresholdBps, in.MinSample, s.clock.Now()); err != nil {
			return err
		}
		return s.record(ctx, actor, ActionUpdated, id, map[string]any{"name": name, "threshold_bps": in.ThresholdBps,
			"min_sample": in.MinSample})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor.TenantID, id)
}

// SetStage moves a rollout. Moving forward past a stage (off → canary,
// shadow → full…) needs a reason; a canary names its share of records
// (1–10000 bps); full is 10000 and off and shadow 0. Entering the canary
// starts its clock (what the guardrail judges, and what "revert canary
// writes" takes); a person's move clears a halt.
func (s *Service) SetStage(ctx context.Context, actor principal.Principal, id string, in StageInput) (Detail, error) {
	bps, err := checkStage(in)
	if err != nil {
		return Detail{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.lock(ctx, actor.TenantID, id)
		if err != nil {
			return err
		}
		if r.Stage == in.Stage && r.PercentBps == bps {
			return problem.Conflict("same_stage", fmt.Sprintf("The rollout is already at %s.", stageName(r.Stage, bps)))
		}
		if stageRank[in.Stage]-stageRank[r.Stage] > 1 && strings.TrimSpace(in.Reason) == "" {
			return problem.InvalidField("reason", "is required to skip from %s to %s (the stages between are how a rollout earns trust)",
				r.Stage, in.Stage)
		}
		return s.move(ctx, r, in.Stage, bps, strings.TrimSpace(in.Reason), "human", actor.UserID, nil, func(ctx context.Context) error {
			return s.record(ctx, actor, ActionStage, id, map[string]any{"from": r.Stage, "from_bps": r.PercentBps, "to": in.Stage,
				"to_bps": bps, "reason": in.Reason})
		})
	})
	if err != nil {
		return Detail{}, err
	}
	return s.Get(ctx, actor.TenantID, id)
}

func checkStage(in StageInput) (int, error) {
	if _, ok := stageRank[in.Stage]; !ok {
		return 0, problem.InvalidField("stage", "must be one of off, shadow, canary, full")
	}
	if len([]rune(in.Reason)) > 1000 {
		return 0, problem.InvalidField("reason", "must be at most 1000 characters")
	}
	if in.PercentBps != nil && (*in.PercentBps < 0 || *in.PercentBps > policy.BasisPoints) {
		return 0, problem.InvalidField("percent_bps", "must be between 0 and 10000 basis points")
	}
	switch in.Stage {
	case policy.StageCanary:
		if in.PercentBps == nil || *in.PercentBps < 1 {
			return 0, problem.InvalidField("percent_bps", "a canary needs a share of records between 1 and 10000 basis points (100 = 1 %%)")
		}
		return *in.PercentBps, nil
	case policy.StageFull:
		if in.PercentBps != nil && *in.PercentBps != policy.BasisPoints {
			return 0, problem.InvalidField("percent_bps", "full is every record: 10000, or leave it out")
		}
		return policy.BasisPoints, nil
	default:
		if in.PercentBps != nil && *in.PercentBps != 0 {
			return 0, problem.InvalidField("percent_bps", "%s auto-applies nothing: 0, or leave it out", in.Stage)
		}
		return 0, nil
	}
}

// move writes a stage change of a locked rollout and its history entry.
func (s *Service) move(ctx context.Context, r Rollout, to policy.Stage, bps int, reason, actorKind, userID string,
	detail map[string]any, also func(ctx context.Context) error) error {
	now := s.clock.Now()
	from, fromBps := string(r.Stage), r.PercentBps
	canarySince := r.CanarySince
	entering := (to == policy.StageCanary || to == policy.StageFull) && r.Stage != policy.StageCanary && r.Stage != policy.StageFull
	if entering {
		canarySince = &now
	}
	halted := actorKind == "system" && to == policy.StageShadow
	if err := s.store.setStage(ctx, r.TenantID, r.ID, to, bps, now, canarySince, halted, reason); err != nil {
		return err
	}
	if err := s.store.addStage(ctx, r.ID, StageChange{FromStage: &from, FromBps: &fromBps, ToStage: string(to), ToBps: bps, Reason: reason,
		ActorKind: actorKind, At: now, Detail: detail}, userID); err != nil {
		return err
	}
	return also(ctx)
}

// List returns the tenant's rollouts, newest first, with their arms over the
// last 30 days.
func (s *Service) List(ctx context.Context, tenantID string) ([]Rollout, error) {
	rs, err := s.store.list(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := s.fillArms(ctx, &rs[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// Get returns a rollout with its history.
func (s *Service) Get(ctx context.Context, tenantID, id string) (Detail, error) {
	if !db.IsUUID(id) {
		return Detail{}, problem.NotFound("rollout")
	}
	rs, err := s.store.list(ctx, tenantID, id)
	if err != nil {
		return Detail{}, err
	}
	if len(rs) == 0 {
		return Detail{}, problem.NotFound("rollout")
	}
	d := Detail{Rollout: rs[0]}
	if err := s.fillArms(ctx, &d.Rollout); err != nil {
		return d, err
	}
	d.History, err = s.store.history(ctx, tenantID, id)
	return d, err
}

// fillArms reads the rollout's fields' arms over the last 30 days from the
// insights (a field in the rollout counts for its agent whichever rollout
// routed it).
func (s *Service) fillArms(ctx context.Context, r *Rollout) error {
	sums := map[string][2]int{}
	for _, f := range r.Fields {
		rates, err := s.insights.Corrections(ctx, r.TenantID, &insights.Query{AgentID: r.AgentID, Field: f, Days: 30})
		if err != nil {
			return err
		}
		for _, a := range rates {
			if a.Arm == "review" {
				continue
			}
			x := sums[a.Arm]
			sums[a.Arm] = [2]int{x[0] + a.Corrected, x[1] + a.Applied}
		}
	}
	r.Arms = r.Arms[:0]
	for _, arm := range []string{"canary", "control", "shadow"} {
		if x, ok := sums[arm]; ok {
			r.Arms = append(r.Arms, insights.NewRate(arm, x[0], x[1]))
		}
	}
	return nil
}

func (s *Service) record(ctx context.Context, actor principal.Principal, action, target string, detail map[string]any) error {
	return s.audit.Record(ctx, audit.Entry{TenantID: actor.TenantID, At: s.clock.Now(), ActorUserID: actor.UserID,
		ActorEmail: actor.Email, Action: action, Target: target, Detail: detail, IP: actor.IP})
}

func newSalt() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Plan is an agent's rollouts as intake routes by them.
type Plan struct{ byField map[string]Rollout }

// PlanFor reads the agent's rollouts (one query per batch of proposals).
func (s *Service) PlanFor(ctx context.Context, tenantID, agentID string) (Plan, error) {
	rs, err := s.store.forAgent(ctx, tenantID, agentID)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{byField: map[string]Rollout{}}
	for _, r := range rs {
		for _, f := range r.Fields {
			p.byField[f] = r
		}
	}
	return p, nil
}

// Assign is the rollout, stage and cohort of a record's field: StageNone
// when no rollout covers it.
func (p Plan) Assign(object, field, recordID string) (rolloutID string, stage policy.Stage, inCohort bool) {
	r, ok := p.byField[object+"."+field]
	if !ok {
		return "", policy.StageNone, false
	}
	return r.ID, r.Stage, policy.InCohort(r.Salt, recordID, r.PercentBps)
}
