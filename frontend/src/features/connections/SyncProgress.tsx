import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { SyncRun, SyncSummary } from '../../api/client';
import { catalogKeys, isRunActive, syncRunQuery } from '../../api/catalog';
import { formatCount } from '../../components/format';
import { ErrorState, Loading } from '../../components/states';
import { catalogPath } from '../fields/filters';

/**
 * "12 new · 3 changed · 0 archived · 0 restored · 200 unchanged — 9 fields need a sensitivity decision".
 * The decision count is a snapshot of when the run ended, so only a run that just ended shows it.
 */
export function SyncSummaryLine({ summary, connectionId, decisions = true }: { summary: SyncSummary; connectionId: string; decisions?: boolean }) {
  const n = summary.needs_decision;
  return (
    <p className="text-sm text-gray-700">
      {formatCount(summary.new)} new · {formatCount(summary.changed)} changed · {formatCount(summary.archived)} archived ·{' '}
      {formatCount(summary.restored)} restored · {formatCount(summary.unchanged)} unchanged
      {decisions && ' — '}
      {!decisions ? null : n === 0 ? (
        'every field has a decision'
      ) : (
        <Link to={catalogPath(connectionId, true)} className="font-medium text-accent-700 hover:underline">
          {formatCount(n)} {n === 1 ? 'field needs' : 'fields need'} a sensitivity decision
        </Link>
      )}
    </p>
  );
}

function progressText(run: SyncRun): string {
  const p = run.progress;
  if (run.status === 'queued') return 'Waiting to start…';
  const what = p.current_object ? `Syncing ${p.current_object}…` : 'Syncing…';
  return `${what} ${formatCount(p.objects_done)} of ${formatCount(p.objects_total)} objects, ${formatCount(p.fields_seen)} fields`;
}

/** A sync run's progress bar while it runs, then its summary or error. */
export function SyncRunStatus({ run, decisions = true, hideError }: { run: SyncRun; decisions?: boolean; hideError?: boolean }) {
  if (isRunActive(run)) {
    const { objects_done: done, objects_total: total } = run.progress;
    const pct = total > 0 ? Math.round((done / total) * 100) : 0;
    return (
      <div className="space-y-1.5">
        <p className="text-sm text-gray-700">{progressText(run)}</p>
        <div
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={0}
          aria-valuemax={total || 1}
          aria-valuenow={done}
          className="h-2 w-full overflow-hidden rounded-full bg-gray-200"
        >
          <div className={`h-full rounded-full bg-accent-600 transition-all ${total ? '' : 'w-1/12 animate-pulse'}`} style={total ? { width: `${pct}%` } : undefined} />
        </div>
      </div>
    );
  }
  if (run.status === 'failed') {
    return (
      <p role="alert" className="text-sm text-red-700">
        Sync failed{hideError ? '.' : `: ${run.error || 'unknown error'}`}
      </p>
    );
  }
  return run.summary ? (
    <SyncSummaryLine summary={run.summary} connectionId={run.connection_id} decisions={decisions} />
  ) : (
    <p className="text-sm text-gray-700">Sync finished.</p>
  );
}

/** Polls a sync run every second while it is queued or running; refreshes the catalog when it ends. */
export function LiveSyncRun({ runId, connectionId }: { runId: string; connectionId: string }) {
  const qc = useQueryClient();
  const { data, error, refetch } = useQuery(syncRunQuery(runId));
  const finished = data !== undefined && !isRunActive(data);
  const refreshed = useRef(false);

  useEffect(() => {
    if (!finished || refreshed.current) return;
    refreshed.current = true;
    void qc.invalidateQueries({ queryKey: catalogKeys.connections });
    void qc.invalidateQueries({ queryKey: catalogKeys.fields });
    void qc.invalidateQueries({ queryKey: catalogKeys.syncRuns(connectionId) });
  }, [finished, qc, connectionId]);

  if (error && !data) return <ErrorState error={error} title="Could not follow the sync" onRetry={() => void refetch()} />;
  if (!data) return <Loading label="Starting sync…" />;
  return (
    <div role="status" aria-label="Sync" className="rounded-md border border-gray-200 bg-gray-50 px-4 py-3">
      <SyncRunStatus run={data} />
    </div>
  );
}
