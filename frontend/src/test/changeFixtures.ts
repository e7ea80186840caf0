import type { BulkRollback, ChangeEvent, RollbackConflict } from '../api/client';

/** Agent Closer moved deal 5001 to closedwon, change #12; override anything. */
export function makeChangeEvent(overrides: Partial<ChangeEvent> = {}): ChangeEvent {
  const seq = overrides.seq ?? 12;
  return {
    seq,
    id: `ev-${seq}`,
    at: '2026-03-05T10:00:00Z',
    connection_id: 'c1',
    object: 'deals',
    record_id: '5001',
    field: 'dealstage',
    before: 'contractsent',
    after: 'closedwon',
    actor_kind: 'agent',
    agent_id: 'a1',
    agent_name: 'Closer',
    user_id: null,
    user_name: null,
    proposal_id: 'p1',
    decision_seqs: [],
    policy_version: 3,
    reverts: null,
    reverted_by: null,
    reason: 'The contract was signed.',
    hash: 'h' + seq,
    prev_hash: 'h' + (seq - 1),
    ...overrides,
  };
}

/** Change #12's conflict: the CRM holds a third value; override anything. */
export function makeConflict(overrides: Partial<RollbackConflict> = {}): RollbackConflict {
  return {
    seq: 12,
    object: 'deals',
    record_id: '5001',
    field: 'dealstage',
    before: 'contractsent',
    ours: 'closedwon',
    current: 'closedlost',
    problem: 'the CRM no longer holds the value this change wrote',
    ...overrides,
  };
}

/** A bulk rollback of agent a1's changes, running; override anything. */
export function makeBulkRollback(overrides: Partial<BulkRollback> = {}): BulkRollback {
  return {
    id: 'r1',
    filter: { agent_id: 'a1' },
    reason: 'Closer misread the contracts',
    state: 'running',
    total: 40,
    reverted: 0,
    skipped: 0,
    conflicts: 0,
    failed: 0,
    report: [],
    created_at: '2026-03-05T11:00:00Z',
    finished_at: null,
    error: null,
    ...overrides,
  };
}
