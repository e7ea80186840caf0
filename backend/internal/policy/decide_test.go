package policy

import (
	"math"
	"slices"
	"testing"
)

// eligible is a proposal that passes every gate: canary rollout, record in cohort.
func eligible() Input {
	return Input{
		Object: "companies", Field: "industry", Operation: "set",
		Policy:  FieldPolicy{Sensitivity: Low, Mode: ModeAuto, Threshold: 0.95},
		InScope: true, Agent: AgentActive, Rollout: StageCanary, InCohort: true,
		Confidence: 0.97, Evidence: 1, Consent: ConsentNotApplicable, ExpectedOld: true,
	}
}

var (
	jumpFlag  = Flag{Code: FlagAmountJump, Message: "deals.amount would change from 1000 to 9000, more than 3× up or down", Bump: 20}
	clearFlag = Flag{Code: FlagClearsValue, Message: "deals.amount would be emptied", Bump: 15}
)

func TestDecide_routes_and_reasons(t *testing.T) {
	cases := []struct {
		name   string
		mod    func(*Input)
		route  Route
		codes  []ReasonCode
		shadow bool
	}{
		// auto, and each gate alone
		{"eligible_canary_in_cohort_auto", func(in *Input) {}, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"full_rollout_auto", func(in *Input) { in.Rollout, in.InCohort = StageFull, false }, RouteAuto, []ReasonCode{ReasonAutoFull}, false},
		{"confidence_equal_threshold_auto", func(in *Input) { in.Confidence = 0.95 }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"custom_threshold_equal_auto", func(in *Input) { in.Policy.Threshold, in.Confidence = 0.8, 0.8 }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"low_confidence_review", func(in *Input) { in.Confidence = 0.82 }, RouteReview, []ReasonCode{ReasonLowConfidence}, false},
		{"zero_threshold_means_default", func(in *Input) { in.Policy.Threshold, in.Confidence = 0, 0.9 }, RouteReview, []ReasonCode{ReasonLowConfidence}, false},
		{"nan_confidence_review", func(in *Input) { in.Confidence = math.NaN() }, RouteReview, []ReasonCode{ReasonLowConfidence}, false},
		{"evidence_required_missing_review", func(in *Input) { in.Policy.EvidenceRequired, in.Evidence = true, 0 }, RouteReview, []ReasonCode{ReasonNoEvidence}, false},
		{"evidence_required_present_auto", func(in *Input) { in.Policy.EvidenceRequired = true }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"validator_flag_review", func(in *Input) { in.Flags = []Flag{jumpFlag} }, RouteReview, []ReasonCode{"flag:amount_jump"}, false},
		{"breaker_open_review", func(in *Input) { in.BreakerOpen = true }, RouteReview, []ReasonCode{ReasonBreakerOpen}, false},
		{"blind_change_review", func(in *Input) { in.ExpectedOld = false }, RouteReview, []ReasonCode{ReasonNoExpectedOld}, false},
		{"no_rollout_review", func(in *Input) { in.Rollout = StageNone }, RouteReview, []ReasonCode{ReasonNoRollout}, false},
		{"empty_rollout_is_none", func(in *Input) { in.Rollout = "" }, RouteReview, []ReasonCode{ReasonNoRollout}, false},
		{"rollout_off_review", func(in *Input) { in.Rollout = StageOff }, RouteReview, []ReasonCode{ReasonRolloutOff}, false},
		{"canary_control_arm_review", func(in *Input) { in.InCohort = false }, RouteReview, []ReasonCode{ReasonCanaryControl}, false},
		// shadow
		{"shadow_would_auto", func(in *Input) { in.Rollout = StageShadow }, RouteReview, []ReasonCode{ReasonShadow}, true},
		{"shadow_low_confidence_would_not", func(in *Input) { in.Rollout, in.Confidence = StageShadow, 0.5 }, RouteReview, []ReasonCode{ReasonLowConfidence, ReasonShadow}, false},
		{"shadow_breaker_open_would_not", func(in *Input) { in.Rollout, in.BreakerOpen = StageShadow, true }, RouteReview, []ReasonCode{ReasonBreakerOpen, ReasonShadow}, false},
		{"shadow_review_mode_not_shadow_auto", func(in *Input) { in.Rollout, in.Policy.Mode = StageShadow, ModeReview }, RouteReview, []ReasonCode{ReasonModeReview}, false},
		// every failed gate is listed, in order
		{"all_gates_listed", func(in *Input) {
			in.Confidence, in.Policy.EvidenceRequired, in.Evidence = 0.5, true, 0
			in.Flags, in.BreakerOpen, in.Rollout = []Flag{clearFlag, jumpFlag}, true, StageNone
		}, RouteReview, []ReasonCode{ReasonLowConfidence, ReasonNoEvidence, "flag:clears_value", "flag:amount_jump", ReasonBreakerOpen, ReasonNoRollout}, false},
		// human-only
		{"critical_auto_mode_never_auto", func(in *Input) { in.Policy.Sensitivity = Critical }, RouteReview, []ReasonCode{ReasonHumanOnly}, false},
		{"critical_full_rollout_never_auto", func(in *Input) { in.Policy.Sensitivity, in.Rollout = Critical, StageFull }, RouteReview, []ReasonCode{ReasonHumanOnly}, false},
		{"critical_shadow_not_shadow_auto", func(in *Input) { in.Policy.Sensitivity, in.Rollout = Critical, StageShadow }, RouteReview, []ReasonCode{ReasonHumanOnly, ReasonShadow}, false},
		{"consent_tag_never_auto", func(in *Input) { in.Policy.Tags = []string{"consent"} }, RouteReview, []ReasonCode{ReasonHumanOnly}, false},
		{"pii_tag_medium_can_auto", func(in *Input) { in.Policy.Sensitivity, in.Policy.Tags = Medium, []string{"pii"} }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"critical_two_person", func(in *Input) { in.Policy.Sensitivity, in.Policy.Mode = Critical, ModeTwoPerson }, RouteTwoPerson, []ReasonCode{ReasonModeTwoPerson}, false},
		// modes
		{"two_person_mode", func(in *Input) { in.Policy.Mode = ModeTwoPerson }, RouteTwoPerson, []ReasonCode{ReasonModeTwoPerson}, false},
		{"two_person_lists_flags", func(in *Input) { in.Policy.Mode, in.Flags = ModeTwoPerson, []Flag{jumpFlag} }, RouteTwoPerson, []ReasonCode{ReasonModeTwoPerson, "flag:amount_jump"}, false},
		{"review_mode_even_if_perfect", func(in *Input) { in.Policy.Mode, in.Confidence, in.Rollout = ModeReview, 1, StageFull }, RouteReview, []ReasonCode{ReasonModeReview}, false},
		{"review_mode_breaker_irrelevant", func(in *Input) { in.Policy.Mode, in.BreakerOpen = ModeReview, true }, RouteReview, []ReasonCode{ReasonModeReview}, false},
		{"unknown_mode_review", func(in *Input) { in.Policy.Mode = "" }, RouteReview, []ReasonCode{ReasonModeUnknown}, false},
		// blocked
		{"out_of_scope_blocked", func(in *Input) { in.InScope = false }, RouteBlocked, []ReasonCode{ReasonOutOfScope}, false},
		{"scope_before_mode", func(in *Input) { in.InScope, in.Policy.Mode = false, ModeBlocked }, RouteBlocked, []ReasonCode{ReasonOutOfScope, ReasonModeBlocked}, false},
		{"paused_agent_blocked", func(in *Input) { in.Agent = AgentPaused }, RouteBlocked, []ReasonCode{ReasonAgentPaused}, false},
		{"empty_agent_status_blocked", func(in *Input) { in.Agent = "" }, RouteBlocked, []ReasonCode{ReasonAgentPaused}, false},
		{"paused_beats_breaker", func(in *Input) { in.Agent, in.BreakerOpen = AgentPaused, true }, RouteBlocked, []ReasonCode{ReasonAgentPaused}, false},
		{"mode_blocked", func(in *Input) { in.Policy.Mode = ModeBlocked }, RouteBlocked, []ReasonCode{ReasonModeBlocked}, false},
		{"blocked_omits_flags", func(in *Input) { in.Policy.Mode, in.Flags = ModeBlocked, []Flag{jumpFlag} }, RouteBlocked, []ReasonCode{ReasonModeBlocked}, false},
		{"blocked_beats_everything", func(in *Input) {
			in.InScope, in.Agent, in.Policy.Mode = false, AgentPaused, ModeBlocked
			in.Enrichment, in.Consent, in.Confidence, in.BreakerOpen, in.Rollout = true, ConsentRevoked, 0.1, true, StageShadow
		}, RouteBlocked, []ReasonCode{ReasonOutOfScope, ReasonAgentPaused, ReasonModeBlocked, ReasonConsentRevoked}, false},
		// consent
		{"consent_revoked_enrichment_blocked", func(in *Input) { in.Enrichment, in.Consent = true, ConsentRevoked }, RouteBlocked, []ReasonCode{ReasonConsentRevoked}, false},
		{"consent_unknown_enrichment_blocked", func(in *Input) { in.Enrichment, in.Consent = true, ConsentUnknown }, RouteBlocked, []ReasonCode{ReasonConsentMissing}, false},
		{"consent_empty_enrichment_blocked", func(in *Input) { in.Enrichment, in.Consent = true, "" }, RouteBlocked, []ReasonCode{ReasonConsentMissing}, false},
		{"consent_granted_enrichment_auto", func(in *Input) { in.Enrichment, in.Consent = true, ConsentGranted }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"consent_not_applicable_enrichment_auto", func(in *Input) { in.Enrichment = true }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"consent_revoked_not_enrichment_auto", func(in *Input) { in.Consent = ConsentRevoked }, RouteAuto, []ReasonCode{ReasonAutoCanary}, false},
		{"consent_revoked_review_mode_blocked", func(in *Input) { in.Policy.Mode, in.Enrichment, in.Consent = ModeReview, true, ConsentRevoked }, RouteBlocked, []ReasonCode{ReasonConsentRevoked}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := eligible()
			c.mod(&in)
			d := Decide(in)
			if d.Route != c.route || !slices.Equal(d.Codes(), c.codes) || d.ShadowAuto != c.shadow {
				t.Fatalf("got %s %v shadow=%v, want %s %v shadow=%v\nreasons: %q", d.Route, d.Codes(), d.ShadowAuto, c.route, c.codes, c.shadow, d.Texts())
			}
		})
	}
}

