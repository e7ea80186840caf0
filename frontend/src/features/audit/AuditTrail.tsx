import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AuditEntry } from '../../api/client';
import { auditQuery, emptyAuditFilter, type AuditFilter } from '../../api/queries';
import { formatDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { cell, Table } from '../../components/Table';
import { input, secondaryButton } from '../../components/styles';
import { detailLines } from './detail';

/** Actions offered in the filter; the API also accepts a prefix ending in ".". */
const ACTIONS: { value: string; label: string }[] = [
  { value: '', label: 'Any action' },
  { value: 'auth.', label: 'Sign-ins and passwords' },
  { value: 'member.', label: 'Members and invites' },
  { value: 'policy.', label: 'Field policies' },
  { value: 'agent.', label: 'Agents, keys and breakers' },
  { value: 'connection.', label: 'Connections' },
  { value: 'tenant.', label: 'Workspace settings' },
];

/** A yyyy-mm-dd date input as the instant its local day starts (plus days). */
function dayStart(day: string, plusDays = 0): string {
  if (!day) return '';
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

/** The tenant's admin audit trail, newest first, filtered, paged with "Load more". */
export function AuditTrail() {
  const [draft, setDraft] = useState({ actor: '', action: '', from: '', to: '' });
  const [filter, setFilter] = useState<AuditFilter>(emptyAuditFilter);
  const filtered = filter !== emptyAuditFilter;

  function apply(e: FormEvent) {
    e.preventDefault();
    setFilter({ actor: draft.actor.trim(), action: draft.action, from: dayStart(draft.from), to: dayStart(draft.to, 1) });
  }
  function clear() {
    setDraft({ actor: '', action: '', from: '', to: '' });
    setFilter(emptyAuditFilter);
  }

  return (
    <div className="space-y-3">
      <form role="search" aria-label="Filter the audit trail" className="flex flex-wrap items-end gap-3" onSubmit={apply}>
        <label className="flex flex-col text-sm text-gray-700">
          Actor
          <input className={input} type="search" placeholder="email" value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
        </label>
        <label className="flex flex-col text-sm text-gray-700">
          Action
          <select className={input} value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            {ACTIONS.map((a) => (
              <option key={a.value} value={a.value}>{a.label}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col text-sm text-gray-700">
          From
          <input className={input} type="date" value={draft.from} max={draft.to || undefined}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </label>
        <label className="flex flex-col text-sm text-gray-700">
          To
          <input className={input} type="date" value={draft.to} min={draft.from || undefined}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </label>
        <button type="submit" className={secondaryButton}>Apply filters</button>
        {filtered && (
          <button type="button" className={secondaryButton} onClick={clear}>Clear</button>
        )}
      </form>
      <AuditEntries filter={filter} filtered={filtered} />
    </div>
  );
}

function AuditEntries({ filter, filtered }: { filter: AuditFilter; filtered: boolean }) {
  const { data, error, isPending, refetch, hasNextPage, fetchNextPage, isFetchingNextPage, isFetchNextPageError } =
    useInfiniteQuery(auditQuery(filter));

  if (isPending) return <Loading label="Loading audit trail…" />;
  if (error && !data) return <ErrorState error={error} title="Could not load the audit trail" onRetry={() => void refetch()} />;

  const entries = data.pages.flatMap((p) => p.entries);
  if (entries.length === 0)
    return <Empty>{filtered ? 'No audit entries match these filters.' : 'No audit entries yet.'}</Empty>;
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
