package rollouts

import (
	"testing"

	"countersign/backend/internal/insights"
	"countersign/backend/internal/policy"
)

func canaryAt(bps int) Rollout {
	return Rollout{Stage: policy.StageCanary, PercentBps: bps, ThresholdBps: 300, MinSample: 50}
}

// The guardrail halts only when even the lower bound is above the
// threshold, and only with the minimum sample; promotion needs the upper
// bound under it.
func TestJudge_halts_promotes_holds_and_waits(t *testing.T) {
	cases := []struct {
		name  string
		r     Rollout
		k, n  int
		state string
		stage policy.Stage
		bps   int
	}{
		{"8 % of 300 against 3 % halts", canaryAt(500), 24, 300, VerdictHalt, "", 0},
		{"8 % of 40 is too few to judge", canaryAt(500), 3, 40, VerdictInsufficient, "", 0},
		{"5 % of 60 straddles 3 %: hold", canaryAt(500), 3, 60, VerdictHold, "", 0},
		{"0 of 200 promotes to the next step", canaryAt(500), 0, 200, VerdictPromote, policy.StageCanary, 1000},
		{"the last step promotes to full", canaryAt(5000), 0, 200, VerdictPromote, policy.StageFull, 10000},
		{"an odd share promotes to the next step above it", canaryAt(700), 0, 200, VerdictPromote, policy.StageCanary, 1000},
		{"full is never promoted", Rollout{Stage: policy.StageFull, PercentBps: 10000, ThresholdBps: 300, MinSample: 50}, 0, 200, VerdictHold, "", 0},
		{"full halts too", Rollout{Stage: policy.StageFull, PercentBps: 10000, ThresholdBps: 300, MinSample: 50}, 30, 200, VerdictHalt, "", 0},
		{"shadow agreement promotes to the first canary step", Rollout{Stage: policy.StageShadow, ThresholdBps: 300, MinSample: 50}, 0, 150, VerdictPromote, policy.StageCanary, 100},
		{"shadow never halts (nothing is written)", Rollout{Stage: policy.StageShadow, ThresholdBps: 300, MinSample: 50}, 40, 150, VerdictHold, "", 0},
		{"off is idle", Rollout{Stage: policy.StageOff, ThresholdBps: 300, MinSample: 50}, 40, 150, VerdictIdle, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Judge(c.r, insights.NewRate("canary", c.k, c.n))
			if v.State != c.state || v.NextStage != c.stage || v.NextBps != c.bps {
				t.Fatalf("got %s → %s %d (%s), want %s → %s %d", v.State, v.NextStage, v.NextBps, v.Text, c.state, c.stage, c.bps)
			}
		})
	}
}

// A threshold is honoured at its edge: a lower bound just under it holds.
func TestJudge_threshold_edge(t *testing.T) {
	r := canaryAt(500)
	// 10 of 150: Wilson low 3.66 %, so a 4 % threshold holds and a 3.5 % one halts
	arm := insights.NewRate("canary", 10, 150)
	r.ThresholdBps = 400
	if v := Judge(r, arm); v.State != VerdictHold {
		t.Fatalf("low %.4f against 4 %%: %s", arm.Low, v.State)
	}
	r.ThresholdBps = 350
	if v := Judge(r, arm); v.State != VerdictHalt {
		t.Fatalf("low %.4f against 3.5 %%: %s", arm.Low, v.State)
	}
}
