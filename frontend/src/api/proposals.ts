// Query factories of agents' proposals.
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, unwrap, type ProposalQuery } from './client';

export const proposalKeys = {
  all: ['proposals'] as const,
  page: (query: ProposalQuery) => ['proposals', 'page', query] as const,
  detail: (id: string) => ['proposals', 'detail', id] as const,
};

/** Proposals keep arriving while agents run: the page refreshes itself this often. */
export const PROPOSAL_POLL_MS = 10_000;

/** One page of proposals; the previous page stays on screen while the next loads. */
export const proposalPageQuery = (query: ProposalQuery) =>
  queryOptions({
    queryKey: proposalKeys.page(query),
    queryFn: () => unwrap(api.GET('/proposals', { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval: PROPOSAL_POLL_MS,
  });

/** A proposal with its status history; refreshed while open, as its status moves on. */
export const proposalQuery = (id: string) =>
  queryOptions({
    queryKey: proposalKeys.detail(id),
    queryFn: () => unwrap(api.GET('/proposals/{proposalId}', { params: { path: { proposalId: id } } })),
    refetchInterval: PROPOSAL_POLL_MS,
  });
