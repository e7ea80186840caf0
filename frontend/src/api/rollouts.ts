// Query factories and calls of canary rollouts and the insights read model.
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type RolloutInput, type RolloutStageInput, type RolloutUpdate, type WhatIfInput } from './client';

export const rolloutKeys = {
  all: ['rollouts'] as const,
  list: ['rollouts', 'list'] as const,
  detail: (id: string) => ['rollouts', 'detail', id] as const,
  insights: ['insights'] as const,
  overview: (days: number) => ['insights', 'overview', days] as const,
  calibration: (agent: string, field: string, target: number) => ['insights', 'calibration', agent, field, target] as const,
};

/** The guardrail looks every 30 s: the list follows it. */
export const ROLLOUT_POLL_MS = 15_000;

export const rolloutsQuery = () =>
  queryOptions({
    queryKey: rolloutKeys.list,
    queryFn: async () => (await unwrap(api.GET('/rollouts'))).items,
    refetchInterval: ROLLOUT_POLL_MS,
  });

export const rolloutQuery = (id: string) =>
  queryOptions({
    queryKey: rolloutKeys.detail(id),
    queryFn: () => unwrap(api.GET('/rollouts/{rolloutId}', { params: { path: { rolloutId: id } } })),
    refetchInterval: ROLLOUT_POLL_MS,
  });

export function useCreateRollout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RolloutInput) => unwrap(api.POST('/rollouts', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKeys.all }),
  });
}

export function useSetStage(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RolloutStageInput) => unwrap(api.POST('/rollouts/{rolloutId}/stage', { params: { path: { rolloutId: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKeys.all }),
  });
}

export function useUpdateRollout(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RolloutUpdate) => unwrap(api.PATCH('/rollouts/{rolloutId}', { params: { path: { rolloutId: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: rolloutKeys.all }),
  });
}

export const insightsQuery = (days: number) =>
  queryOptions({
    queryKey: rolloutKeys.overview(days),
    queryFn: () => unwrap(api.GET('/insights/overview', { params: { query: { days } } })),
  });

export const calibrationQuery = (agent: string, field: string, target: number) =>
  queryOptions({
    queryKey: rolloutKeys.calibration(agent, field, target),
    queryFn: () => unwrap(api.GET('/insights/calibration', { params: { query: { agent, field, target } } })),
    enabled: agent !== '' && field !== '',
  });

/** Folds the latest outcomes now; every insight on screen is read again. */
export function useRefreshInsights() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/insights/refresh')),
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: rolloutKeys.all }), qc.invalidateQueries({ queryKey: rolloutKeys.insights })]),
  });
}

export function useWhatIf() {
  return useMutation({ mutationFn: (body: WhatIfInput) => unwrap(api.POST('/insights/what-if', { body })) });
}

/** "2.5 %" from a rate; more decimals under 1 %. */
export function pct(rate: number): string {
  const v = rate * 100;
  return `${v < 1 && v > 0 ? v.toFixed(2) : v.toFixed(1)} %`;
}

/** A share of records in basis points, as people say it: "5 %". */
export function bpsLabel(bps: number): string {
  const v = bps / 100;
  return `${Number.isInteger(v) ? v : v.toFixed(2)} %`;
}
