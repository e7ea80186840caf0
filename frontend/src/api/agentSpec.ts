// The agent API's OpenAPI document, served by the backend for the docs page.
import { queryOptions } from '@tanstack/react-query';
import { parseProblem } from './client';
import type { OpenApiDoc } from '../features/apidocs/openapi';

/** Where the server publishes the agent API's spec (outside /api/v1, so not through the console client). */
export const AGENT_SPEC_PATH = '/api/agent/openapi.json';

export const agentSpecQuery = () =>
  queryOptions({
    queryKey: ['agent-spec'] as const,
    queryFn: async (): Promise<OpenApiDoc> => {
      const url = new URL(AGENT_SPEC_PATH, globalThis.location?.origin ?? 'http://localhost');
      const res = await globalThis.fetch(new Request(url, { credentials: 'same-origin' }));
      const body: unknown = await res.json().catch(() => undefined);
      if (!res.ok) throw parseProblem(res.status, body);
      return body as OpenApiDoc;
    },
    staleTime: Infinity,
  });
