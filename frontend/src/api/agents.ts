// Query factories and mutations of agents, their keys and velocity breakers.
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { acknowledgeBreakerAlerts } from './alerts';
import { api, unwrap, type AgentInput } from './client';

/** Query keys of agents; the first element names the resource. */
export const agentKeys = {
  agents: ['agents'] as const,
  agent: (id: string) => ['agents', id] as const,
};

/** How often an agent's page refreshes its activity and breaker state. */
export const AGENT_POLL_MS = 15_000;

export const agentsQuery = () =>
  queryOptions({
    queryKey: agentKeys.agents,
    queryFn: async () => (await unwrap(api.GET('/agents'))).agents,
  });

export const agentQuery = (id: string) =>
  queryOptions({
    queryKey: agentKeys.agent(id),
    queryFn: () => unwrap(api.GET('/agents/{agentId}', { params: { path: { agentId: id } } })),
    refetchInterval: AGENT_POLL_MS,
  });

const path = (agentId: string) => ({ params: { path: { agentId } } });

export function useCreateAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentInput) => unwrap(api.POST('/agents', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: agentKeys.agents }),
  });
}

/** Changes an agent; every list and detail of agents may be stale afterwards. */
export function useUpdateAgent(agentId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentInput) => unwrap(api.PATCH('/agents/{agentId}', { ...path(agentId), body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: agentKeys.agents }),
  });
}

/**
 * Issues a key. The answer holds the secret: it is never put in the query
 * cache, and callers reset the mutation once the secret has been shown.
 */
export function useCreateAgentKey(agentId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.POST('/agents/{agentId}/keys', { ...path(agentId), body: name ? { name } : {} })),
    onSuccess: () => qc.invalidateQueries({ queryKey: agentKeys.agents }),
  });
}

export function useRevokeAgentKey(agentId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.DELETE('/agents/{agentId}/keys/{keyId}', { params: { path: { agentId, keyId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: agentKeys.agents }),
  });
}

export function useResetBreaker(agentId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/agents/{agentId}/breaker/reset', path(agentId))),
    // The server leaves the breaker's alert open; whoever reset it has seen it.
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: agentKeys.agents }), acknowledgeBreakerAlerts(qc, agentId)]),
  });
}
