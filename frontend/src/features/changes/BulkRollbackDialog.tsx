import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { changeKeys, rollbackQuery, usePreviewRollback, useStartRollback } from '../../api/changes';
import type { BulkRollback, RollbackPreview } from '../../api/client';
import { Modal } from '../../components/Dialog';
import { formatCount } from '../../components/format';
import { FieldErrorList, FormField, SelectField, splitErrors, TextAreaField } from '../../components/FormField';
import { ErrorState, Loading } from '../../components/states';
import { dangerButton, secondaryButton } from '../../components/styles';
import { ConflictTable } from './Conflicts';
import { apiFilterFor, type ChangeFilters } from './filters';
import type { AgentOption } from './useAgentOptions';

/** The filter fields of a bulk rollback, as the form holds them. */
type BulkFilters = Pick<ChangeFilters, 'agent_id' | 'field' | 'since' | 'until'>;
const SHOWN = ['agent_id', 'field', 'since', 'until'] as const;

/** How many of the preview's conflicts are listed. */
const SAMPLES = 10;

/** A rollout whose canary writes the rollback takes (its agent and fields are implied). */
export interface RolloutScope {
  id: string;
  name: string;
}

interface Props {
  /** The page's filters, to start from. */
  initial: ChangeFilters;
  agents: readonly AgentOption[];
  /** Set: only the changes this rollout's canary auto-applied. */
  rollout?: RolloutScope;
  onClose: () => void;
}

/**
 * Rolls back every change a filter matches: a preview first (how many, and
 * how many of the first ones the CRM no longer holds), then the run, followed
 * until it ends, with the conflicts it left for a human.
 */
export function BulkRollbackDialog({ initial, agents, rollout, onClose }: Props) {
  const [runId, setRunId] = useState<string>();
  const subtitle = rollout ? `Roll back the changes the canary of “${rollout.name}” auto-applied.` : 'Roll back every change that matches a filter.';
  return (
    <Modal wide label={rollout ? 'Revert canary writes' : 'Bulk rollback'} subtitle={subtitle} onClose={onClose}>
      {runId ? (
        <BulkProgress id={runId} onClose={onClose} />
      ) : (
        <BulkForm initial={initial} agents={agents} rollout={rollout} onStarted={setRunId} onCancel={onClose} />
      )}
    </Modal>
  );
}

interface FormProps {
  initial: ChangeFilters;
  agents: readonly AgentOption[];
  rollout?: RolloutScope;
  onStarted: (id: string) => void;
  onCancel: () => void;
}

function BulkForm({ initial, agents, rollout, onStarted, onCancel }: FormProps) {
  const [filters, setFilters] = useState<BulkFilters>({ agent_id: initial.agent_id, field: initial.field, since: initial.since, until: initial.until });
  const [reason, setReason] = useState('');
  const preview = usePreviewRollback();
  const start = useStartRollback();
  const filter = { ...apiFilterFor(filters), rollout_id: rollout?.id };
  // A preview is of the filter it was asked for: any edit makes it stale.
  const edit = (key: keyof BulkFilters, value: string) => {
    setFilters((f) => ({ ...f, [key]: value || undefined }));
    preview.reset();
  };
  const run = () =>
    start.mutate({ filter, reason: reason.trim() || undefined }, { onSuccess: (a) => a.rollback && onStarted(a.rollback.id) });
  const { all: fieldErrors, rest, formError } = splitErrors(preview.error ?? start.error, SHOWN);
  const previewed = preview.data?.preview !== undefined;
  const total = preview.data?.preview?.total ?? 0;

  return (
    <div className="space-y-4">
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        {rollout ? (
          <p className="text-sm text-gray-700 sm:col-span-2">
            Changes auto-applied by the canary of <strong>{rollout.name}</strong> (its agent and fields), in the time window below.
          </p>
        ) : (
          <>
        <SelectField label="Agent" value={filters.agent_id ?? ''} error={fieldErrors.agent_id} onChange={(e) => edit('agent_id', e.target.value)}>
          <option value="">Any agent</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <FormField label="Field" placeholder="Any" value={filters.field ?? ''} error={fieldErrors.field} onChange={(e) => edit('field', e.target.value)} />
          </>
        )}
        <FormField label="Since" type="datetime-local" value={filters.since ?? ''} error={fieldErrors.since} onChange={(e) => edit('since', e.target.value)} />
        <FormField label="Until" type="datetime-local" value={filters.until ?? ''} error={fieldErrors.until} onChange={(e) => edit('until', e.target.value)} />
      </div>
      <TextAreaField label="Reason (each agent hears it as a correction)" maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      <FieldErrorList title="Check the filter" errors={rest} />
      {formError && <ErrorState error={preview.error ?? start.error} title="The rollback was refused" />}
      {preview.data?.preview && <PreviewSummary preview={preview.data.preview} />}
      <div className="flex justify-end gap-2 border-t border-gray-200 pt-3">
        <button type="button" className={secondaryButton} onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={secondaryButton} disabled={preview.isPending} onClick={() => preview.mutate(filter)}>
          {preview.isPending ? 'Counting…' : 'Preview'}
        </button>
        <button type="button" className={dangerButton} disabled={total === 0 || start.isPending} title={previewed ? undefined : 'Preview first'} onClick={run}>
          {previewed ? `Roll back ${formatCount(total)} ${total === 1 ? 'change' : 'changes'}` : 'Roll back'}
        </button>
      </div>
    </div>
  );
}

