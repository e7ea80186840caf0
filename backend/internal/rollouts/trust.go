package rollouts

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"countersign/backend/internal/catalog"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/db"
	"countersign/backend/internal/platform/problem"
	"countersign/backend/internal/policy"
)

// CalibrationMinSample is how many outcomes at or above a threshold a
// suggestion needs.
const CalibrationMinSample = 30

// Calibration is an agent × field's observed precision by confidence.
type Calibration struct {
	AgentID, Field, FieldID string
	Target                  float64
	MinSample               int
	Bins                    []CalibrationBin
	Current                 float64
	Suggested               *float64
	Text                    string
}

// CalibrationBin is one confidence bin and everything above it.
type CalibrationBin struct {
	From, To                       float64
	Decided, Corrected, CumDecided int
	Precision, CumPrecision        *float64
}

// Calibrate measures, per confidence bin, how often the agent's changes to
// the field were right (not corrected), and suggests the lowest threshold
// whose proposals at or above it were right at least target of the time
// (over at least CalibrationMinSample outcomes; never below 0.5).
func (s *Service) Calibrate(ctx context.Context, tenantID, agentID, field string, target float64, days int) (Calibration, error) {
	if !(target > 0.5 && target < 1) {
		return Calibration{}, problem.InvalidField("target", "must be a precision between 0.5 and 1, e.g. 0.99")
	}
	if !db.IsUUID(agentID) {
		return Calibration{}, problem.InvalidField("agent", "must be an agent id")
	}
	f, err := s.fieldOf(ctx, tenantID, agentID, field, "field")
	if err != nil {
		return Calibration{}, err
	}
	bins, err := s.insights.ConfidenceBins(ctx, tenantID, insights.Query{AgentID: agentID, Field: field, Days: days})
	if err != nil {
		return Calibration{}, err
	}
	c := Calibration{AgentID: agentID, Field: field, FieldID: f.ID, Target: target, MinSample: CalibrationMinSample,
		Current: f.Policy.ConfidenceThreshold, Bins: make([]CalibrationBin, len(bins))}
	if c.Current <= 0 {
		c.Current = policy.DefaultThreshold
	}
	cumD, cumC := 0, 0
	for i := len(bins) - 1; i >= 0; i-- {
		b := bins[i]
		to := 1.0
		if i+1 < len(bins) {
			to = bins[i+1].From
		}
		cumD, cumC = cumD+b.Decided, cumC+b.Corrected
		c.Bins[i] = CalibrationBin{From: b.From, To: to, Decided: b.Decided, Corrected: b.Corrected, CumDecided: cumD,
			Precision: precision(b.Corrected, b.Decided), CumPrecision: precision(cumC, cumD)}
		if b.From >= 0.5 && cumD >= CalibrationMinSample && *c.Bins[i].CumPrecision >= target {
			t := b.From
			c.Suggested = &t
		}
	}
	switch {
	case cumD == 0:
		c.Text = "No outcomes yet for this agent and field: nothing to calibrate."
	case c.Suggested == nil:
		c.Text = fmt.Sprintf("No threshold keeps precision at %s or more over at least %d outcomes: keep the current %.2f.",
			pct(target), CalibrationMinSample, c.Current)
	default:
		var at CalibrationBin
		for _, b := range c.Bins {
			if b.From == *c.Suggested {
				at = b
			}
		}
		c.Text = fmt.Sprintf("Changes at confidence %.2f or more were right %s of the time (%d outcomes): the lowest threshold that keeps %s is %.2f (now %.2f).",
			*c.Suggested, pct(*at.CumPrecision), at.CumDecided, pct(target), *c.Suggested, c.Current)
	}
	return c, nil
}

func precision(corrected, decided int) *float64 {
	if decided == 0 {
		return nil
	}
	p := 1 - float64(corrected)/float64(decided)
	return &p
}

