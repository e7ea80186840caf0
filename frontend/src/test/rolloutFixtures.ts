import type { ArmStats, Insights, Rollout, RolloutDetail } from '../api/client';

export function makeArm(overrides: Partial<ArmStats> = {}): ArmStats {
  return { arm: 'canary', applied: 200, corrected: 4, rate: 0.02, ci_low: 0.0078, ci_high: 0.0503, ...overrides };
}

export function makeRollout(overrides: Partial<Rollout> = {}): Rollout {
  return {
    id: 'r1',
    agent_id: 'a1',
    agent_name: 'Closer',
    name: 'Company cities',
    fields: ['companies.city'],
    stage: 'canary',
    percent_bps: 500,
    threshold_bps: 300,
    min_sample: 50,
    canary_since: '2026-11-20T09:00:00Z',
    halted_at: null,
    halt_reason: '',
    created_at: '2026-11-19T09:00:00Z',
    updated_at: '2026-11-20T09:00:00Z',
    arms: [makeArm(), makeArm({ arm: 'control', applied: 180, corrected: 9, rate: 0.05, ci_low: 0.026, ci_high: 0.092 })],
    verdict: { state: 'hold', text: 'Correction rate 2.0 % against a 3.0 % threshold: keep watching', checked_at: '2026-12-05T10:00:00Z' },
    ...overrides,
  };
}

export function makeRolloutDetail(overrides: Partial<RolloutDetail> = {}): RolloutDetail {
  return {
    ...makeRollout(),
    history: [
      { seq: 2, from_stage: 'shadow', from_bps: 0, to_stage: 'canary', to_bps: 500, reason: 'agreement 99 %', actor_kind: 'human', actor: 'Ada Admin', at: '2026-11-20T09:00:00Z', detail: {} },
      { seq: 1, from_stage: null, from_bps: null, to_stage: 'off', to_bps: 0, reason: 'created', actor_kind: 'human', actor: 'Ada Admin', at: '2026-11-19T09:00:00Z', detail: {} },
    ],
    ...overrides,
  };
}

export function makeInsights(overrides: Partial<Insights> = {}): Insights {
  return {
    days: 30,
    folded_at: '2026-12-05T10:00:00Z',
    rows: [{ agent_id: 'a1', agent_name: 'Closer', field: 'companies.city', arms: [makeArm(), makeArm({ arm: 'shadow', applied: 50, corrected: 1, rate: 0.02, ci_low: 0.0035, ci_high: 0.105 })] }],
    time_to_update: { avg_minutes: 12.5, applied: 200, per_day: [{ day: '2026-12-04', value: 12.5, n: 200 }] },
    rollbacks_by_reason: [{ kind: 'rollback', reason: 'wrong city', n: 3 }],
    sla: { decided: 100, met: 95, per_sensitivity: [{ sensitivity: 'low', decided: 100, met: 95 }], per_day: [{ day: '2026-12-04', value: 0.95, n: 100 }] },
    queue_depth: [{ at: '2026-12-04T10:00:00Z', pending: 12, breached: 1 }],
    ...overrides,
  };
}
