// Query factories and calls of the change log, its chain verification and rollbacks.
import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap, type BulkRollback, type ChangeQuery, type RollbackFilter, type RollbackRequest } from './client';

export const changeKeys = {
  all: ['changes'] as const,
  lists: ['changes', 'list'] as const,
  list: (query: ChangeQuery) => ['changes', 'list', query] as const,
  verify: ['changes', 'verify'] as const,
  publicKey: ['changes', 'public-key'] as const,
  rollbackList: ['rollbacks', 'list'] as const,
  rollback: (id: string) => ['rollbacks', 'detail', id] as const,
};

export const CHANGE_PAGE_SIZE = 50;

/** How often a running bulk rollback is asked for its progress. */
export const ROLLBACK_POLL_MS = 1_000;

/** How often the list of bulk rollbacks is read again while one of them runs. */
export const ROLLBACK_LIST_POLL_MS = 2_000;

/** The change log newest first; each further page starts before the last seq seen (keyset paging). */
export const changesQuery = (query: Omit<ChangeQuery, 'before' | 'limit'>) =>
  infiniteQueryOptions({
    queryKey: changeKeys.list(query),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/changes', { params: { query: { ...query, limit: CHANGE_PAGE_SIZE, before: pageParam } } })),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (page) => page.next ?? undefined,
  });

/** Walks the whole chain on the server: only when asked, never in the background. */
export const verifyQuery = () =>
  queryOptions({
    queryKey: changeKeys.verify,
    queryFn: () => unwrap(api.GET('/changes/verify')),
    enabled: false,
    staleTime: Infinity,
  });

export const publicKeyQuery = () =>
  queryOptions({
    queryKey: changeKeys.publicKey,
    queryFn: () => unwrap(api.GET('/changes/public-key')),
    staleTime: Infinity,
  });

/** Whether a bulk rollback is still going (neither done nor failed). */
export const rollbackRunning = (b: Pick<BulkRollback, 'state'>) => b.state === 'running';

const isRunning = (b: BulkRollback | undefined) => !b || rollbackRunning(b);

/** A bulk rollback, polled every second until it is done or failed. */
export const rollbackQuery = (id: string) =>
  queryOptions({
    queryKey: changeKeys.rollback(id),
    queryFn: () => unwrap(api.GET('/rollbacks/{rollbackId}', { params: { path: { rollbackId: id } } })),
    refetchInterval: (q) => (isRunning(q.state.data) ? ROLLBACK_POLL_MS : false),
  });

/**
 * The recent bulk rollbacks (newest first, at most 50), read again every two
 * seconds while any of them runs and left alone once none does.
 */
export const rollbacksQuery = () =>
  queryOptions({
    queryKey: changeKeys.rollbackList,
    queryFn: async () => (await unwrap(api.GET('/rollbacks'))).items,
    refetchInterval: (q) => (q.state.data?.some(rollbackRunning) ? ROLLBACK_LIST_POLL_MS : false),
  });

/**
 * Rolls one change back. A conflict is an answer, not an error: nothing was
 * written and the caller re-sends with a resolution. Any outcome that wrote
 * to the log (reverted, kept_current) leaves the list stale.
 */
export function useRollbackChange(changeId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RollbackRequest) =>
      unwrap(api.POST('/changes/{changeId}/rollback', { params: { path: { changeId } }, body })),
    onSuccess: (result) => (result.event ? qc.invalidateQueries({ queryKey: changeKeys.lists }) : undefined),
    // already_reverted or is_rollback: the row on screen is out of date.
    onError: (err) => (err instanceof ApiError && err.status === 409 ? qc.invalidateQueries({ queryKey: changeKeys.lists }) : undefined),
  });
}

/** Counts what a bulk rollback of the filter would undo, and the conflicts among the first changes. */
export function usePreviewRollback() {
  return useMutation({
    mutationFn: (filter: RollbackFilter) => unwrap(api.POST('/rollbacks', { body: { filter, preview: true } })),
  });
}

/**
 * Starts a bulk rollback; its first state is cached so polling picks up from
 * it, and the list of rollbacks is read again so the page shows it too.
 */
export function useStartRollback() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { filter: RollbackFilter; reason?: string }) =>
      unwrap(api.POST('/rollbacks', { body: { ...body, preview: false } })),
    onSuccess: (answer) => {
      if (answer.rollback) qc.setQueryData(changeKeys.rollback(answer.rollback.id), answer.rollback);
      // not awaited: the dialog follows the run without waiting for the list
      void qc.invalidateQueries({ queryKey: changeKeys.rollbackList });
    },
  });
}

/** Sends a failed write back for another attempt (the CRM is read first, so a write that happened is not repeated). */
export function useRetryApply(proposalId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/proposals/{proposalId}/retry', { params: { path: { proposalId } } })),
    onSettled: () => qc.invalidateQueries({ queryKey: ['proposals'] }),
  });
}
