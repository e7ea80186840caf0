import { useQuery } from '@tanstack/react-query';
import { useId, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { errorMessage, type Connection, type ConnectionTest, type SyncRun } from '../../api/client';
import { isRunActive, syncRunsQuery, useStartSync, useTestConnection } from '../../api/catalog';
import { formatCount, formatDateTime, formatInterval } from '../../components/format';
import { Empty, ErrorState, Loading, Success } from '../../components/states';
import { card, primaryButton, secondaryButton } from '../../components/styles';
import { Badge, cell, Table, type BadgeTone } from '../../components/Table';
import { PROVIDER_LABELS } from '../fields/badges';
import { catalogPath } from '../fields/filters';
import { ConnectionSettingsForm, ReplaceCredentialsForm } from './ConnectionForms';
import { CREDENTIALS } from './providers';
import { LiveSyncRun, SyncRunStatus } from './SyncProgress';

const STATUS_TONES: Record<Connection['status'], BadgeTone> = { new: 'gray', ok: 'green', error: 'red' };
const RUN_TONES: Record<SyncRun['status'], BadgeTone> = { queued: 'gray', running: 'blue', succeeded: 'green', failed: 'red' };

interface Props {
  connection: Connection;
  canManage: boolean;
  canEditSandbox: boolean;
}

type Panel = 'none' | 'credentials' | 'settings';

/** One connection: its state, last sync, and (for admins) test, sync and credential actions. */
export function ConnectionCard({ connection: c, canManage, canEditSandbox }: Props) {
  const titleId = useId();
  const [runId, setRunId] = useState<string>();
  const [panel, setPanel] = useState<Panel>('none');
  const [notice, setNotice] = useState<string>();
  const sync = useStartSync(c.id);
  const test = useTestConnection(c.id);
  // Follow the run started here, or one already in progress (the initial sync, a scheduled one).
  const liveRunId = runId ?? (c.last_run && isRunActive(c.last_run) ? c.last_run.id : undefined);

  const closePanel = (message?: string) => {
    setPanel('none');
    setNotice(message);
  };

  return (
    <article aria-labelledby={titleId} className={`${card} space-y-4`}>
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h3 id={titleId} className="text-base font-semibold text-gray-900">{c.name}</h3>
          <p className="mt-0.5 flex items-center gap-2 text-sm text-gray-600">
            {PROVIDER_LABELS[c.provider]}
            <Badge tone={STATUS_TONES[c.status]}>{c.status}</Badge>
          </p>
        </div>
        {c.provider === 'sandbox' && canEditSandbox && (
          <Link to={`/fields/connections/${encodeURIComponent(c.id)}/sandbox`} className="text-sm font-medium text-accent-700 hover:underline">
            Open sandbox CRM
          </Link>
        )}
      </header>
      {c.status === 'error' && c.last_error && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{c.last_error}</p>
      )}
      <ConnectionFacts connection={c} showLastRun={!liveRunId} />
      {liveRunId && <LiveSyncRun runId={liveRunId} connectionId={c.id} />}
      {notice && <Success>{notice}</Success>}
      {canManage && (
        <div className="flex flex-wrap gap-2">
          <button type="button" className={primaryButton} disabled={sync.isPending} onClick={() => sync.mutate(undefined, { onSuccess: (run) => setRunId(run.id) })}>
            {sync.isPending ? 'Starting…' : 'Sync now'}
          </button>
          <button type="button" className={secondaryButton} disabled={test.isPending} onClick={() => test.mutate()}>
            {test.isPending ? 'Testing…' : 'Test connection'}
          </button>
          {CREDENTIALS[c.provider].length > 0 && (
            <button type="button" className={secondaryButton} aria-expanded={panel === 'credentials'} onClick={() => setPanel(panel === 'credentials' ? 'none' : 'credentials')}>
              Replace credentials
            </button>
          )}
          <button type="button" className={secondaryButton} aria-expanded={panel === 'settings'} onClick={() => setPanel(panel === 'settings' ? 'none' : 'settings')}>
            Edit settings
          </button>
        </div>
      )}
      {sync.error && <p role="alert" className="text-sm text-red-700">{errorMessage(sync.error)}</p>}
      {test.error && <p role="alert" className="text-sm text-red-700">{errorMessage(test.error)}</p>}
      {test.data && <TestResult result={test.data} />}
      {panel === 'credentials' && <ReplaceCredentialsForm connection={c} onDone={(saved) => closePanel(saved ? 'Credentials replaced.' : undefined)} />}
      {panel === 'settings' && <ConnectionSettingsForm connection={c} onDone={(saved) => closePanel(saved ? 'Settings saved.' : undefined)} />}
      <RecentRuns connectionId={c.id} />
    </article>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</dt>
      <dd className="mt-0.5 text-sm text-gray-900">{children}</dd>
    </div>
  );
}

