import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.gen';

export type Session = components['schemas']['Session'];
export type Member = components['schemas']['Member'];
export type Invite = components['schemas']['Invite'];
export type CreatedInvite = components['schemas']['CreatedInvite'];
export type Tenant = components['schemas']['Tenant'];
export type AuditEntry = components['schemas']['AuditEntry'];
export type AuditPage = components['schemas']['AuditPage'];
export type InvitationPreview = components['schemas']['InvitationPreview'];
export type Role = components['schemas']['Role'];
export type Problem = components['schemas']['Problem'];
export type Provider = components['schemas']['Provider'];
export type Sensitivity = components['schemas']['Sensitivity'];
export type PolicyMode = components['schemas']['PolicyMode'];
export type ImpactTag = components['schemas']['ImpactTag'];
export type Connection = components['schemas']['Connection'];
export type CreateConnectionRequest = components['schemas']['CreateConnectionRequest'];
export type UpdateConnectionRequest = components['schemas']['UpdateConnectionRequest'];
export type ConnectionTest = components['schemas']['ConnectionTest'];
export type SyncRun = components['schemas']['SyncRun'];
export type SyncSummary = components['schemas']['SyncSummary'];
export type Policy = components['schemas']['Policy'];
export type PolicyInput = components['schemas']['PolicyInput'];
export type Field = components['schemas']['Field'];
export type FieldOption = components['schemas']['FieldOption'];
export type FieldPage = components['schemas']['FieldPage'];
export type FieldDetail = components['schemas']['FieldDetail'];
export type DefinitionChange = components['schemas']['DefinitionChange'];
export type PolicyChange = components['schemas']['PolicyChange'];
export type BulkPolicyRequest = components['schemas']['BulkPolicyRequest'];
export type PolicyImportResult = components['schemas']['PolicyImportResult'];
export type SandboxRecord = components['schemas']['SandboxRecord'];
export type SandboxRecordDetail = components['schemas']['SandboxRecordDetail'];
export type SandboxChange = components['schemas']['SandboxChange'];
export type AgentScope = components['schemas']['AgentScope'];
export type Agent = components['schemas']['Agent'];
export type AgentKey = components['schemas']['AgentKey'];
export type AgentInput = components['schemas']['AgentInput'];
export type AgentDetail = components['schemas']['AgentDetail'];
export type AgentActivity = components['schemas']['AgentActivity'];
/** A freshly created key: the only answer that ever carries its secret. */
export type CreatedAgentKey = paths['/agents/{agentId}/keys']['post']['responses'][201]['content']['application/json'];
export type Proposal = components['schemas']['Proposal'];
export type ProposalDetail = components['schemas']['ProposalDetail'];
export type ProposalFlag = components['schemas']['ProposalFlag'];
export type ProposalTransition = components['schemas']['ProposalTransition'];
export type Alert = components['schemas']['Alert'];
export type ReviewItem = components['schemas']['ReviewItem'];
export type ReviewDecision = components['schemas']['ReviewDecision'];
export type ReviewQueue = components['schemas']['ReviewQueue'];
export type ReviewQueueInput = components['schemas']['ReviewQueueInput'];
export type ReasonCode = components['schemas']['ReasonCode'];
export type ReviewMetrics = components['schemas']['ReviewMetrics'];
export type TimelineEntry = components['schemas']['TimelineEntry'];
export type BulkReviewResult = components['schemas']['BulkReviewResult'];
/** What a reviewer sends to decide an item. */
export type DecisionRequest = paths['/review/items/{itemId}/decisions']['post']['requestBody']['content']['application/json'];
/** What a bulk decision selects by and does. */
export type BulkReviewRequest = paths['/review/bulk']['post']['requestBody']['content']['application/json'];
/** The query of GET /proposals: filters and page. */
export type ProposalQuery = NonNullable<paths['/proposals']['get']['parameters']['query']>;
/** The query of GET /fields: filters, sort and page. */
export type FieldQuery = NonNullable<paths['/fields']['get']['parameters']['query']>;
export type ChangeEvent = components['schemas']['ChangeEvent'];
export type ChangePage = components['schemas']['ChangePage'];
export type ChainVerification = components['schemas']['ChainVerification'];
export type PublicKey = components['schemas']['PublicKey'];
export type RollbackRequest = components['schemas']['RollbackRequest'];
export type RollbackResult = components['schemas']['RollbackResult'];
export type RollbackConflict = components['schemas']['RollbackConflict'];
export type RollbackFilter = components['schemas']['RollbackFilter'];
export type RollbackPreview = components['schemas']['RollbackPreview'];
export type BulkRollback = components['schemas']['BulkRollback'];
export type Rollout = components['schemas']['Rollout'];
export type RolloutDetail = components['schemas']['RolloutDetail'];
export type RolloutStage = components['schemas']['RolloutStage'];
export type RolloutInput = components['schemas']['RolloutInput'];
export type RolloutUpdate = components['schemas']['RolloutUpdate'];
export type RolloutStageInput = components['schemas']['RolloutStageInput'];
export type RolloutStageChange = components['schemas']['RolloutStageChange'];
export type ArmStats = components['schemas']['ArmStats'];
export type Insights = components['schemas']['Insights'];
export type DayPoint = components['schemas']['DayPoint'];
export type Calibration = components['schemas']['Calibration'];
export type WhatIfInput = components['schemas']['WhatIfInput'];
export type WhatIf = components['schemas']['WhatIf'];
/** The query of GET /changes: filters and the keyset page. */
export type ChangeQuery = NonNullable<paths['/changes']['get']['parameters']['query']>;