// fieldOf finds object.field among the agent's connection's fields.
func (s *Service) fieldOf(ctx context.Context, tenantID, agentID, name, param string) (catalog.Field, error) {
	agent, err := s.agents.Get(ctx, tenantID, agentID)
	if problem.Is(err, "not_found") {
		return catalog.Field{}, problem.InvalidField("agent", "no such agent in this workspace")
	} else if err != nil {
		return catalog.Field{}, err
	}
	fs, err := s.catalog.ConnectionFields(ctx, tenantID, agent.ConnectionID)
	if err != nil {
		return catalog.Field{}, err
	}
	for _, f := range fs {
		if f.Object+"."+f.Name == name {
			return f, nil
		}
	}
	return catalog.Field{}, problem.InvalidField(param, "%q is not a field of %s's connection (write it as object.field)", name, agent.Name)
}

// WhatIfInput is a draft policy or rollout for some of an agent's fields
// (all of them when Fields is empty); a nil value keeps what is in force.
type WhatIfInput struct {
	AgentID          string
	Fields           []string
	Mode             *policy.Mode
	Threshold        *float64
	EvidenceRequired *bool
	Stage            *policy.Stage
	PercentBps       *int
}

// WhatIfCounts is where proposals went, and how many of the auto share were
// corrected.
type WhatIfCounts struct{ Blocked, Review, Auto, AutoCorrected int }

// WhatIf is a replay's answer.
type WhatIf struct {
	Proposals, Days int
	Draft, Actual   WhatIfCounts
	Truncated       bool
}

// WhatIfDays is how far back a what-if replays.
const WhatIfDays = 30

func (in WhatIfInput) check() error {
	var f problem.Fields
	if !db.IsUUID(in.AgentID) {
		f.Add("agent_id", "must be an agent's id")
	}
	if in.Mode != nil && !slices.Contains([]policy.Mode{policy.ModeAuto, policy.ModeReview, policy.ModeTwoPerson, policy.ModeBlocked}, *in.Mode) {
		f.Add("mode", "must be one of auto, review, two_person, blocked")
	}
	if in.Threshold != nil && !(*in.Threshold > 0 && *in.Threshold <= 1) {
		f.Add("threshold", "must be a confidence above 0 and at most 1")
	}
	if in.Stage != nil {
		if _, ok := stageRank[*in.Stage]; !ok {
			f.Add("stage", "must be one of off, shadow, canary, full")
		}
	}
	if in.PercentBps != nil && (*in.PercentBps < 0 || *in.PercentBps > policy.BasisPoints) {
		f.Add("percent_bps", "must be between 0 and 10000 basis points")
	}
	if in.Stage != nil && *in.Stage == policy.StageCanary && (in.PercentBps == nil || *in.PercentBps < 1) {
		f.Add("percent_bps", "a canary needs a share of records between 1 and 10000 basis points")
	}
	return f.Err()
}

// WhatIf replays the agent's proposals of the last 30 days through the
// policy engine with the draft in force for the chosen fields, and sets
// what the draft would have done next to what happened. Each proposal keeps
// what the engine saw then (confidence, evidence, validator flags, scope,
// consent, breaker); corrections carried by the auto share are the ones
// observed: a reviewer's edit or rejection, or a correction after applying.
func (s *Service) WhatIf(ctx context.Context, tenantID string, in WhatIfInput) (WhatIf, error) {
	if err := in.check(); err != nil {
		return WhatIf{}, err
	}
	agent, err := s.agents.Get(ctx, tenantID, in.AgentID)
	if problem.Is(err, "not_found") {
		return WhatIf{}, problem.InvalidField("agent_id", "no such agent in this workspace")
	} else if err != nil {
		return WhatIf{}, err
	}
	fs, err := s.catalog.ConnectionFields(ctx, tenantID, agent.ConnectionID)
	if err != nil {
		return WhatIf{}, err
	}
	policies := map[string]catalog.Policy{}
	for _, f := range fs {
		policies[f.Object+"."+f.Name] = f.Policy
	}
	for i, f := range in.Fields {
		if _, ok := policies[f]; !ok {
			return WhatIf{}, problem.InvalidField(fmt.Sprintf("fields[%d]", i), "%q is not a field of %s's connection", f, agent.Name)
		}
	}
	plan, err := s.PlanFor(ctx, tenantID, in.AgentID)
	if err != nil {
		return WhatIf{}, err
	}
	rows, truncated, err := s.insights.Replayable(ctx, tenantID, in.AgentID, WhatIfDays)
	if err != nil {
		return WhatIf{}, err
	}
	out := WhatIf{Days: WhatIfDays, Truncated: truncated}
	for _, r := range rows {
		name := r.Object + "." + r.Field
		if len(in.Fields) > 0 && !slices.Contains(in.Fields, name) {
			continue
		}
		out.Proposals++
		count(&out.Actual, policy.Route(r.Route), r.Corrected)
		pin, err := replayInput(r, policies[name])
		if err != nil {
			return WhatIf{}, err
		}
		_, pin.Rollout, pin.InCohort = plan.Assign(r.Object, r.Field, r.RecordID)
		in.apply(&pin, plan, r)
		count(&out.Draft, policy.Decide(pin).Route, r.Corrected)
	}
	return out, nil
}

