import { useInfiniteQuery } from '@tanstack/react-query';
import type { AuditEntry } from '../../api/client';
import { auditQuery } from '../../api/queries';
import { formatDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { cell, Table } from '../../components/Table';
import { secondaryButton } from '../../components/styles';
import { detailLines } from './detail';

/** The tenant's admin audit trail, newest first, paged with "Load more". */
export function AuditTrail() {
  const { data, error, isPending, refetch, hasNextPage, fetchNextPage, isFetchingNextPage, isFetchNextPageError } =
    useInfiniteQuery(auditQuery());

  if (isPending) return <Loading label="Loading audit trail…" />;
  if (error && !data) return <ErrorState error={error} title="Could not load the audit trail" onRetry={() => void refetch()} />;

  const entries = data.pages.flatMap((p) => p.entries);
  if (entries.length === 0) return <Empty>No audit entries yet.</Empty>;
  return (
    <div className="space-y-3">
      <Table caption="Admin audit trail" headers={['Time', 'Actor', 'Action', 'Target', 'Detail']}>
        {entries.map((e) => (
          <AuditRow key={e.seq} entry={e} />
        ))}
      </Table>
      {isFetchNextPageError && <ErrorState error={error} title="Could not load more entries" />}
      {hasNextPage && (
        <button type="button" className={secondaryButton} disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  return (
    <tr>
      <td className={`${cell} whitespace-nowrap`}>
        <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
      </td>
      <td className={cell}>{entry.actor_email || <span className="text-gray-500">system</span>}</td>
      <td className={`${cell} font-mono text-xs`}>{entry.action}</td>
      <td className={cell}>{entry.target}</td>
      <td className={cell}>
        <AuditDetail detail={entry.detail} />
      </td>
    </tr>
  );
}

function AuditDetail({ detail }: { detail: Record<string, unknown> }) {
  const lines = detailLines(detail);
  if (lines.length === 0) return <span className="text-gray-400">—</span>;
  return (
    <dl className="space-y-0.5 text-xs">
      {lines.map((l) => (
        <div key={l.label} className="flex gap-1.5">
          <dt className="text-gray-500">{l.label}:</dt>
          <dd className="text-gray-800">
            {l.value !== undefined ? (
              l.value
            ) : (
              <>
                <span className="text-gray-500 line-through decoration-gray-400">{l.before}</span>
                <span aria-hidden className="px-1 text-gray-400">→</span>
                <span className="sr-only"> changed to </span>
                <span>{l.after}</span>
              </>
            )}
          </dd>
        </div>
      ))}
    </dl>
  );
}
