// Query factory and mutation of alerts (velocity breakers and the like).
import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, unwrap, type Alert } from './client';

export const alertKeys = {
  open: ['alerts', 'open'] as const,
};

/** How often the header polls for alerts. */
export const ALERT_POLL_MS = 15_000;

/** Open alerts, newest first, polled so a tripped breaker shows up without a reload. */
export const alertsQuery = () =>
  queryOptions({
    queryKey: alertKeys.open,
    queryFn: async () => (await unwrap(api.GET('/alerts'))).alerts,
    refetchInterval: ALERT_POLL_MS,
  });

/** The agent an alert is about, when it names one (velocity breakers do). */
export function alertAgent(alert: Alert): { id: string; name: string } | null {
  const { agent_id: id, agent: name } = alert.detail;
  return typeof id === 'string' && id ? { id, name: typeof name === 'string' && name ? name : 'this agent' } : null;
}

const acknowledge = (alertId: string) =>
  unwrap(api.POST('/alerts/{alertId}/acknowledge', { params: { path: { alertId } } }));

export function useAcknowledgeAlert() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: acknowledge,
    onSuccess: (_v, alertId) => {
      // Gone at once, without waiting for the next poll.
      qc.setQueryData<Alert[]>(alertKeys.open, (list) => list?.filter((a) => a.id !== alertId));
      return qc.invalidateQueries({ queryKey: alertKeys.open });
    },
  });
}

/** Acknowledges the open breaker alerts of an agent whose breaker was just reset. */
export async function acknowledgeBreakerAlerts(qc: QueryClient, agentId: string): Promise<void> {
  const open = qc.getQueryData<Alert[]>(alertKeys.open) ?? [];
  const mine = open.filter((a) => a.kind === 'velocity_breaker' && alertAgent(a)?.id === agentId);
  // Best effort: the breaker is reset either way, and the bell still offers Acknowledge.
  await Promise.allSettled(mine.map((a) => acknowledge(a.id)));
  await qc.invalidateQueries({ queryKey: alertKeys.open });
}
