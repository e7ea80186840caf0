// Query factories and mutations of the CRM catalog: connections, sync runs,
// fields and their policies.
import { keepPreviousData, queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  api,
  unwrap,
  type BulkPolicyRequest,
  type CreateConnectionRequest,
  type FieldQuery,
  type PolicyInput,
  type SyncRun,
  type UpdateConnectionRequest,
} from './client';

/** Query keys of the catalog; the first element names the resource. */
export const catalogKeys = {
  connections: ['connections'] as const,
  connection: (id: string) => ['connections', id] as const,
  syncRuns: (connectionId: string) => ['connections', connectionId, 'syncs'] as const,
  syncRun: (id: string) => ['sync-run', id] as const,
  fields: ['fields'] as const,
  fieldPage: (query: FieldQuery) => ['fields', 'page', query] as const,
  field: (id: string) => ['fields', 'detail', id] as const,
};

/** How often a running sync is polled. */
export const SYNC_POLL_MS = 1000;

export const isRunActive = (run: Pick<SyncRun, 'status'>) => run.status === 'queued' || run.status === 'running';

export const connectionsQuery = () =>
  queryOptions({
    queryKey: catalogKeys.connections,
    queryFn: async () => (await unwrap(api.GET('/connections'))).connections,
  });

export const connectionQuery = (id: string) =>
  queryOptions({
    queryKey: catalogKeys.connection(id),
    queryFn: () => unwrap(api.GET('/connections/{connectionId}', { params: { path: { connectionId: id } } })),
  });

export const syncRunsQuery = (connectionId: string) =>
  queryOptions({
    queryKey: catalogKeys.syncRuns(connectionId),
    queryFn: async () =>
      (await unwrap(api.GET('/connections/{connectionId}/syncs', { params: { path: { connectionId } } }))).runs,
  });

/** A sync run, polled every second while it is queued or running. */
export const syncRunQuery = (id: string) =>
  queryOptions({
    queryKey: catalogKeys.syncRun(id),
    queryFn: () => unwrap(api.GET('/sync-runs/{runId}', { params: { path: { runId: id } } })),
    refetchInterval: (q) => (q.state.data && !isRunActive(q.state.data) ? false : SYNC_POLL_MS),
  });

/** One page of the field catalog; the previous page stays on screen while the next loads. */
export const fieldPageQuery = (query: FieldQuery) =>
  queryOptions({
    queryKey: catalogKeys.fieldPage(query),
    queryFn: () => unwrap(api.GET('/fields', { params: { query } })),
    placeholderData: keepPreviousData,
  });

export const fieldQuery = (id: string) =>
  queryOptions({
    queryKey: catalogKeys.field(id),
    queryFn: () => unwrap(api.GET('/fields/{fieldId}', { params: { path: { fieldId: id } } })),
  });

/** The catalog's fields change: every list, detail and connection count may be stale. */
function invalidatePolicies(qc: QueryClient) {
  return Promise.all([
    qc.invalidateQueries({ queryKey: catalogKeys.fields }),
    qc.invalidateQueries({ queryKey: catalogKeys.connections }),
  ]);
}

export function useCreateConnection() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateConnectionRequest) => unwrap(api.POST('/connections', { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: catalogKeys.connections }),
  });
}

export function useUpdateConnection(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateConnectionRequest) =>
      unwrap(api.PATCH('/connections/{connectionId}', { params: { path: { connectionId: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: catalogKeys.connections }),
  });
}

export function useTestConnection(id: string) {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/connections/{connectionId}/test', { params: { path: { connectionId: id } } })),
  });
}

export function useStartSync(connectionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST('/connections/{connectionId}/syncs', { params: { path: { connectionId } } })),
    onSuccess: (run) => {
      qc.setQueryData(catalogKeys.syncRun(run.id), run);
      return qc.invalidateQueries({ queryKey: catalogKeys.syncRuns(connectionId) });
    },
  });
}

export function useUpdatePolicy(fieldId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PolicyInput) =>
      unwrap(api.PUT('/fields/{fieldId}/policy', { params: { path: { fieldId } }, body })),
    onSuccess: () => invalidatePolicies(qc),
  });
}

export function useBulkUpdatePolicies() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkPolicyRequest) => unwrap(api.POST('/fields/bulk-policy', { body })),
    onSuccess: () => invalidatePolicies(qc),
  });
}

export function useExportPolicies() {
  return useMutation({
    mutationFn: (connectionId?: string) =>
      unwrap(api.GET('/policies/export', { params: { query: { connection_id: connectionId } } })),
  });
}

export function useImportPolicies() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { yaml: string; dry_run: boolean }) => unwrap(api.POST('/policies/import', { body })),
    onSuccess: (result) => (result.applied ? invalidatePolicies(qc) : undefined),
  });
}
