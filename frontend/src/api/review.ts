// Query factories and calls of the review queues.
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap, type BulkReviewRequest, type DecisionRequest, type ReviewQueueInput } from './client';

export const reviewKeys = {
  all: ['review'] as const,
  held: ['review', 'held'] as const,
  item: (id: string) => ['review', 'item', id] as const,
  queues: ['review', 'queues'] as const,
  reasons: ['review', 'reasons'] as const,
  metrics: ['review', 'metrics'] as const,
  timeline: (object: string, recordId: string) => ['review', 'timeline', object, recordId] as const,
};

/** The items the reviewer holds now, in priority order; refreshed every 30 s (an agent may supersede one, the clock expire it). */
export const heldQuery = () =>
  queryOptions({
    queryKey: reviewKeys.held,
    queryFn: async () => (await unwrap(api.GET('/review/claims'))).items,
    refetchInterval: 30_000,
  });

/** One item with the CRM's value read now; kept fresh for a minute (prefetched for the next items). */
export const reviewItemQuery = (id: string) =>
  queryOptions({
    queryKey: reviewKeys.item(id),
    queryFn: () => unwrap(api.GET('/review/items/{itemId}', { params: { path: { itemId: id } } })),
    staleTime: 60_000,
  });

export const queuesQuery = () =>
  queryOptions({ queryKey: reviewKeys.queues, queryFn: async () => (await unwrap(api.GET('/review/queues'))).queues });

export const reasonCodesQuery = () =>
  queryOptions({
    queryKey: reviewKeys.reasons,
    queryFn: async () => (await unwrap(api.GET('/review/reason-codes'))).reason_codes,
    staleTime: 5 * 60_000,
  });

/** Queue and reviewer numbers, refreshed every 30 s. */
export const reviewMetricsQuery = () =>
  queryOptions({ queryKey: reviewKeys.metrics, queryFn: () => unwrap(api.GET('/review/metrics')), refetchInterval: 30_000 });

export const timelineQuery = (object: string, recordId: string) =>
  queryOptions({
    queryKey: reviewKeys.timeline(object, recordId),
    queryFn: async () =>
      (await unwrap(api.GET('/records/{object}/{recordId}/timeline', { params: { path: { object, recordId } } }))).entries,
  });

/** Leases the next items (held ones are renewed and come first). */
export const claimItems = (body: { queue_id?: string; count?: number }) => unwrap(api.POST('/review/claims', { body }));

export const releaseClaims = (itemIds?: string[]) =>
  unwrap(api.POST('/review/claims/release', { body: itemIds ? { item_ids: itemIds } : {} }));

export const decideItem = (itemId: string, body: DecisionRequest) =>
  unwrap(api.POST('/review/items/{itemId}/decisions', { params: { path: { itemId } }, body }));

export const undoDecision = (itemId: string) =>
  unwrap(api.POST('/review/items/{itemId}/undo', { params: { path: { itemId } } }));

export const bulkReview = (body: BulkReviewRequest) => unwrap(api.POST('/review/bulk', { body }));

export const createQueue = (body: ReviewQueueInput) => unwrap(api.POST('/review/queues', { body }));

export const updateQueue = (queueId: string, body: ReviewQueueInput) =>
  unwrap(api.PATCH('/review/queues/{queueId}', { params: { path: { queueId } }, body }));

export const setReasonCodes = (codes: { code: string; label: string }[]) =>
  unwrap(api.PUT('/review/reason-codes', { body: { reason_codes: codes } }));
