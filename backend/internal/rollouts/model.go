// Package rollouts turns auto-apply on for an agent × field set step by step
// (DESIGN.md §6): off → shadow → canary (a share of records, in basis
// points) → full, with who/when/why history. The cohort is a stable hash of
// the rollout's salt and the record id, so a record never changes arm as
// the share grows. A guardrail watches the canary arm's correction rate and
// halts the rollout back to shadow when its Wilson lower bound passes the
// rollout's threshold; it suggests promotion when the upper bound stays
// under it. Trust calibration and the policy what-if replay live here too.
package rollouts

import (
	"fmt"
	"slices"
	"time"

	"countersign/backend/internal/insights"
	"countersign/backend/internal/policy"
)

// Ladder is the canary's steps, in basis points; after the last comes full.
var Ladder = []int{100, 500, 1000, 2500, 5000}

// stageRank orders the stages; moving forward by more than one is a skip.
var stageRank = map[policy.Stage]int{policy.StageOff: 0, policy.StageShadow: 1, policy.StageCanary: 2, policy.StageFull: 3}

// Defaults of a new rollout's guardrail.
const (
	DefaultThresholdBps = 300
	DefaultMinSample    = 50
)

// Rollout is auto-apply's state for an agent and a set of its fields.
type Rollout struct {
	ID, TenantID, AgentID, AgentName, Name string
	Fields                                 []string // object.field
	Stage                                  policy.Stage
	PercentBps, ThresholdBps, MinSample    int
	Salt                                   string
	StageSince                             time.Time
	CanarySince, HaltedAt                  *time.Time
	HaltReason                             string
	CreatedAt, UpdatedAt                   time.Time
	Verdict                                Verdict
	Arms                                   []insights.Rate // the last 30 days
}

// StageChange is one entry of a rollout's history.
type StageChange struct {
	Seq               int64
	FromStage         *string
	FromBps           *int
	ToStage           string
	ToBps             int
	Reason, ActorKind string
	Actor             string // the person's name, or "guardrail"
	At                time.Time
	Detail            map[string]any `gorm:"-"` // read from detail_json by the store
}

// Detail is a rollout with its history, newest first.
type Detail struct {
	Rollout
	History []StageChange
}

// Verdict states.
const (
	VerdictIdle         = "idle"         // off: nothing to judge
	VerdictInsufficient = "insufficient" // fewer outcomes than the minimum sample
	VerdictHold         = "hold"         // the interval straddles the threshold
	VerdictPromote      = "promote"      // the upper bound is under the threshold
	VerdictHalt         = "halt"         // the lower bound is over it
)

// Verdict is the guardrail's judgement of the arm that decides the next step.
type Verdict struct {
	State     string         `json:"state"`
	Text      string         `json:"text"`
	Arm       *insights.Rate `json:"arm,omitempty"`
	NextStage policy.Stage   `json:"next_stage,omitempty"`
	NextBps   int            `json:"next_bps,omitempty"`
	CheckedAt *time.Time     `json:"checked_at,omitempty"`
}

// Next is the step after stage at bps: shadow → canary at the ladder's
// first step → each next step → full.
func Next(stage policy.Stage, bps int) (policy.Stage, int) {
	switch stage {
	case policy.StageOff:
		return policy.StageShadow, 0
	case policy.StageShadow:
		return policy.StageCanary, Ladder[0]
	case policy.StageCanary:
		if i := slices.IndexFunc(Ladder, func(s int) bool { return s > bps }); i >= 0 {
			return policy.StageCanary, Ladder[i]
		}
		return policy.StageFull, policy.BasisPoints
	}
	return stage, bps
}

// Judge is the guardrail and promotion rule, pure. In canary and full it
// judges the canary arm (auto-applied changes later corrected); in shadow
// the shadow arm (changes it would have auto-applied that a reviewer edited
// or rejected), which can only suggest the first canary step.
func Judge(r Rollout, arm insights.Rate) Verdict {
	if r.Stage == policy.StageOff || r.Stage == policy.StageNone || r.Stage == "" {
		return Verdict{State: VerdictIdle, Text: "The rollout is off: nothing is auto-applied or measured."}
	}
	threshold := float64(r.ThresholdBps) / policy.BasisPoints
	v := Verdict{Arm: &arm}
	what := "auto-applied change(s)"
	if r.Stage == policy.StageShadow {
		what = "would-be auto-applied change(s) decided by reviewers"
	}
	switch {
	case arm.Applied < r.MinSample:
		v.State = VerdictInsufficient
		v.Text = fmt.Sprintf("%d of the %d %s the guardrail needs before it judges", arm.Applied, r.MinSample, what)
	case r.Stage != policy.StageShadow && arm.Low > threshold:
		v.State = VerdictHalt
		v.Text = fmt.Sprintf("Correction rate %s (95 %% interval %s–%s over %d) is above the %s threshold even at its lower bound: halt to shadow",
			pct(arm.Rate), pct(arm.Low), pct(arm.High), arm.Applied, pct(threshold))
	case arm.High < threshold && r.Stage != policy.StageFull:
		v.State = VerdictPromote
		v.NextStage, v.NextBps = Next(r.Stage, r.PercentBps)
		v.Text = fmt.Sprintf("Correction rate %s (95 %% interval %s–%s over %d) stays under the %s threshold: promotion to %s is safe",
			pct(arm.Rate), pct(arm.Low), pct(arm.High), arm.Applied, pct(threshold), stageName(v.NextStage, v.NextBps))
	default:
		v.State = VerdictHold
		v.Text = fmt.Sprintf("Correction rate %s (95 %% interval %s–%s over %d) against a %s threshold: keep watching",
			pct(arm.Rate), pct(arm.Low), pct(arm.High), arm.Applied, pct(threshold))
	}
	return v
}

func pct(f float64) string {
	s := fmt.Sprintf("%.1f %%", f*100)
	if f > 0 && f < 0.001 {
		s = fmt.Sprintf("%.2f %%", f*100)
	}
	return s
}

func stageName(s policy.Stage, bps int) string {
	if s == policy.StageCanary {
		return fmt.Sprintf("canary at %s of records", pct(float64(bps)/policy.BasisPoints))
	}
	return string(s)
}
