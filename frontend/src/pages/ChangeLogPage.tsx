import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { changesQuery } from '../api/changes';
import type { ChangeEvent } from '../api/client';
import { Empty, ErrorState, Loading, Success } from '../components/states';
import { pageTitle, secondaryButton } from '../components/styles';
import { useSearchParamsState } from '../components/useSearchParamsState';
import { useCan } from '../features/auth/session';
import { BulkRollbackDialog } from '../features/changes/BulkRollbackDialog';
import { BulkRollbackList } from '../features/changes/BulkRollbackList';
import { ChangeFilterBar } from '../features/changes/ChangeFilterBar';
import { ChangeTable } from '../features/changes/ChangeTable';
import { apiFilterFor, filtersFromParams, isFiltered, withFilter } from '../features/changes/filters';
import { RollbackDialog } from '../features/changes/RollbackDialog';
import { useAgentOptions } from '../features/changes/useAgentOptions';
import { VerifyChain } from '../features/changes/VerifyChain';

/** Every value written to the CRM, newest first: filters in the URL, keyset paging, verification, rollbacks and the bulk rollbacks under way or done. */
export function ChangeLogPage() {
  const [params, setParams] = useSearchParamsState();
  const filters = filtersFromParams(params);
  const changes = useInfiniteQuery(changesQuery(apiFilterFor(filters)));
  const events = changes.data?.pages.flatMap((p) => p.items) ?? [];
  const agents = useAgentOptions(events, filters.agent_id);
  const canRollback = useCan('changelog.rollback');
  const canOpenProposals = useCan('proposals.read');
  const [target, setTarget] = useState<ChangeEvent>();
  const [bulk, setBulk] = useState(false);
  const [notice, setNotice] = useState('');
  const openRollback = (e: ChangeEvent) => {
    setNotice('');
    setTarget(e);
  };

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h1 className={pageTitle}>Change log</h1>
          <p className="text-sm text-gray-600">Every value written to the CRM, who wrote it and why, in a hash-chained log that cannot be edited.</p>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          {canRollback && (
            <button type="button" className={secondaryButton} onClick={() => setBulk(true)}>
              Bulk rollback…
            </button>
          )}
          <VerifyChain />
        </div>
      </div>
      <BulkRollbackList agents={agents} />
      <ChangeFilterBar
        filters={filters}
        agents={agents}
        onChange={(key, value) => setParams((p) => withFilter(p, key, value))}
        onClear={isFiltered(filters) ? () => setParams(() => new URLSearchParams()) : undefined}
      />
      {notice && <Success>{notice}</Success>}
      {changes.isPending ? (
        <Loading label="Loading changes…" />
      ) : changes.error && !changes.data ? (
        <ErrorState error={changes.error} title="Could not load the change log" onRetry={() => void changes.refetch()} />
      ) : events.length === 0 ? (
        <Empty>{isFiltered(filters) ? 'No changes match these filters.' : 'No changes yet: approved proposals appear here once they are written to the CRM.'}</Empty>
      ) : (
        <div className="space-y-3">
          <ChangeTable events={events} onRollback={canRollback ? openRollback : undefined} proposalLinks={canOpenProposals} />
          {changes.isFetchNextPageError && <ErrorState error={changes.error} title="Could not load more changes" />}
          {changes.hasNextPage && (
            <button type="button" className={secondaryButton} disabled={changes.isFetchingNextPage} onClick={() => void changes.fetchNextPage()}>
              {changes.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
      {target && (
        <RollbackDialog
          event={target}
          onClose={() => setTarget(undefined)}
          onDone={(message) => {
            setTarget(undefined);
            setNotice(message);
          }}
        />
      )}
      {bulk && <BulkRollbackDialog initial={filters} agents={agents} onClose={() => setBulk(false)} />}
    </div>
  );
}
