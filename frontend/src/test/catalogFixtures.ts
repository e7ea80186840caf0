import type { Connection, Field, FieldDetail, Policy, SyncRun } from '../api/client';

/** An undecided default policy; override anything. */
export function makePolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    sensitivity: 'high',
    mode: 'review',
    confidence_threshold: 0.95,
    evidence_required: false,
    tags: ['pipeline', 'forecast'],
    decided: false,
    reason: 'Drives pipeline and forecasting.',
    ...overrides,
  };
}

/** A catalog field of the sandbox connection c1; override anything. */
export function makeField(overrides: Partial<Field> = {}): Field {
  return {
    id: 'f1',
    connection_id: 'c1',
    connection_name: 'Demo sandbox',
    object: 'deals',
    name: 'dealstage',
    label: 'Deal stage',
    type: 'enumeration',
    raw_type: 'enumeration/select',
    read_only: false,
    archived: false,
    custom: false,
    crm_sensitivity: '',
    options: [
      { value: 'appointmentscheduled', label: 'Appointment scheduled' },
      { value: 'closedwon', label: 'Closed won' },
    ],
    policy: makePolicy(),
    ...overrides,
  };
}

export function makeFieldDetail(overrides: Partial<FieldDetail> = {}): FieldDetail {
  return {
    ...makeField(),
    description: 'Where the deal is in the pipeline.',
    first_seen_at: '2026-03-01T10:00:00Z',
    last_seen_at: '2026-03-05T10:00:00Z',
    definition_history: [],
    policy_history: [],
    ...overrides,
  };
}

export function makeConnection(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 'c1',
    name: 'Demo sandbox',
    provider: 'sandbox',
    base_url: '',
    credentials: {},
    sync_interval_minutes: 60,
    status: 'ok',
    created_at: '2026-03-01T09:00:00Z',
    last_synced_at: '2026-03-05T10:00:00Z',
    field_count: 212,
    needs_decision: 9,
    ...overrides,
  };
}

export function makeRun(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    id: 'r1',
    connection_id: 'c1',
    status: 'queued',
    trigger: 'manual',
    created_at: '2026-03-05T10:00:00Z',
    progress: { objects_done: 0, objects_total: 0, fields_seen: 0 },
    ...overrides,
  };
}

/** `count` distinct fields, as a page of the catalog would hold them. */
export function manyFields(count: number, from = 0): Field[] {
  return Array.from({ length: count }, (_, i) =>
    makeField({ id: `f${from + i}`, name: `field_${from + i}`, label: `Field ${from + i}`, object: 'contacts' }),
  );
}
