import type { Agent, AgentDetail, Alert, Proposal, ProposalDetail } from '../api/client';

/** An active agent on the sandbox connection c1, one live key; override anything. */
export function makeAgent(overrides: Partial<Agent> = {}): Agent {
  return {
    id: 'a1',
    name: 'Enricher',
    description: 'Fills firmographics from public sources.',
    connection_id: 'c1',
    connection_name: 'Demo sandbox',
    status: 'active',
    velocity_cap: 50,
    hard_cap_multiplier: 10,
    field_caps: {},
    breaker_open: false,
    webhook_url: '',
    created_at: '2026-03-01T09:00:00Z',
    scopes: [{ object: '*', field: '*', operations: ['set', 'clear'] }],
    keys: [{ id: 'k1', name: 'production', prefix: 'cs_agent_Ab12Cd', created_at: '2026-03-01T09:05:00Z', last_used_at: '2026-03-05T10:00:00Z' }],
    ...overrides,
  };
}

export function makeAgentDetail(overrides: Partial<AgentDetail> = {}): AgentDetail {
  return {
    ...makeAgent(),
    activity: {
      distinct_records_last_hour: 12,
      by_route_status: [
        { route: 'review', status: 'queued', count: 30 },
        { route: 'blocked', status: 'blocked', count: 4 },
      ],
      blocked_by_field: [{ object: 'contacts', field: 'utm_source', count: 4 }],
      by_day: [],
    },
    ...overrides,
  };
}

/** A deal-stage move routed to review; override anything. */
export function makeProposal(overrides: Partial<Proposal> = {}): Proposal {
  return {
    id: 'p1',
    agent_id: 'a1',
    agent_name: 'Enricher',
    object: 'deals',
    record_id: '5001',
    field: 'dealstage',
    operation: 'set',
    expected_old: 'qualifiedtobuy',
    proposed: 'presentationscheduled',
    confidence: 0.914,
    rationale: 'Demo booked for Thursday per the prospect’s reply.',
    evidence: [{ url: 'https://mail.example.com/thread/123', title: 'Re: demo', excerpt: 'Thursday 3pm works' }],
    run_id: 'run-42',
    route: 'review',
    status: 'queued',
    reasons: ['Field deals.dealstage requires human review: pipeline, forecast'],
    flags: [],
    created_at: '2026-03-05T10:00:00Z',
    ...overrides,
  };
}

export function makeProposalDetail(overrides: Partial<ProposalDetail> = {}): ProposalDetail {
  return {
    ...makeProposal(),
    history: [{ at: '2026-03-05T10:00:00Z', from: 'received', to: 'queued', actor_kind: 'agent', detail: { route: 'review' } }],
    ...overrides,
  };
}

/** An open velocity-breaker alert for agent a1. */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'al1',
    kind: 'velocity_breaker',
    severity: 'critical',
    title: 'Velocity breaker tripped for agent Enricher',
    detail: { agent_id: 'a1', agent: 'Enricher', distinct_records_last_hour: 61, cap: 50, hard_cap: 500 },
    created_at: '2026-03-05T10:00:00Z',
    ...overrides,
  };
}
