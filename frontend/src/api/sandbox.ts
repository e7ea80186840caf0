// Query factories and mutations of the built-in sandbox CRM.
import { infiniteQueryOptions, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from './client';

const RECORD_PAGE_SIZE = 50;
/** The most fields one object may show in the record editor (the API's page maximum). */
const OBJECT_FIELD_LIMIT = 500;

export const sandboxKeys = {
  records: (connectionId: string, object: string, q: string) => ['sandbox-records', connectionId, object, q] as const,
  allRecords: (connectionId: string, object: string) => ['sandbox-records', connectionId, object] as const,
  record: (connectionId: string, object: string, id: string) => ['sandbox-record', connectionId, object, id] as const,
  objectFields: (connectionId: string, object: string) => ['fields', 'object', connectionId, object] as const,
};

export const sandboxRecordsQuery = (connectionId: string, object: string, q: string) =>
  infiniteQueryOptions({
    queryKey: sandboxKeys.records(connectionId, object, q),
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/sandbox/{connectionId}/records/{object}', {
          params: { path: { connectionId, object }, query: { q: q || undefined, limit: RECORD_PAGE_SIZE, after: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next || undefined,
  });

export const sandboxRecordQuery = (connectionId: string, object: string, id: string) =>
  queryOptions({
    queryKey: sandboxKeys.record(connectionId, object, id),
    queryFn: () =>
      unwrap(
        api.GET('/sandbox/{connectionId}/records/{object}/{recordId}', {
          params: { path: { connectionId, object, recordId: id } },
        }),
      ),
  });

/** The catalog's fields of one object: labels, types and options for the record editor. */
export const objectFieldsQuery = (connectionId: string, object: string) =>
  queryOptions({
    queryKey: sandboxKeys.objectFields(connectionId, object),
    queryFn: async () =>
      (
        await unwrap(
          api.GET('/fields', {
            params: { query: { connection_id: connectionId, object, sort: 'label', limit: OBJECT_FIELD_LIMIT } },
          }),
        )
      ).fields,
    staleTime: 60_000,
  });

export function useEditSandboxRecord(connectionId: string, object: string, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (values: Record<string, unknown>) =>
      unwrap(
        api.PATCH('/sandbox/{connectionId}/records/{object}/{recordId}', {
          params: { path: { connectionId, object, recordId: id } },
          body: { values },
        }),
      ),
    onSuccess: (record) => {
      qc.setQueryData(sandboxKeys.record(connectionId, object, id), record);
      return qc.invalidateQueries({ queryKey: sandboxKeys.allRecords(connectionId, object) });
    },
  });
}