func TestDecide_reason_sentences_are_specific(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Input)
		want []string
	}{
		{"low_confidence", func(in *Input) { in.Confidence = 0.82 }, []string{"Confidence 0.82 is below the field's threshold 0.95"}},
		{"near_threshold_gets_decimals", func(in *Input) { in.Confidence = 0.9499 }, []string{"Confidence 0.9499 is below the field's threshold 0.95"}},
		{"blocked_with_tags", func(in *Input) {
			in.Object, in.Field, in.Policy.Mode, in.Policy.Tags = "deals", "utm_source", ModeBlocked, []string{"attribution"}
		}, []string{"Field deals.utm_source is blocked for agents: attribution"}},
		{"breaker", func(in *Input) { in.BreakerOpen = true }, []string{"Velocity breaker is open for this agent: auto-apply is off until an admin resets it"}},
		{"no_rollout", func(in *Input) { in.Rollout = StageNone }, []string{"Auto-apply needs an active canary rollout for this agent and field; none exists yet, so it goes to review"}},
		{"out_of_scope_names_operation", func(in *Input) { in.InScope, in.Operation = false, "clear" }, []string{"Field companies.industry is outside this agent's scope for clear"}},
		{"paused_with_reason", func(in *Input) { in.Agent, in.PausedReason = AgentPaused, "wrong deal stages last week" }, []string{"Agent is paused: wrong deal stages last week"}},
		{"review_with_tags", func(in *Input) {
			in.Object, in.Field, in.Policy.Mode, in.Policy.Tags = "deals", "dealstage", ModeReview, []string{"pipeline", "forecast"}
		}, []string{"Field deals.dealstage requires human review: pipeline, forecast"}},
		{"flag_message_verbatim", func(in *Input) { in.Flags = []Flag{jumpFlag} }, []string{jumpFlag.Message}},
		{"auto_explains_itself", func(in *Input) {}, []string{"Auto-applied: confidence 0.97 meets the field's threshold 0.95, no validator flags, and the record is in the canary cohort"}},
		{"critical_human_only", func(in *Input) { in.Field, in.Policy.Sensitivity = "ssn", Critical }, []string{"Field companies.ssn is human-only because its sensitivity is critical: agents may propose but never auto-apply"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := eligible()
			c.mod(&in)
			if got := Decide(in).Texts(); !slices.Equal(got, c.want) {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestDecide_auto_only_when_every_gate_passes sweeps the inputs that matter and
// checks the one rule that must never break: auto exactly when all gates pass.
func TestDecide_auto_only_when_every_gate_passes(t *testing.T) {
	modes := []Mode{ModeAuto, ModeReview, ModeTwoPerson, ModeBlocked}
	stages := []Stage{StageNone, StageOff, StageShadow, StageCanary, StageFull}
	consents := []Consent{ConsentGranted, ConsentRevoked, ConsentUnknown, ConsentNotApplicable}
	n := 0
	for _, mode := range modes {
		for _, stage := range stages {
			for _, consent := range consents {
				for mask := 0; mask < 1<<9; mask++ {
					bit := func(i int) bool { return mask&(1<<i) != 0 }
					in := eligible()
					in.Policy.Mode, in.Rollout, in.Consent = mode, stage, consent
					in.InScope, in.InCohort, in.BreakerOpen, in.Enrichment = bit(0), bit(1), bit(2), bit(3)
					in.Policy.EvidenceRequired, in.Evidence = bit(4), map[bool]int{false: 0, true: 2}[bit(5)]
					if bit(6) {
						in.Confidence = 0.5
					}
					if bit(7) {
						in.Agent = AgentPaused
					}
					in.ExpectedOld = !bit(8)
					d := Decide(in)
					n++
					want := in.InScope && in.Agent == AgentActive && mode == ModeAuto && in.Confidence >= 0.95 &&
						(!in.Policy.EvidenceRequired || in.Evidence > 0) && !in.BreakerOpen &&
						(stage == StageFull || stage == StageCanary && in.InCohort) &&
						(!in.Enrichment || consent == ConsentGranted || consent == ConsentNotApplicable) && in.ExpectedOld
					if (d.Route == RouteAuto) != want || len(d.Reasons) == 0 {
						t.Fatalf("input %+v: got %s %q, want auto=%v", in, d.Route, d.Texts(), want)
					}
					if d.ShadowAuto && (stage != StageShadow || d.Route != RouteReview) {
						t.Fatalf("input %+v: shadowAuto outside shadow review", in)
					}
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("sweep ran no cases")
	}
}

// Only a proposal that passed every auto gate falls in an arm: auto-applied
// in the canary cohort or at full, reviewed in the control arm or in shadow.
func TestDecide_arms(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Input)
		arm  Arm
	}{
		{"canary_in_cohort", func(in *Input) {}, ArmCanary},
		{"canary_out_of_cohort_control", func(in *Input) { in.InCohort = false }, ArmControl},
		{"full", func(in *Input) { in.Rollout, in.InCohort = StageFull, false }, ArmCanary},
		{"shadow", func(in *Input) { in.Rollout = StageShadow }, ArmShadow},
		{"off", func(in *Input) { in.Rollout = StageOff }, ArmNone},
		{"no_rollout", func(in *Input) { in.Rollout = StageNone }, ArmNone},
		{"control_but_low_confidence", func(in *Input) { in.InCohort, in.Confidence = false, 0.2 }, ArmNone},
		{"cohort_but_flagged", func(in *Input) { in.Flags = []Flag{{Code: "amount_jump", Message: "jump"}} }, ArmNone},
		{"shadow_but_review_mode", func(in *Input) { in.Rollout, in.Policy.Mode = StageShadow, ModeReview }, ArmNone},
		{"canary_but_blocked", func(in *Input) { in.InScope = false }, ArmNone},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := eligible()
			c.mod(&in)
			if d := Decide(in); d.Arm != c.arm {
				t.Fatalf("arm %q, want %q (route %s, reasons %v)", d.Arm, c.arm, d.Route, d.Codes())
			}
		})
	}
}
