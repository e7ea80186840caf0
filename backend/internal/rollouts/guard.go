package rollouts

import (
	"context"
	"fmt"
	"time"

	"countersign/backend/internal/alerts"
	"countersign/backend/internal/insights"
	"countersign/backend/internal/platform/jobs"
	"countersign/backend/internal/policy"
)

// GuardArgs is the periodic job that runs every tenant's guardrails.
type GuardArgs struct{}

// Kind names the job.
func (GuardArgs) Kind() string { return "rollouts.guard" }

// RegisterJobs runs the guardrails every 30 seconds (on the leader; a halt
// rechecks the stage under the rollout's lock, so two runs halt once).
func (s *Service) RegisterJobs(j *jobs.Jobs) {
	s.jobs = j
	jobs.EveryTenant[GuardArgs](j, 30*time.Second, func(ctx context.Context, tenantID string) error {
		_, err := s.Guard(ctx, tenantID)
		return err
	})
}

// Halt is a rollout the guardrail sent back to shadow.
type Halt struct {
	RolloutID, Name string
	Verdict         Verdict
}

// judgedArm is the arm whose corrections decide a rollout's next step, and
// since when it counts: the canary's since it began, shadow's since the
// rollout entered shadow.
func judgedArm(r Rollout) (string, time.Time) {
	if r.Stage == policy.StageShadow {
		return string(policy.ArmShadow), r.StageSince
	}
	since := r.StageSince
	if r.CanarySince != nil {
		since = *r.CanarySince
	}
	return string(policy.ArmCanary), since
}

// Guard judges each of the tenant's rollouts that is not off, live from its
// proposals, stores each verdict, and halts to shadow every canary (or full)
// rollout whose correction rate is above its threshold even at the lower
// bound: at once, with a history entry, an alert and the alert webhook.
func (s *Service) Guard(ctx context.Context, tenantID string) ([]Halt, error) {
	rs, err := s.store.active(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var halts []Halt
	for _, r := range rs {
		arm, since := judgedArm(r)
		if w := s.clock.Now().Add(-insights.Window); since.Before(w) {
			since = w
		}
		rates, err := s.insights.RolloutArms(ctx, tenantID, r.ID, since)
		if err != nil {
			return halts, err
		}
		rate, ok := rates[arm]
		if !ok {
			rate = insights.NewRate(arm, 0, 0)
		}
		v := Judge(r, rate)
		now := s.clock.Now()
		v.CheckedAt = &now
		if v.State != VerdictHalt {
			if err := s.store.setVerdict(ctx, tenantID, r.ID, v); err != nil {
				return halts, err
			}
			continue
		}
		halted, err := s.halt(ctx, r, v)
		if err != nil {
			return halts, err
		}
		if halted {
			halts = append(halts, Halt{RolloutID: r.ID, Name: r.Name, Verdict: v})
		}
	}
	return halts, nil
}

// halt moves the rollout to shadow if it is still at the stage judged.
func (s *Service) halt(ctx context.Context, judged Rollout, v Verdict) (bool, error) {
	halted := false
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.store.lock(ctx, judged.TenantID, judged.ID)
		if err != nil {
			return err
		}
		if r.Stage != judged.Stage || r.PercentBps != judged.PercentBps {
			return nil // a person moved it meanwhile: the next run judges the new stage
		}
		reason := "Guardrail: " + v.Text
		detail := map[string]any{"applied": v.Arm.Applied, "corrected": v.Arm.Corrected, "rate": v.Arm.Rate, "ci_low": v.Arm.Low,
			"ci_high": v.Arm.High, "threshold_bps": r.ThresholdBps, "canary_since": r.CanarySince}
		halted = true
		return s.move(ctx, r, policy.StageShadow, 0, reason, "system", "", detail, func(ctx context.Context) error {
			if err := s.store.setVerdict(ctx, r.TenantID, r.ID, v); err != nil {
				return err
			}
			title := fmt.Sprintf("Rollout %q halted to shadow: canary correction rate %s (lower bound %s) is above its %s threshold",
				r.Name, pct(v.Arm.Rate), pct(v.Arm.Low), pct(float64(r.ThresholdBps)/policy.BasisPoints))
			return s.alerts.Raise(ctx, alerts.Alert{TenantID: r.TenantID, Kind: "rollout_halted", Severity: "critical", Title: title,
				Detail: map[string]any{"rollout_id": r.ID, "agent_id": r.AgentID, "fields": r.Fields, "canary_since": r.CanarySince,
					"applied": v.Arm.Applied, "corrected": v.Arm.Corrected}})
		})
	})
	return halted, err
}
