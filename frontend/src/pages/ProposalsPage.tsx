import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import type { Proposal } from '../api/client';
import { agentsQuery } from '../api/agents';
import { proposalPageQuery } from '../api/proposals';
import { Pager } from '../components/Pager';
import { Empty, ErrorState, Loading } from '../components/states';
import { pageTitle, secondaryButton } from '../components/styles';
import { useSearchParamsState } from '../components/useSearchParamsState';
import { useCan } from '../features/auth/session';
import { filtersFromParams, isFiltered, PAGE_SIZE, proposalQueryFor, withFilter, withOffset, type ProposalFilters } from '../features/proposals/filters';
import { ProposalDrawer } from '../features/proposals/ProposalDrawer';
import { ProposalFilterBar, type AgentOption } from '../features/proposals/ProposalFilterBar';
import { ProposalTable } from '../features/proposals/ProposalTable';

/** Every agent's proposals: filters in the URL, server-side paging, refreshed every 10 s; a row opens its detail. */
export function ProposalsPage() {
  const [params, setParams] = useSearchParamsState();
  const filters = filtersFromParams(params);
  const page = useQuery(proposalPageQuery(proposalQueryFor(filters)));
  const agents = useAgentOptions(page.data?.proposals);
  const search = params.toString();
  const proposals = page.data?.proposals ?? [];

  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h1 className={pageTitle}>Proposals</h1>
        <p className="text-sm text-gray-600">
          Every change agents proposed, the route the policy engine chose and why. Refreshes every 10 seconds.
        </p>
      </div>
      <ProposalFilterBar
        filters={filters}
        agents={agents}
        onChange={(key, value) => setParams((p) => withFilter(p, key, value))}
        onClear={isFiltered(filters) ? () => setParams(() => new URLSearchParams()) : undefined}
      />
      {page.isPending ? (
        <Loading label="Loading proposals…" />
      ) : page.error && !page.data ? (
        <ErrorState error={page.error} title="Could not load the proposals" onRetry={() => void page.refetch()} />
      ) : (
        <div className="space-y-3">
          {page.error && <ErrorState error={page.error} title="Could not refresh the proposals" onRetry={() => void page.refetch()} />}
          {proposals.length === 0 ? (
            <NoProposals filters={filters} total={page.data!.total} onFirstPage={() => setParams((p) => withOffset(p, 0))} />
          ) : (
            <>
              <Pager offset={filters.offset} pageSize={PAGE_SIZE} count={proposals.length} total={page.data!.total} busy={page.isPlaceholderData} onOffset={(o) => setParams((p) => withOffset(p, o))} />
              <div className={page.isPlaceholderData ? 'opacity-60 transition-opacity' : undefined}>
                <ProposalTable proposals={proposals} detailHref={(id) => `/proposals/${id}${search ? `?${search}` : ''}`} />
              </div>
              {proposals.length > 20 && (
                <Pager offset={filters.offset} pageSize={PAGE_SIZE} count={proposals.length} total={page.data!.total} buttonsOnly onOffset={(o) => setParams((p) => withOffset(p, o))} />
              )}
            </>
          )}
        </div>
      )}
      <Outlet />
    </div>
  );
}

/** The detail drawer of /proposals/:proposalId; closing it returns to the list with its filters. */
export function ProposalDetailRoute() {
  const { proposalId = '' } = useParams();
  const { search } = useLocation();
  const navigate = useNavigate();
  return <ProposalDrawer key={proposalId} proposalId={proposalId} onClose={() => void navigate(`/proposals${search}`)} />;
}

/**
 * The Agent filter's choices: every agent for those who may list them, else
 * the agents seen on this page (reviewers see proposals but not agents).
 */
function useAgentOptions(proposals: readonly Proposal[] | undefined): AgentOption[] {
  const canList = useCan('agents.read');
  const listed = useQuery({ ...agentsQuery(), enabled: canList });
  if (canList && listed.data) return listed.data.map((a) => ({ id: a.id, name: a.name }));
  const seen = new Map<string, string>();
  for (const p of proposals ?? []) seen.set(p.agent_id, p.agent_name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}

function NoProposals({ filters, total, onFirstPage }: { filters: ProposalFilters; total: number; onFirstPage: () => void }) {
  if (total > 0) {
    return (
      <Empty>
        No proposals on this page.{' '}
        <button type="button" className={`${secondaryButton} ml-2`} onClick={onFirstPage}>
          Go to the first page
        </button>
      </Empty>
    );
  }
  if (isFiltered(filters)) return <Empty>No proposals match these filters.</Empty>;
  return (
    <Empty>
      No proposals yet — agents submit them through the agent API.{' '}
      <Link to="/docs/agent-api" className="font-medium text-accent-700 hover:underline">
        Read the agent API docs
      </Link>
    </Empty>
  );
}
