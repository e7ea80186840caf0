import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { changeKeys, rollbackRunning, rollbacksQuery } from '../../api/changes';
import type { BulkRollback } from '../../api/client';
import { Modal } from '../../components/Dialog';
import { formatCount, formatDateTime, formatShortDateTime } from '../../components/format';
import { ErrorState } from '../../components/states';
import { sectionTitle, secondaryButton } from '../../components/styles';
import { Badge, cell, Table } from '../../components/Table';
import { useCan } from '../auth/session';
import { RollbackProgressBar, RollbackReport, rollbackSettled } from './BulkRollbackDialog';
import { describeRollbackFilter } from './filters';
import type { AgentOption } from './useAgentOptions';

/** How many rollbacks show before "Show all". */
const FIRST = 5;

const HEADERS = ['Started', 'Target', 'State', 'Rolled back', 'Conflicts left', 'Failed', 'Skipped', 'Report'];

/**
 * The recent bulk rollbacks, whoever started them and whether or not their
 * dialog is still open: progress while they run (read again every two
 * seconds), then counts and the report. Nothing shows until there is one.
 */
export function BulkRollbackList({ agents }: { agents: readonly AgentOption[] }) {
  const canRead = useCan('changelog.read');
  const list = useQuery({ ...rollbacksQuery(), enabled: canRead });
  useRefreshChangesOnFinish(list.data);
  const [openId, setOpenId] = useState<string>();
  const [showAll, setShowAll] = useState(false);
  if (!canRead) return null;

  const items = list.data ?? [];
  if (list.error && !list.data) {
    return (
      <section aria-label="Bulk rollbacks" className="space-y-2">
        <h2 className={sectionTitle}>Bulk rollbacks</h2>
        <ErrorState error={list.error} title="Could not load the bulk rollbacks" onRetry={() => void list.refetch()} />
      </section>
    );
  }
  // While loading, and when there is none, the section takes no room.
  if (items.length === 0) return null;

  const target = (b: BulkRollback) => describeRollbackFilter(b.filter, (id) => agents.find((a) => a.id === id)?.name);
  const shown = showAll ? items : items.slice(0, FIRST);
  const open = items.find((b) => b.id === openId);
  return (
    <section aria-label="Bulk rollbacks" className="space-y-2">
      <h2 className={sectionTitle}>Bulk rollbacks</h2>
      <Table caption="Recent bulk rollbacks" headers={HEADERS}>
        {shown.map((b) => (
          <RollbackRow key={b.id} rollback={b} target={target(b)} onOpen={() => setOpenId(b.id)} />
        ))}
      </Table>
      {items.length > FIRST && (
        <button type="button" className={secondaryButton} aria-expanded={showAll} onClick={() => setShowAll((v) => !v)}>
          {showAll ? 'Show fewer' : `Show all ${formatCount(items.length)}`}
        </button>
      )}
      {list.error && <p className="text-xs text-red-700">Could not refresh the bulk rollbacks: showing what was last read.</p>}
      {open && <ReportDialog rollback={open} target={target(open)} onClose={() => setOpenId(undefined)} />}
    </section>
  );
}

/** When a rollback seen running has finished (or failed), the changes it wrote are read again. */
function useRefreshChangesOnFinish(items: readonly BulkRollback[] | undefined) {
  const qc = useQueryClient();
  const running = useRef<ReadonlySet<string>>(undefined);
  useEffect(() => {
    if (!items) return;
    const now = new Set(items.filter(rollbackRunning).map((b) => b.id));
    const before = running.current;
    running.current = now;
    if (before && [...before].some((id) => !now.has(id))) void qc.invalidateQueries({ queryKey: changeKeys.lists });
  }, [items, qc]);
}

function RollbackRow({ rollback: b, target, onOpen }: { rollback: BulkRollback; target: string; onOpen: () => void }) {
  const started = formatShortDateTime(b.created_at);
  const number = `${cell} text-right tabular-nums`;
  return (
    <tr>
      <td className={`${cell} whitespace-nowrap`}>
        <time dateTime={b.created_at} title={formatDateTime(b.created_at)}>
          {started}
        </time>
      </td>
      <td className={cell}>
        <div>{target}</div>
        {b.reason && <div className="mt-0.5 text-xs text-gray-500">{b.reason}</div>}
      </td>
      <td className={`${cell} min-w-40`}>
        <RollbackState rollback={b} started={started} />
      </td>
      <td className={number}>{formatCount(b.reverted)}</td>
      <td className={`${number} ${b.conflicts > 0 ? 'font-medium text-amber-800' : ''}`}>{formatCount(b.conflicts)}</td>
      <td className={`${number} ${b.failed > 0 ? 'font-medium text-red-700' : ''}`}>{formatCount(b.failed)}</td>
      <td className={number}>{formatCount(b.skipped)}</td>
      <td className={`${cell} text-right`}>
        <button type="button" className={`${secondaryButton} whitespace-nowrap`} aria-label={`View report: ${target}, started ${started}`} onClick={onOpen}>
          View report
        </button>
      </td>
    </tr>
  );
}

function RollbackState({ rollback: b, started }: { rollback: BulkRollback; started: string }) {
  if (b.state === 'running') {
    return (
      <div className="space-y-1">
        <Badge tone="blue">running</Badge>
        <RollbackProgressBar rollback={b} label={`Progress of the rollback started ${started}`} />
        <p className="text-xs text-gray-600">
          {formatCount(rollbackSettled(b))} of {formatCount(b.total)}
        </p>
      </div>
    );
  }
  if (b.state === 'failed') {
    return (
      <div className="space-y-1">
        <Badge tone="red">failed</Badge>
        <p className="text-xs text-red-700">{b.error || 'unknown error'}</p>
      </div>
    );
  }
  return <Badge tone="green">done</Badge>;
}

/** The same report the bulk rollback dialog ends on, for any rollback of the list; kept current by the list's polling. */
function ReportDialog({ rollback: b, target, onClose }: { rollback: BulkRollback; target: string; onClose: () => void }) {
  const when = `Started ${formatDateTime(b.created_at)}${b.finished_at ? `, finished ${formatDateTime(b.finished_at)}` : ''}`;
  return (
    <Modal wide label="Bulk rollback report" subtitle={`${target} — ${when}`} onClose={onClose}>
      {b.reason && <p className="text-sm text-gray-700">Reason: {b.reason}</p>}
      <RollbackReport rollback={b} onOpenLog={onClose} />
    </Modal>
  );
}
