import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { schedulesQuery, useCreateSchedule, useDeleteSchedule, type ExportFormat, type ExportSchedule } from '../../api/reports';
import { Modal, FormActions } from '../../components/Dialog';
import { FieldErrorList, FormField, SelectField, splitErrors } from '../../components/FormField';
import { formatDateTime, formatShortDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { dangerButton, secondaryButton, sectionTitle } from '../../components/styles';
import { cell, Table } from '../../components/Table';
import { useCan } from '../auth/session';
import { emptyFilter, FILTER_ERROR_FIELDS, filterBody, filterErrors, FilterFields, useAgentList, type FilterDraft } from './fields';
import { filterSummary, formatLabel, FORMATS } from './format';

type Cadence = ExportSchedule['cadence'];

const cadenceText: Record<Cadence, string> = { weekly: 'Weekly', monthly: 'Monthly' };

/** Scheduled exports: the week or month just ended, exported on its own, with a webhook when the file is ready. */
export function SchedulesSection() {
  const canExport = useCan('reports.export');
  const list = useQuery(schedulesQuery());
  const agents = useAgentList();
  const [creating, setCreating] = useState(false);
  const [stopping, setStopping] = useState<ExportSchedule>();
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name;
  const headers = ['Format', 'Cadence', 'Filters', 'Webhook', 'Next run'];

  return (
    <section aria-labelledby="schedules-title" className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h2 id="schedules-title" className={sectionTitle}>Scheduled exports</h2>
          <p className="max-w-3xl text-sm text-gray-600">
            Each run exports the week or calendar month just ended (in UTC) and lists it under the exports; a webhook, if set, is called when the
            file is ready.
          </p>
        </div>
        {canExport && (
          <button type="button" className={secondaryButton} onClick={() => setCreating(true)}>
            Schedule an export
          </button>
        )}
      </div>
      {list.isPending ? (
        <Loading label="Loading scheduled exports…" />
      ) : list.error ? (
        <ErrorState error={list.error} title="Could not load the scheduled exports" onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <Empty>No scheduled exports. A schedule exports every week or month on its own, so the evidence is ready before anyone asks.</Empty>
      ) : (
        <Table caption="Scheduled exports" headers={canExport ? [...headers, 'Actions'] : headers}>
          {list.data.map((s) => (
            <tr key={s.id}>
              <td className={`${cell} whitespace-nowrap`}>{formatLabel(s.format)}</td>
              <td className={cell}>{cadenceText[s.cadence] ?? s.cadence}</td>
              <td className={cell}>{filterSummary(s.filter, agentName)}</td>
              <td className={`${cell} max-w-64 truncate`} title={s.webhook_url || undefined}>
                {s.webhook_url ? <span className="font-mono text-xs">{s.webhook_url}</span> : <span className="text-gray-400">none</span>}
              </td>
              <td className={`${cell} whitespace-nowrap`}>
                <time dateTime={s.next_run_at} title={formatDateTime(s.next_run_at)}>
                  {formatShortDateTime(s.next_run_at)}
                </time>
              </td>
              {canExport && (
                <td className={cell}>
                  <button type="button" className={dangerButton} aria-label={`Stop the ${cadenceText[s.cadence]?.toLowerCase() ?? s.cadence} ${formatLabel(s.format)} export`} onClick={() => setStopping(s)}>
                    Stop
                  </button>
                </td>
              )}
            </tr>
          ))}
        </Table>
      )}
      {creating && <ScheduleDialog onClose={() => setCreating(false)} />}
      {stopping && <StopDialog schedule={stopping} onClose={() => setStopping(undefined)} />}
    </section>
  );
}

function StopDialog({ schedule, onClose }: { schedule: ExportSchedule; onClose: () => void }) {
  const stop = useDeleteSchedule();
  return (
    <Modal
      label="Stop scheduled export"
      onClose={onClose}
      footer={
        <>
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="button" className={dangerButton} disabled={stop.isPending} onClick={() => stop.mutate(schedule.id, { onSuccess: onClose })}>
            {stop.isPending ? 'Stopping…' : 'Stop export'}
          </button>
        </>
      }
    >
      <p className="text-sm text-gray-700">
        The {cadenceText[schedule.cadence]?.toLowerCase() ?? schedule.cadence} {formatLabel(schedule.format)} export stops: no more runs, no more
        webhook calls. The exports it already made stay until they expire.
      </p>
      {stop.error && <ErrorState error={stop.error} title="The schedule was not stopped" />}
    </Modal>
  );
}

const SHOWN = ['format', 'cadence', 'webhook_url', ...FILTER_ERROR_FIELDS];

/** Schedules an export: format, cadence, optional filters and webhook; the server's objections show by the input they name. */
function ScheduleDialog({ onClose }: { onClose: () => void }) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [cadence, setCadence] = useState<Cadence>('monthly');
  const [filter, setFilter] = useState<FilterDraft>(emptyFilter);
  const [webhook, setWebhook] = useState('');
  const create = useCreateSchedule();
  const { all, rest, formError } = splitErrors(create.error, SHOWN);
  const submit = () => create.mutate({ format, cadence, ...filterBody(filter), webhook_url: webhook.trim() || undefined }, { onSuccess: onClose });

  return (
    <Modal label="Schedule an export" subtitle="The first run is when the current week or month ends." onClose={onClose}>
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="grid grid-cols-2 gap-3">
          <SelectField label="Format" value={format} error={all.format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
            {FORMATS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </SelectField>
          <SelectField label="Cadence" value={cadence} error={all.cadence} onChange={(e) => setCadence(e.target.value as Cadence)}>
            <option value="weekly">Weekly — the week just ended</option>
            <option value="monthly">Monthly — the month just ended</option>
          </SelectField>
        </div>
        <FilterFields value={filter} onChange={setFilter} errors={filterErrors(all)} />
        <FormField
          label="Webhook URL (optional)"
          type="url"
          value={webhook}
          placeholder="https://example.com/hooks/countersign"
          hint="Called with the export’s id when its file is ready."
          error={all.webhook_url}
          onChange={(e) => setWebhook(e.target.value)}
        />
        <FieldErrorList title="Check the schedule" errors={rest} />
        {formError && <ErrorState error={create.error} title="The export was not scheduled" />}
        <FormActions onCancel={onClose} pending={create.isPending} pendingLabel="Scheduling…">
          Schedule export
        </FormActions>
      </form>
    </Modal>
  );
}
