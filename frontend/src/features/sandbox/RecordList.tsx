import { useInfiniteQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { sandboxRecordsQuery } from '../../api/sandbox';
import { Empty, ErrorState, Loading } from '../../components/states';
import { secondaryButton } from '../../components/styles';
import { recordTitle } from './recordValues';

interface Props {
  connectionId: string;
  object: string;
  q: string;
  selectedId: string | null;
  /** The link that opens a record. */
  recordHref: (id: string) => string;
}

/** A page of sandbox records, with "Load more" following the API's cursor. */
export function RecordList({ connectionId, object, q, selectedId, recordHref }: Props) {
  const { data, error, isPending, refetch, hasNextPage, fetchNextPage, isFetchingNextPage, isFetchNextPageError } = useInfiniteQuery(
    sandboxRecordsQuery(connectionId, object, q),
  );
  if (isPending) return <Loading label="Loading records…" />;
  if (error && !data) return <ErrorState error={error} title="Could not load the records" onRetry={() => void refetch()} />;

  const records = data.pages.flatMap((p) => p.records);
  if (records.length === 0) return <Empty>{q ? 'No records match this search.' : `No ${object} in the sandbox yet.`}</Empty>;
  return (
    <div className="space-y-3">
      <ul aria-label={`${object} records`} className="max-h-[calc(100vh-20rem)] min-h-64 divide-y divide-gray-100 overflow-y-auto rounded-lg border border-gray-200 bg-white shadow-sm">
        {records.map((r) => (
          <li key={r.id}>
            <Link
              to={recordHref(r.id)}
              aria-current={r.id === selectedId ? 'true' : undefined}
              className={`block px-3 py-2 text-sm hover:bg-gray-50 ${r.id === selectedId ? 'bg-accent-50 text-accent-700' : 'text-gray-900'}`}
            >
              <span className="block truncate font-medium">{recordTitle(r.values, r.id)}</span>
              <span className="block truncate font-mono text-xs text-gray-500">{r.id}</span>
            </Link>
          </li>
        ))}
      </ul>
      {isFetchNextPageError && <ErrorState error={error} title="Could not load more records" />}
      {hasNextPage && (
        <button type="button" className={secondaryButton} disabled={isFetchingNextPage} onClick={() => void fetchNextPage()}>
          {isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
