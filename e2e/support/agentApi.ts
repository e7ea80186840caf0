import { expect, type APIRequestContext, type APIResponse, type PlaywrightWorkerArgs } from '@playwright/test';

/** Where the agent API lives, under the console's origin. */
export const AGENT_API = '/api/agent/v1';

export interface AgentRecord {
  id: string;
  values: Record<string, unknown>;
}

export interface AgentField {
  object: string;
  name: string;
  type: string;
  options: { value: string; label: string }[];
  mode: string;
}

export interface Evidence {
  url: string;
  title?: string;
  excerpt?: string;
}

export interface ProposalItem {
  object: string;
  record_id: string;
  field: string;
  operation?: 'set' | 'clear' | 'append';
  expected_old?: unknown;
  proposed?: unknown;
  confidence: number;
  rationale?: string;
  evidence?: Evidence[];
  run_id?: string;
  idempotency_key?: string;
}

export type ProposalResult =
  | { index: number; id: string; status: string; route: string; reasons: string[]; error?: undefined }
  | { index: number; error: { code: string; field: string; message: string }; id?: undefined };

export interface FeedbackEvent {
  cursor: string;
  proposal_id: string;
  outcome: string;
  at: string;
  detail: Record<string, unknown>;
}

/**
 * A test agent: an API client with no cookies (no console session) that
 * authenticates with its bearer key only, as a real agent would.
 */
export class TestAgent {
  private constructor(readonly request: APIRequestContext) {}

  static async connect(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, key: string): Promise<TestAgent> {
    const request = await playwright.request.newContext({
      baseURL,
      storageState: { cookies: [], origins: [] },
      extraHTTPHeaders: { Authorization: `Bearer ${key}` },
    });
    return new TestAgent(request);
  }

  async dispose(): Promise<void> {
    await this.request.dispose();
  }

  private async json<T>(res: APIResponse, what: string): Promise<T> {
    expect(res.status(), `${what}: ${await res.text()}`).toBe(200);
    return (await res.json()) as T;
  }

  async fields(): Promise<AgentField[]> {
    const res = await this.request.get(`${AGENT_API}/fields`);
    return (await this.json<{ fields: AgentField[] }>(res, 'GET /fields')).fields;
  }

  async records(object: string, fields: readonly string[], limit = 100): Promise<AgentRecord[]> {
    const res = await this.request.get(`${AGENT_API}/records/${object}`, { params: { limit, fields: fields.join(',') } });
    return (await this.json<{ records: AgentRecord[] }>(res, `GET /records/${object}`)).records;
  }

  async propose(proposals: readonly ProposalItem[]): Promise<ProposalResult[]> {
    const res = await this.request.post(`${AGENT_API}/proposals`, { data: { proposals } });
    return (await this.json<{ results: ProposalResult[] }>(res, 'POST /proposals')).results;
  }

  /** Every feedback event from the beginning, following the cursor. */
  async feedback(): Promise<FeedbackEvent[]> {
    const events: FeedbackEvent[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await this.request.get(`${AGENT_API}/feedback`, { params: after ? { after, limit: 500 } : { limit: 500 } });
      const body = await this.json<{ events: FeedbackEvent[]; next: string }>(res, 'GET /feedback');
      events.push(...body.events);
      if (body.events.length === 0 || body.next === after) break;
      after = body.next;
    }
    return events;
  }
}
