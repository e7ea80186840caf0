// Package policy decides what happens to an agent's proposed field change:
// Decide routes it (blocked, review, two_person or auto) with every reason,
// Validate raises the flags that forbid auto-apply, and the proposal state
// machine lives here too. Everything is pure: no I/O, no clock, no randomness;
// the gateway gathers the inputs and stores the outcome.
package policy

import "slices"

// Sensitivity of a field, as set in its policy.
type Sensitivity string

// Sensitivities, lowest first.
const (
	Low      Sensitivity = "low"
	Medium   Sensitivity = "medium"
	High     Sensitivity = "high"
	Critical Sensitivity = "critical"
)

// Mode is a field policy's automation mode.
type Mode string

// Automation modes.
const (
	ModeAuto      Mode = "auto"
	ModeReview    Mode = "review"
	ModeTwoPerson Mode = "two_person"
	ModeBlocked   Mode = "blocked"
)

// Route is where a proposal goes.
type Route string

// Routes.
const (
	RouteBlocked   Route = "blocked"
	RouteReview    Route = "review"
	RouteTwoPerson Route = "two_person"
	RouteAuto      Route = "auto"
)

// Stage is the rollout stage for an agent × field; StageNone (or "") means no rollout exists.
type Stage string

// Rollout stages.
const (
	StageNone   Stage = "none"
	StageOff    Stage = "off"
	StageShadow Stage = "shadow"
	StageCanary Stage = "canary"
	StageFull   Stage = "full"
)

// Consent is the record's consent state; "" counts as ConsentUnknown.
type Consent string

// Consent states. NotApplicable means the tenant tracks no consent for this record.
const (
	ConsentGranted       Consent = "granted"
	ConsentRevoked       Consent = "revoked"
	ConsentUnknown       Consent = "unknown"
	ConsentNotApplicable Consent = "not_applicable"
)

// AgentStatus is an agent's status; anything but AgentActive is treated as paused.
type AgentStatus string

// Agent statuses.
const (
	AgentActive AgentStatus = "active"
	AgentPaused AgentStatus = "paused"
)

// DefaultThreshold is the confidence auto-apply needs when a policy sets none (threshold ≤ 0).
const DefaultThreshold = 0.95

// FieldPolicy is the part of a field's policy the engine reads.
type FieldPolicy struct {
	Sensitivity      Sensitivity
	Mode             Mode
	Threshold        float64 // ≤ 0 means DefaultThreshold
	EvidenceRequired bool
	Tags             []string // pipeline, forecast, commission, pii, attribution, identifier, consent
}

// HumanOnly reports whether agents may never auto-apply this field: critical
// fields (government ids, payment data, CRM-restricted) and legal/consent flags.
func (p FieldPolicy) HumanOnly() bool {
	return p.Sensitivity == Critical || slices.Contains(p.Tags, "consent")
}

func (p FieldPolicy) threshold() float64 {
	if p.Threshold <= 0 {
		return DefaultThreshold
	}
	return p.Threshold
}

// Input is everything Decide looks at; the gateway gathers it.
type Input struct {
	Object, Field string // name the field in reasons: "deals.amount"
	Operation     string // set | clear | append
	Policy        FieldPolicy
	InScope       bool // the agent's scope covers this object, field and operation
	Agent         AgentStatus
	PausedReason  string // shown after "Agent is paused: "
	Rollout       Stage  // for this agent × field
	InCohort      bool   // the record falls in the canary cohort
	Confidence    float64
	Evidence      int    // number of evidence items
	Flags         []Flag // from Validate
	BreakerOpen   bool   // the agent's velocity breaker has tripped
	Consent       Consent
	Enrichment    bool // the change enriches the record, so consent applies
	// ExpectedOld says the agent named the value it expects to replace; a
	// change made blind is never applied without a person.
	ExpectedOld bool
}

// ReasonCode is the machine-readable side of a Reason. Validator flags appear
// as FlagReasonPrefix + the flag's code.
type ReasonCode string

// Reason codes, in the order Decide lists them.
const (
	ReasonOutOfScope     ReasonCode = "out_of_scope"
	ReasonAgentPaused    ReasonCode = "agent_paused"
	ReasonModeBlocked    ReasonCode = "mode_blocked"
	ReasonConsentRevoked ReasonCode = "consent_revoked"
	ReasonConsentMissing ReasonCode = "consent_missing"
	ReasonModeTwoPerson  ReasonCode = "mode_two_person"
	ReasonModeReview     ReasonCode = "mode_review"
	ReasonModeUnknown    ReasonCode = "mode_unknown"
	ReasonHumanOnly      ReasonCode = "human_only"
	ReasonLowConfidence  ReasonCode = "low_confidence"
	ReasonNoEvidence     ReasonCode = "evidence_missing"
	ReasonNoExpectedOld  ReasonCode = "expected_old_missing"
	ReasonBreakerOpen    ReasonCode = "breaker_open"
	ReasonNoRollout      ReasonCode = "no_rollout"
	ReasonRolloutOff     ReasonCode = "rollout_off"
	ReasonShadow         ReasonCode = "rollout_shadow"
	ReasonCanaryControl  ReasonCode = "canary_control"
	ReasonAutoCanary     ReasonCode = "auto_canary"
	ReasonAutoFull       ReasonCode = "auto_full"
)

// FlagReasonPrefix prefixes a validator flag's code to make its reason code ("flag:amount_jump").
const FlagReasonPrefix = "flag:"

// Reason is one sentence explaining a route, shown verbatim to reviewers and agents.
type Reason struct {
	Code ReasonCode `json:"code"`
	Text string     `json:"text"`
}

// Arm is the side of a rollout a proposal that passed every auto gate falls
// on; proposals that failed a gate are in no arm (they are reviewed whatever
// the rollout), so the arms compare like with like.
type Arm string

// Arms. ArmCanary is auto-applied (the canary cohort, or every record at
// full); ArmControl is reviewed as usual; ArmShadow is reviewed while the
// system notes it would have been auto-applied.
const (
	ArmNone    Arm = ""
	ArmCanary  Arm = "canary"
	ArmControl Arm = "control"
	ArmShadow  Arm = "shadow"
)

// Decision is the engine's answer.
type Decision struct {
	Route   Route
	Reasons []Reason // never empty; ordered as the rules are
	// ShadowAuto says a shadow-stage proposal would have been auto-applied.
	ShadowAuto bool
	// Arm is the rollout arm of an auto-eligible proposal (ArmNone otherwise).
	Arm Arm
}

// Texts returns the reasons' sentences in order.
func (d Decision) Texts() []string {
	out := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		out[i] = r.Text
	}
	return out
}

// Codes returns the reasons' codes in order.
func (d Decision) Codes() []ReasonCode {
	out := make([]ReasonCode, len(d.Reasons))
	for i, r := range d.Reasons {
		out[i] = r.Code
	}
	return out
}
