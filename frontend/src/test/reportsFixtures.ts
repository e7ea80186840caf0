import type { Audit, AuditDetail, AuditItem, Export, ExportManifest, ExportSchedule } from '../api/reports';

/** The previous calendar month in UTC, as the dialogs' default "Last month" sends it. */
export function lastMonth(now = new Date()): { since: string; until: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return { since: new Date(Date.UTC(y, m - 1, 1)).toISOString(), until: new Date(Date.UTC(y, m, 1)).toISOString() };
}

const sha = 'a3f5c2e19b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';

/** The signed manifest of export x1: 1,200 CSV rows, changes #101–#1300; override anything. */
export function makeManifest(overrides: Partial<ExportManifest> = {}): ExportManifest {
  return {
    version: 'countersign/export/v1',
    export_id: 'x1',
    tenant_id: 't1',
    format: 'csv',
    filter: { since: '2026-11-01T00:00:00Z', until: '2026-12-01T00:00:00Z' },
    file_name: 'countersign-2026-11.csv',
    rows: 1200,
    bytes: 2_457_600,
    file_sha256: sha,
    first_seq: 101,
    last_seq: 1300,
    first_prev_hash: 'p100',
    last_hash: 'h1300deadbeefcafe',
    rows_digest: 'd1',
    checkpoint: { seq: 1300, hash: 'h1300deadbeefcafe', signature: 'c2lnY2hlY2twb2ludA==' },
    key_id: 'k-2026',
    public_key: 'cHVibGlja2V5',
    created_at: '2026-12-02T09:00:05Z',
    signature: 'TWFuaWZlc3RTaWduYXR1cmVCYXNlNjRFbmNvZGVkVmFsdWU=',
    ...overrides,
  };
}

/** A done CSV export of November 2026 by Ada Admin; override anything. */
export function makeExport(overrides: Partial<Export> = {}): Export {
  return {
    id: 'x1',
    format: 'csv',
    filter: { since: '2026-11-01T00:00:00Z', until: '2026-12-01T00:00:00Z' },
    state: 'done',
    total: 1200,
    rows: 1200,
    bytes: 2_457_600,
    sha256: sha,
    file_name: 'countersign-2026-11.csv',
    manifest: makeManifest(),
    error: null,
    schedule_id: null,
    created_by_name: 'Ada Admin',
    created_at: '2026-12-02T09:00:00Z',
    finished_at: '2026-12-02T09:00:05Z',
    expires_at: '2099-01-01T00:00:00Z',
    ...overrides,
  };
}

/** Export x1 while it runs: 300 of 1,200 rows; override anything. */
export function makeRunningExport(overrides: Partial<Export> = {}): Export {
  return makeExport({ state: 'running', rows: 300, bytes: 0, sha256: null, file_name: null, manifest: undefined, finished_at: null, ...overrides });
}

/** A weekly JSON Lines export of agent a1's changes, with a webhook; override anything. */
export function makeSchedule(overrides: Partial<ExportSchedule> = {}): ExportSchedule {
  return {
    id: 's1',
    format: 'jsonl',
    cadence: 'weekly',
    filter: { since: '0001-01-01T00:00:00Z', until: '0001-01-01T00:00:00Z', agent_id: 'a1' },
    webhook_url: 'https://hooks.example.com/evidence',
    next_run_at: '2026-12-07T00:00:00Z',
    last_export_id: null,
    created_at: '2026-12-01T09:00:00Z',
    ...overrides,
  };
}

/** Sampled change #201 of audit au1: agent Closer moved deal 5001 to closedwon; override anything. */
export function makeAuditItem(overrides: Partial<AuditItem> = {}): AuditItem {
  const seq = overrides.change_seq ?? 201;
  return {
    change_seq: seq,
    change_id: `ev-${seq}`,
    at: '2026-11-12T10:00:00Z',
    object: 'deals',
    record_id: `5${seq}`,
    field: 'dealstage',
    before: 'contractsent',
    after: 'closedwon',
    actor_kind: 'agent',
    agent_name: 'Closer',
    sensitivity: 'high',
    stratum: 'Closer|deals.dealstage|high',
    verdict: null,
    note: '',
    checked_by_name: null,
    checked_at: null,
    ...overrides,
  };
}

/** An open 1 % audit of November 2026 (seed 42), nothing checked yet; override anything. */
export function makeAudit(overrides: Partial<Audit> = {}): Audit {
  return {
    id: 'au1',
    since: '2026-11-01T00:00:00Z',
    until: '2026-12-01T00:00:00Z',
    rate_bps: 100,
    seed: 42,
    population: 300,
    sampled: 3,
    checked: 0,
    incorrect: 0,
    strata: [
      { agent_id: 'a1', agent: 'Closer', field: 'deals.dealstage', sensitivity: 'high', population: 200, sampled: 2 },
      { agent_id: 'a2', agent: 'Enricher', field: 'companies.city', sensitivity: 'low', population: 100, sampled: 1 },
    ],
    closed_at: null,
    created_at: '2026-12-02T09:00:00Z',
    created_by_name: 'Ada Admin',
    ...overrides,
  };
}

/** Audit au1 with its three sampled changes #201, #202, #203; override anything. */
export function makeAuditDetail(overrides: Partial<AuditDetail> = {}): AuditDetail {
  return {
    ...makeAudit(),
    items: [
      makeAuditItem({ change_seq: 201 }),
      makeAuditItem({ change_seq: 202 }),
      makeAuditItem({ change_seq: 203, object: 'companies', field: 'city', before: 'Berlin', after: 'Munich', agent_name: 'Enricher', sensitivity: 'low', stratum: 'Enricher|companies.city|low' }),
    ],
    ...overrides,
  };
}