function ConnectionFacts({ connection: c, showLastRun }: { connection: Connection; showLastRun: boolean }) {
  const masks = Object.entries(c.credentials ?? {});
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-3 md:grid-cols-4">
      <Fact label="Fields">{formatCount(c.field_count)}</Fact>
      <Fact label="Decisions">
        {c.needs_decision > 0 ? (
          <Link to={catalogPath(c.id, true)} className="font-medium text-accent-700 hover:underline">
            {formatCount(c.needs_decision)} need a decision
          </Link>
        ) : c.field_count > 0 ? (
          'All decided'
        ) : (
          '—'
        )}
      </Fact>
      <Fact label="Last synced">{c.last_synced_at ? formatDateTime(c.last_synced_at) : 'Never'}</Fact>
      <Fact label="Sync">
        {formatInterval(c.sync_interval_minutes)}
        {c.next_sync_at && c.sync_interval_minutes > 0 && <span className="block text-xs text-gray-500">next {formatDateTime(c.next_sync_at)}</span>}
      </Fact>
      {masks.length > 0 && (
        <Fact label="Credentials">
          <ul className="space-y-0.5">
            {masks.map(([key, mask]) => (
              <li key={key}>
                <span className="text-gray-600">{credentialLabel(c.provider, key)}</span> <span className="font-mono text-xs">{mask}</span>
              </li>
            ))}
          </ul>
        </Fact>
      )}
      {c.base_url && (
        <Fact label="API base URL">
          <span className="font-mono text-xs break-all">{c.base_url}</span>
        </Fact>
      )}
      {showLastRun && c.last_run && (
        <div className="col-span-2 md:col-span-4">
          <dt className="text-xs font-medium tracking-wide text-gray-500 uppercase">Last run</dt>
          <dd className="mt-0.5 space-y-0.5">
            <p className="text-xs text-gray-500">
              {c.last_run.trigger} · {formatDateTime(c.last_run.finished_at ?? c.last_run.created_at)}
            </p>
            <SyncRunStatus run={c.last_run} decisions={false} hideError={c.status === 'error' && c.last_error === c.last_run.error} />
          </dd>
        </div>
      )}
    </dl>
  );
}

const credentialLabel = (provider: Connection['provider'], key: string) => CREDENTIALS[provider].find((s) => s.key === key)?.label ?? key;

function TestResult({ result }: { result: ConnectionTest }) {
  if (!result.ok) {
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        Connection failed: {result.message}
      </p>
    );
  }
  return (
    <div role="status" className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
      <p>Connection OK — {result.message}</p>
      {result.objects && result.objects.length > 0 && <p className="mt-1 text-xs">Objects: {result.objects.join(', ')}</p>}
    </div>
  );
}

/** The connection's recent syncs, loaded when opened. */
function RecentRuns({ connectionId }: { connectionId: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" className="text-sm font-medium text-accent-700 hover:underline" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide recent runs' : 'Show recent runs'}
      </button>
      {open && <RunList connectionId={connectionId} />}
    </div>
  );
}

function RunList({ connectionId }: { connectionId: string }) {
  const { data, error, isPending, refetch } = useQuery(syncRunsQuery(connectionId));
  if (isPending) return <Loading label="Loading runs…" />;
  if (error) return <ErrorState error={error} title="Could not load the runs" onRetry={() => void refetch()} />;
  if (data.length === 0) return <div className="mt-2"><Empty>No syncs yet.</Empty></div>;
  return (
    <div className="mt-2">
      <Table caption="Recent runs" headers={['Started', 'Trigger', 'Status', 'Result']}>
        {data.map((r) => (
          <tr key={r.id}>
            <td className={`${cell} whitespace-nowrap`}>{formatDateTime(r.started_at ?? r.created_at)}</td>
            <td className={cell}>{r.trigger}</td>
            <td className={cell}><Badge tone={RUN_TONES[r.status]}>{r.status}</Badge></td>
            <td className={cell}>
              {r.status === 'failed' ? (
                <span className="text-red-700">{r.error}</span>
              ) : r.summary ? (
                `${r.summary.new} new · ${r.summary.changed} changed · ${r.summary.archived} archived · ${r.summary.restored} restored · ${r.summary.unchanged} unchanged`
              ) : (
                '—'
              )}
            </td>
          </tr>
        ))}
      </Table>
    </div>
  );
}