// apply puts the draft in force on one replayed input.
func (in WhatIfInput) apply(pin *policy.Input, plan Plan, r insights.Replay) {
	if in.Mode != nil {
		pin.Policy.Mode = *in.Mode
	}
	if in.Threshold != nil {
		pin.Policy.Threshold = *in.Threshold
	}
	if in.EvidenceRequired != nil {
		pin.Policy.EvidenceRequired = *in.EvidenceRequired
	}
	if in.Stage != nil {
		bps := 0
		switch {
		case *in.Stage == policy.StageFull:
			bps = policy.BasisPoints
		case in.PercentBps != nil:
			bps = *in.PercentBps
		}
		salt := "what-if:" + in.AgentID
		if rr, ok := plan.byField[r.Object+"."+r.Field]; ok {
			salt = rr.Salt
		}
		pin.Rollout, pin.InCohort = *in.Stage, policy.InCohort(salt, r.RecordID, bps)
	}
}

func count(c *WhatIfCounts, route policy.Route, corrected bool) {
	switch route {
	case policy.RouteBlocked:
		c.Blocked++
	case policy.RouteAuto:
		c.Auto++
		if corrected {
			c.AutoCorrected++
		}
	default:
		c.Review++
	}
}

// replayInput rebuilds what the engine saw from the stored proposal: its
// reasons say what was true of scope, agent, consent and breaker then.
func replayInput(r insights.Replay, p catalog.Policy) (policy.Input, error) {
	var reasons []policy.Reason
	if err := json.Unmarshal(orNull(r.Reasons), &reasons); err != nil {
		return policy.Input{}, fmt.Errorf("what-if reasons: %w", err)
	}
	var flags []policy.Flag
	if err := json.Unmarshal(orNull(r.Flags), &flags); err != nil {
		return policy.Input{}, fmt.Errorf("what-if flags: %w", err)
	}
	has := func(code policy.ReasonCode) bool {
		return slices.ContainsFunc(reasons, func(x policy.Reason) bool { return x.Code == code })
	}
	in := policy.Input{Object: r.Object, Field: r.Field, Operation: r.Operation,
		Policy: policy.FieldPolicy{Sensitivity: policy.Sensitivity(p.Sensitivity), Mode: policy.Mode(p.Mode),
			Threshold: p.ConfidenceThreshold, EvidenceRequired: p.EvidenceRequired, Tags: p.Tags},
		InScope: !has(policy.ReasonOutOfScope), Agent: policy.AgentActive, Confidence: r.Confidence, Evidence: r.Evidence,
		Flags: flags, BreakerOpen: has(policy.ReasonBreakerOpen), Consent: policy.ConsentNotApplicable,
		ExpectedOld: r.HasExpectedOld && !has(policy.ReasonNoExpectedOld)}
	if has(policy.ReasonAgentPaused) {
		in.Agent = policy.AgentPaused
	}
	switch {
	case has(policy.ReasonConsentRevoked):
		in.Enrichment, in.Consent = true, policy.ConsentRevoked
	case has(policy.ReasonConsentMissing):
		in.Enrichment, in.Consent = true, policy.ConsentUnknown
	}
	if math.IsNaN(in.Confidence) {
		in.Confidence = 0
	}
	return in, nil
}

func orNull(s string) []byte {
	if strings.TrimSpace(s) == "" {
		return []byte("null")
	}
	return []byte(s)
}
