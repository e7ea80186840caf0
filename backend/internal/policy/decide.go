package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Decide routes a proposal. Blocking rules win over everything and are all
// listed; then the field's mode decides; a mode-auto field is auto-applied
// only when every gate passes, and otherwise goes to review with every gate
// that failed listed, so the agent and reviewer see the whole picture.
func Decide(in Input) Decision {
	if rs := blockers(in); len(rs) > 0 {
		return Decision{Route: RouteBlocked, Reasons: rs}
	}
	switch in.Policy.Mode {
	case ModeTwoPerson:
		return human(in, RouteTwoPerson, Reason{ReasonModeTwoPerson, "Field " + in.name() + " needs two approvers" + tagSuffix(in.Policy.Tags)})
	case ModeReview:
		return human(in, RouteReview, Reason{ReasonModeReview, "Field " + in.name() + " requires human review" + tagSuffix(in.Policy.Tags)})
	case ModeAuto:
		return decideAuto(in)
	default:
		return human(in, RouteReview, Reason{ReasonModeUnknown, fmt.Sprintf("Field %s has no automation mode set (%q), so it goes to review", in.name(), in.Policy.Mode)})
	}
}

// blockers lists every rule that blocks the proposal outright, scope first.
func blockers(in Input) []Reason {
	var rs []Reason
	if !in.InScope {
		rs = append(rs, Reason{ReasonOutOfScope, "Field " + in.name() + " is outside this agent's scope" + opSuffix(in.Operation)})
	}
	if in.Agent != AgentActive {
		rs = append(rs, pausedReason(in))
	}
	if in.Policy.Mode == ModeBlocked {
		rs = append(rs, Reason{ReasonModeBlocked, "Field " + in.name() + " is blocked for agents" + tagSuffix(in.Policy.Tags)})
	}
	if in.Enrichment {
		switch in.Consent {
		case ConsentRevoked:
			rs = append(rs, Reason{ReasonConsentRevoked, "The record's consent is revoked, so enriching it is not allowed"})
		case ConsentUnknown, "":
			rs = append(rs, Reason{ReasonConsentMissing, "The record has no consent on file, so enriching it is not allowed"})
		}
	}
	return rs
}

func pausedReason(in Input) Reason {
	if in.Agent != AgentPaused {
		return Reason{ReasonAgentPaused, fmt.Sprintf("Agent is not active (status %q), so its proposals are recorded but not routed", in.Agent)}
	}
	if r := strings.TrimSpace(in.PausedReason); r != "" {
		return Reason{ReasonAgentPaused, "Agent is paused: " + r}
	}
	return Reason{ReasonAgentPaused, "Agent is paused, so its proposals are recorded but not routed"}
}

// human routes to people: the mode's reason, then any validator flags so the
// reviewer sees what raised the priority.
func human(in Input, route Route, why Reason) Decision {
	return Decision{Route: route, Reasons: append([]Reason{why}, flagReasons(in.Flags)...)}
}

// decideAuto checks every gate a mode-auto field must pass and lists each failure.
func decideAuto(in Input) Decision {
	var rs []Reason
	if in.Policy.HumanOnly() {
		rs = append(rs, humanOnlyReason(in))
	}
	if t := in.Policy.threshold(); !(in.Confidence >= t) { // NaN fails too
		c, ts := fmtPair(in.Confidence, t)
		rs = append(rs, Reason{ReasonLowConfidence, "Confidence " + c + " is below the field's threshold " + ts})
	}
	if in.Policy.EvidenceRequired && in.Evidence <= 0 {
		rs = append(rs, Reason{ReasonNoEvidence, "Field " + in.name() + " requires evidence and the proposal cites none"})
	}
	if !in.ExpectedOld && in.Operation != "append" {
		rs = append(rs, Reason{ReasonNoExpectedOld, "The proposal does not name the value it replaces (expected_old), so a person checks it"})
	}
	rs = append(rs, flagReasons(in.Flags)...)
	if in.BreakerOpen {
		rs = append(rs, Reason{ReasonBreakerOpen, "Velocity breaker is open for this agent: auto-apply is off until an admin resets it"})
	}
	eligible := len(rs) == 0
	if blocker, ok := rolloutBlocker(in, eligible); ok {
		rs = append(rs, blocker)
	} else if eligible {
		return Decision{Route: RouteAuto, Reasons: []Reason{autoReason(in)}, Arm: ArmCanary}
	}
	d := Decision{Route: RouteReview, Reasons: rs, ShadowAuto: eligible && in.Rollout == StageShadow}
	if eligible {
		switch in.Rollout {
		case StageShadow:
			d.Arm = ArmShadow
		case StageCanary:
			d.Arm = ArmControl
		}
	}
	return d
}

// rolloutBlocker returns the reason the rollout keeps the change from
// auto-applying, if it does: only a canary with the record in its cohort, or a
// full rollout, lets it through.
func rolloutBlocker(in Input, eligible bool) (Reason, bool) {
	switch in.Rollout {
	case StageFull:
		return Reason{}, false
	case StageCanary:
		if in.InCohort {
			return Reason{}, false
		}
		return Reason{ReasonCanaryControl, "The record is in the control arm of the canary rollout, so it goes to review as usual"}, true
	case StageShadow:
		if eligible {
			return Reason{ReasonShadow, "The rollout for this agent and field is in shadow: this change would have been auto-applied, so a reviewer decides and the agreement is recorded"}, true
		}
		return Reason{ReasonShadow, "The rollout for this agent and field is in shadow, so every change goes to review"}, true
	case StageOff:
		return Reason{ReasonRolloutOff, "The rollout for this agent and field is off, so auto-apply is off and it goes to review"}, true
	default:
		return Reason{ReasonNoRollout, "Auto-apply needs an active canary rollout for this agent and field; none exists yet, so it goes to review"}, true
	}
}

func autoReason(in Input) Reason {
	code, where := ReasonAutoCanary, "the record is in the canary cohort"
	if in.Rollout == StageFull {
		code, where = ReasonAutoFull, "the rollout for this agent and field is at full"
	}
	c, t := fmtPair(in.Confidence, in.Policy.threshold())
	return Reason{code, "Auto-applied: confidence " + c + " meets the field's threshold " + t + ", no validator flags, and " + where}
}

func humanOnlyReason(in Input) Reason {
	why := "its sensitivity is critical"
	if in.Policy.Sensitivity != Critical {
		why = "it is a legal/consent flag"
	}
	return Reason{ReasonHumanOnly, "Field " + in.name() + " is human-only because " + why + ": agents may propose but never auto-apply"}
}

func flagReasons(flags []Flag) []Reason {
	rs := make([]Reason, 0, len(flags))
	for _, f := range flags {
		rs = append(rs, Reason{ReasonCode(FlagReasonPrefix + string(f.Code)), f.Message})
	}
	return rs
}

func (in Input) name() string {
	if in.Object == "" {
		return in.Field
	}
	return in.Object + "." + in.Field
}

func tagSuffix(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return ": " + strings.Join(tags, ", ")
}

func opSuffix(op string) string {
	if op == "" {
		return ""
	}
	return " for " + op
}

// fmtPair formats a confidence and its threshold with just enough decimals to
// tell them apart, so a reason never reads "0.95 is below 0.95".
func fmtPair(c, t float64) (string, string) {
	prec := 2
	for prec < 6 && strconv.FormatFloat(c, 'f', prec, 64) == strconv.FormatFloat(t, 'f', prec, 64) {
		prec++
	}
	return trimZeros(strconv.FormatFloat(c, 'f', prec, 64)), trimZeros(strconv.FormatFloat(t, 'f', prec, 64))
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}