function PreviewSummary({ preview: p }: { preview: RollbackPreview }) {
  const samples = p.samples.slice(0, SAMPLES);
  return (
    <div className="space-y-2">
      <p role="status" className="text-sm text-gray-800">
        {p.total === 0
          ? 'No change matches this filter that is not rolled back already.'
          : `${formatCount(p.total)} ${p.total === 1 ? 'change' : 'changes'} would be rolled back; ${formatCount(p.conflicts)} of the first ${formatCount(p.checked)} checked no longer match the CRM (conflicts, left for a human).`}
      </p>
      {samples.length > 0 && (
        <>
          <p className="text-xs text-gray-500">
            {p.conflicts > samples.length ? `The first ${samples.length} conflicts:` : 'The conflicts:'}
          </p>
          <ConflictTable caption="Conflicts found by the preview" conflicts={samples} />
        </>
      )}
    </div>
  );
}

/** How many of a rollback's changes are settled, whatever the outcome. */
export const rollbackSettled = (b: BulkRollback) => b.reverted + b.conflicts + b.failed + b.skipped;

/** A running rollback's progress, polled every second; then its report. Links in the report close the dialog. */
function BulkProgress({ id, onClose }: { id: string; onClose: () => void }) {
  const qc = useQueryClient();
  const { data, error, refetch } = useQuery(rollbackQuery(id));
  const finished = data !== undefined && data.state !== 'running';
  const refreshed = useRef(false);
  useEffect(() => {
    if (!finished || refreshed.current) return;
    refreshed.current = true;
    void qc.invalidateQueries({ queryKey: changeKeys.lists });
    void qc.invalidateQueries({ queryKey: changeKeys.rollbackList });
  }, [finished, qc]);

  if (error && !data) return <ErrorState error={error} title="Could not follow the rollback" onRetry={() => void refetch()} />;
  if (!data) return <Loading label="Starting the rollback…" />;
  return <RollbackReport rollback={data} onOpenLog={onClose} />;
}

/** How far a rollback has got, as a bar: the changes settled (whatever the outcome) of its total. */
export function RollbackProgressBar({ rollback: b, label }: { rollback: BulkRollback; label: string }) {
  const done = rollbackSettled(b);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={b.total || 1}
      aria-valuenow={done}
      className="h-2 w-full overflow-hidden rounded-full bg-gray-200"
    >
      <div className="h-full rounded-full bg-accent-600 transition-all" style={{ width: `${b.total ? Math.round((done / b.total) * 100) : 100}%` }} />
    </div>
  );
}

/**
 * A bulk rollback's progress while it runs, then its counts and the conflicts
 * it left for a human, each linking to the change log of its record and field
 * (`onOpenLog` is called as one is followed). The dialog shows it for the run
 * it started, the page's list of rollbacks for any of them.
 */
export function RollbackReport({ rollback: data, onOpenLog }: { rollback: BulkRollback; onOpenLog?: () => void }) {
  const finished = data.state !== 'running';
  return (
    <div className="space-y-4">
      <div className="space-y-1.5">
        <p role="status" className="text-sm text-gray-800">
          {finished ? `Finished: ${rollbackCounts(data)}.` : `Rolling back… ${formatCount(rollbackSettled(data))} of ${formatCount(data.total)}`}
        </p>
        <RollbackProgressBar rollback={data} label="Rollback progress" />
        {!finished && <p className="text-xs text-gray-500">You can close this dialog: the rollback goes on without it.</p>}
      </div>
      {data.state === 'failed' && (
        <p role="alert" className="text-sm text-red-700">
          The rollback stopped: {data.error || 'unknown error'}
        </p>
      )}
      {finished && data.report.length > 0 && (
        <section aria-label="Left for a human" className="space-y-2">
          <h3 className="text-sm font-semibold text-gray-900">Left for a human</h3>
          <ConflictTable caption="Changes left for a human" conflicts={data.report} onOpenLog={onOpenLog} />
        </section>
      )}
    </div>
  );
}

/** "37 rolled back, 2 conflicts, 1 failed, 0 skipped". */
export function rollbackCounts(b: BulkRollback): string {
  return `${formatCount(b.reverted)} rolled back, ${formatCount(b.conflicts)} conflicts, ${formatCount(b.failed)} failed, ${formatCount(b.skipped)} skipped`;
}