export const ROLES: readonly Role[] = ['admin', 'reviewer', 'compliance', 'viewer'];
export const PROVIDERS: readonly Provider[] = ['sandbox', 'hubspot', 'salesforce', 'pipedrive'];
export const SENSITIVITIES: readonly Sensitivity[] = ['low', 'medium', 'high', 'critical'];
export const MODES: readonly PolicyMode[] = ['auto', 'review', 'two_person', 'blocked'];
export const TAGS: readonly ImpactTag[] = ['pipeline', 'forecast', 'commission', 'pii', 'attribution', 'identifier', 'consent'];

/** An RFC 9457 problem answered by the API, thrown by every client call that fails. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** Messages keyed by request field (`email`, `new_password`, …). */
  readonly fieldErrors: Record<string, string>;

  constructor(init: { status: number; code: string; title: string; detail?: string; fieldErrors?: Record<string, string> }) {
    super(init.detail || init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail ?? '';
    this.fieldErrors = init.fieldErrors ?? {};
  }
}

/** Builds an ApiError from a response status and its (possibly absent or malformed) problem body. */
export function parseProblem(status: number, body: unknown): ApiError {
  const p = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  const fieldErrors: Record<string, string> = {};
  for (const e of Array.isArray(p.errors) ? p.errors : []) {
    // The first message per field is the one worth showing.
    if (e && typeof e.field === 'string' && typeof e.message === 'string' && !(e.field in fieldErrors)) {
      fieldErrors[e.field] = e.message;
    }
  }
  const title = typeof p.title === 'string' && p.title ? p.title : `Request failed (${status})`;
  return new ApiError({
    status: typeof p.status === 'number' ? p.status : status,
    code: typeof p.code === 'string' ? p.code : 'http_' + status,
    title,
    detail: typeof p.detail === 'string' ? p.detail : undefined,
    fieldErrors,
  });
}

/** The message to show a person for any error a call may throw. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.detail || err.title;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}

let csrfToken = '';

/** Remembers the CSRF token of the latest Session seen; sent on every write. */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function getCsrfToken(): string {
  return csrfToken;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Operations whose successful answer is a Session (and so carries a fresh CSRF token).
const SESSION_PATHS = new Set(['/session', '/session/tenant', '/auth/login', '/invitations/{token}/accept']);

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method) && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
  async onResponse({ response, schemaPath, request }) {
    if (!response.ok) return undefined;
    if (SESSION_PATHS.has(schemaPath)) {
      const body = (await readBody(response.clone())) as Partial<Session> | undefined;
      if (body && typeof body.csrf_token === 'string') setCsrfToken(body.csrf_token);
    } else if (schemaPath === '/auth/logout' && request.method === 'POST') {
      setCsrfToken('');
    }
    return undefined;
  },
};

const problemMiddleware: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined;
    throw parseProblem(response.status, await readBody(response));
  },
};

// Absolute so that Request() accepts it outside a browser too (tests run in jsdom on Node).
const baseUrl = new URL('/api/v1', globalThis.location?.origin ?? 'http://localhost').toString();

/** The one API client. Failed calls throw ApiError; `data` of a resolved call is the success body. */
export const api = createClient<paths>({
  baseUrl,
  credentials: 'same-origin',
  // Looked up per call so tests can stub the global fetch.
  fetch: (request) => globalThis.fetch(request),
});
// Problem parsing runs after the CSRF bookkeeping (onResponse runs in reverse order).
api.use(problemMiddleware, csrfMiddleware);

/** Narrows an openapi-fetch result to its data; the middleware already threw on errors. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw parseProblem(response.status, error);
  return data as T;
}
