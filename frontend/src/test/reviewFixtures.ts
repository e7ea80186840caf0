import type { ReviewItem, ReviewMetrics } from '../api/client';

/** A held deal-stage item in Pipeline changes; override anything. */
export function makeReviewItem(overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id: 'i1',
    proposal_id: 'p1',
    queue_id: 'q2',
    queue_name: 'Pipeline changes',
    agent_id: 'a1',
    agent_name: 'Enricher',
    object: 'deals',
    record_id: '5001',
    field: 'dealstage',
    operation: 'set',
    expected_old: 'qualifiedtobuy',
    proposed: 'contractsent',
    confidence: 0.9,
    rationale: 'The contract went out on Monday.',
    evidence: [{ url: 'https://mail.example.com/1', title: 'Contract' }],
    flags: [],
    reasons: ['Field deals.dealstage requires human review: pipeline, forecast'],
    route: 'review',
    sensitivity: 'high',
    approvals_required: 1,
    approvals: 0,
    state: 'pending',
    sla_state: 'on_track',
    created_at: new Date(Date.now() - 60_000).toISOString(),
    due_at: new Date(Date.now() + 8 * 3600_000).toISOString(),
    why: [
      { factor: 'sla', minutes: 0, text: 'high SLA: due in 8 h' },
      { factor: 'sensitivity', minutes: 30, text: 'high field' },
    ],
    stale: false,
    claimed_by_me: true,
    ...overrides,
  };
}

export const emptyMetrics: ReviewMetrics = { queues: [], reviewers: [], decisions_per_hour: Array(24).fill(0) };
