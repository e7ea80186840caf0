import { vi } from 'vitest';
import type { Session } from '../api/client';

/** What a handler answers: a body to send as JSON (status 200), or a full Response. */
type Answer = Response | object | undefined;
type Handler = (req: Request, body: unknown) => Answer | Promise<Answer>;

/** A request the fake API received, with its JSON body parsed. */
export interface Seen {
  method: string;
  path: string;
  search: string;
  headers: Headers;
  body: unknown;
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

export function problem(status: number, p: { code: string; title?: string; detail?: string; errors?: { field: string; message: string }[] }): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: p.title ?? 'Error', status, ...p }), {
    status,
    headers: { 'Content-Type': 'application/problem+json' },
  });
}

export const noContent = () => new Response(null, { status: 204 });

/**
 * Replaces global fetch with a fake API: routes are "METHOD /path" under /api/v1
 * (query strings ignored). Unrouted requests answer 404 so a test sees them fail.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const seen: Seen[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const path = url.pathname.replace(/^\/api\/v1/, '');
    const text = await input.text();
    const body = text ? JSON.parse(text) : undefined;
    seen.push({ method: input.method, path, search: url.search, headers: input.headers, body });
    const handler = routes[`${input.method} ${path}`];
    if (!handler) return problem(404, { code: 'not_found', title: `No fake route for ${input.method} ${path}` });
    const answer = await handler(input, body);
    return answer instanceof Response ? answer : answer === undefined ? noContent() : json(answer);
  });
  vi.stubGlobal('fetch', fetch);
  return {
    seen,
    /** The requests sent to one "METHOD /path". */
    calls: (route: string) => seen.filter((s) => `${s.method} ${s.path}` === route),
  };
}

export const ALL_PERMISSIONS = [
  'review.work',
  'fields.read',
  'fields.manage',
  'sandbox.edit',
  'agents.read',
  'agents.manage',
  'proposals.read',
  'changelog.read',
  'changelog.rollback',
  'rollouts.read',
  'rollouts.manage',
  'reports.read',
  'reports.export',
  'audits.work',
  'audit.read',
  'members.read',
  'members.manage',
  'settings.read',
  'settings.manage',
];

const acme = { id: 't1', slug: 'acme', name: 'Acme Corp', roles: ['admin' as const] };

/** A session in tenant Acme Corp; override anything. */
export function makeSession(overrides: Partial<Session> = {}): Session {
  return {
    user: { id: 'u1', email: 'ada@example.com', name: 'Ada Admin' },
    tenants: [acme],
    tenant: acme,
    roles: ['admin'],
    permissions: ALL_PERMISSIONS,
    csrf_token: 'csrf-123',
    ...overrides,
  };
}
