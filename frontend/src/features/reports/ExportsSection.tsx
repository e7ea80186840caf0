import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import {
  exportDownloadPath,
  exportManifestPath,
  exportManifestQuery,
  exportsQuery,
  PUBLIC_KEY_PATH,
  useCreateExport,
  type Export,
  type ExportFormat,
} from '../../api/reports';
import { Drawer, Modal, FormActions } from '../../components/Dialog';
import { FieldErrorList, SelectField, splitErrors } from '../../components/FormField';
import { formatCount, formatDateTime, formatShortDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { primaryButton, secondaryButton, sectionTitle } from '../../components/styles';
import { Badge, cell, Table } from '../../components/Table';
import { useCan } from '../auth/session';
import { CopyButton, emptyFilter, FILTER_ERROR_FIELDS, filterBody, filterErrors, FilterFields, ProgressBar, PeriodFields, useAgentList, type FilterDraft } from './fields';
import { defaultPeriod, filterSummary, formatBytes, formatLabel, FORMATS, periodOf, periodText, shortHash, type PeriodDraft } from './format';

const HEADERS = ['Requested', 'Format', 'Period', 'State', 'Rows', 'SHA-256', 'Expires', ''];

/** Evidence exports: the change log of a period as a file with a signed manifest, newest first, followed while they run. */
export function ExportsSection() {
  const canExport = useCan('reports.export');
  const list = useQuery(exportsQuery());
  const agents = useAgentList();
  const [creating, setCreating] = useState(false);
  const [manifestOf, setManifestOf] = useState<string>();
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name;
  const items = [...(list.data ?? [])].sort((a, b) => b.created_at.localeCompare(a.created_at));
  const shown = items.find((e) => e.id === manifestOf);

  return (
    <section aria-labelledby="exports-title" className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h2 id="exports-title" className={sectionTitle}>Evidence exports</h2>
          <p className="max-w-3xl text-sm text-gray-600">
            The change log of a period as a file, with a manifest signed by the log’s key that proves the file is complete and unaltered. Files
            are kept for a limited time; each download is recorded in the audit trail.
          </p>
        </div>
        {canExport && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New export
          </button>
        )}
      </div>
      {list.isPending ? (
        <Loading label="Loading exports…" />
      ) : list.error && !list.data ? (
        <ErrorState error={list.error} title="Could not load the exports" onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        <Empty>
          No exports yet. An export holds every change applied in a period — the value before and after, who wrote it, the proposal and the
          review decisions behind it — with its place in the hash chain.{canExport ? ' Use “New export”.' : ''}
        </Empty>
      ) : (
        <>
          <Table caption="Evidence exports, newest first" headers={HEADERS}>
            {items.map((e) => (
              <ExportRow key={e.id} item={e} canDownload={canExport} filter={filterSummary(e.filter, agentName)} onManifest={() => setManifestOf(e.id)} />
            ))}
          </Table>
          {list.error && <p className="text-xs text-red-700">Could not refresh the exports: showing what was last read.</p>}
        </>
      )}
      {creating && <NewExportDialog onClose={() => setCreating(false)} />}
      {shown && <ManifestDrawer item={shown} onClose={() => setManifestOf(undefined)} />}
    </section>
  );
}

/** Whether a done export's file is past its expiry (the server may not have marked it yet). */
const isExpired = (e: Export) => e.state === 'expired' || (e.state === 'done' && new Date(e.expires_at).getTime() <= Date.now());

function ExportRow({ item: e, filter, canDownload, onManifest }: { item: Export; filter: string; canDownload: boolean; onManifest: () => void }) {
  const requested = formatShortDateTime(e.created_at);
  const name = `${formatLabel(e.format)} export of ${periodText(e.filter.since, e.filter.until)}`;
  const expired = isExpired(e);
  const done = e.state === 'done' && !expired;
  const number = `${cell} text-right tabular-nums whitespace-nowrap`;
  return (
    <tr>
      <td className={`${cell} whitespace-nowrap`}>
        <time dateTime={e.created_at} title={formatDateTime(e.created_at)}>
          {requested}
        </time>
        <div className="text-xs text-gray-500">
          {e.created_by_name ? `by ${e.created_by_name}` : 'by a schedule'}
          {e.schedule_id && e.created_by_name ? ' · scheduled' : ''}
        </div>
      </td>
      <td className={`${cell} whitespace-nowrap`}>{formatLabel(e.format)}</td>
      <td className={cell}>
        <div className="whitespace-nowrap">{periodText(e.filter.since, e.filter.until)}</div>
        <div className="mt-0.5 text-xs text-gray-500">{filter}</div>
      </td>
      <td className={`${cell} min-w-36`}>
        <ExportState item={e} expired={expired} label={`Progress of the export requested ${requested}`} />
      </td>
      <td className={number}>
        {formatCount(e.rows)}
        <div className="text-xs text-gray-500">{e.state === 'done' || expired ? formatBytes(e.bytes) : '—'}</div>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        {e.sha256 ? (
          <span className="inline-flex items-center gap-1.5">
            <code className="font-mono text-xs" title={e.sha256}>
              {shortHash(e.sha256)}
            </code>
            <CopyButton text={e.sha256} label={`Copy the SHA-256 of the ${name}`} />
          </span>
        ) : (
          <span className="text-gray-400">—</span>
        )}
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        <time dateTime={e.expires_at} title={formatDateTime(e.expires_at)}>
          {formatShortDateTime(e.expires_at)}
        </time>
      </td>
      <td className={cell}>
        {done && (
          <div className="flex flex-wrap items-center gap-2">
            {canDownload && (
              <a href={exportDownloadPath(e.id)} download={e.file_name ?? true} className={`${primaryButton} whitespace-nowrap`} aria-label={`Download the ${name}`}>
                Download
              </a>
            )}
            <button type="button" className={`${secondaryButton} whitespace-nowrap`} aria-label={`Manifest of the ${name}`} onClick={onManifest}>
              Manifest
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}

function ExportState({ item: e, expired, label }: { item: Export; expired: boolean; label: string }) {
  if (e.state === 'queued') {
    return (
      <div className="space-y-1">
        <Badge tone="gray">queued</Badge>
        <p className="text-xs text-gray-600">Waiting to start…</p>
      </div>
    );
  }
  if (e.state === 'running') {
    const pct = e.total > 0 ? Math.min(100, Math.floor((e.rows / e.total) * 100)) : 0;
    return (
      <div className="space-y-1">
        <Badge tone="blue">running</Badge>
        <ProgressBar value={e.rows} max={e.total} label={label} />
        <p className="text-xs text-gray-600">
          {formatCount(e.rows)} of {formatCount(e.total)} rows ({pct} %)
        </p>
      </div>
    );
  }
  if (e.state === 'failed') {
    return (
      <div className="space-y-1">
        <Badge tone="red">failed</Badge>
        <p className="text-xs text-red-700">{e.error || 'unknown error'}</p>
      </div>
    );
  }
  if (expired) {
    return (
      <Badge tone="gray" title="The file has been deleted; start a new export of the same period to get it again.">
        expired
      </Badge>
    );
  }
  return <Badge tone="green">done</Badge>;
}

const SHOWN = ['format', 'filter.since', 'filter.until', ...FILTER_ERROR_FIELDS];

/** Starts an export: format, period and optional filters; the server's objections show by the input they name. */
function NewExportDialog({ onClose }: { onClose: () => void }) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [period, setPeriod] = useState<PeriodDraft>(() => defaultPeriod());
  const [filter, setFilter] = useState<FilterDraft>(emptyFilter);
  const [missing, setMissing] = useState<{ since?: string; until?: string }>({});
  const create = useCreateExport();
  const { all, rest, formError } = splitErrors(create.error, SHOWN);
  const submit = () => {
    const { since, until } = periodOf(period);
    const local = { since: since ? undefined : 'is required', until: until ? undefined : 'is required' };
    setMissing(local);
    if (local.since || local.until) return;
    create.mutate({ format, filter: { since, until, ...filterBody(filter) } }, { onSuccess: onClose });
  };

  return (
    <Modal label="New export" subtitle="The file is written in the background; the list shows its progress." onClose={onClose}>
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <SelectField label="Format" value={format} error={all.format} onChange={(e) => setFormat(e.target.value as ExportFormat)}>
          {FORMATS.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
            </option>
          ))}
        </SelectField>
        <PeriodFields value={period} onChange={setPeriod} errors={{ since: missing.since ?? all['filter.since'], until: missing.until ?? all['filter.until'] }} />
        <FilterFields value={filter} onChange={setFilter} errors={filterErrors(all)} />
        <FieldErrorList title="Check the export" errors={rest} />
        {formError && <ErrorState error={create.error} title="The export was not started" />}
        <FormActions onCancel={onClose} pending={create.isPending} pendingLabel="Starting…">
          Start export
        </FormActions>
      </form>
    </Modal>
  );
}

/** A done export's signed manifest: what it vouches for, the file to download, and how to check it offline. */
function ManifestDrawer({ item, onClose }: { item: Export; onClose: () => void }) {
  const fetched = useQuery({ ...exportManifestQuery(item.id), enabled: !item.manifest });
  const m = item.manifest ?? fetched.data;
  const file = item.file_name ?? m?.file_name ?? 'the export file';
  return (
    <Drawer label="Export manifest" subtitle={`${formatLabel(item.format)} · ${periodText(item.filter.since, item.filter.until)}`} onClose={onClose}>
      {!m ? (
        fetched.error ? (
          <ErrorState error={fetched.error} title="Could not load the manifest" onRetry={() => void fetched.refetch()} />
        ) : (
          <Loading label="Loading the manifest…" />
        )
      ) : (
        <>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-2 text-sm">
            <ManifestField term="File">{m.file_name}</ManifestField>
            <ManifestField term="Rows">{formatCount(m.rows)}</ManifestField>
            <ManifestField term="Changes">
              {m.rows === 0 ? 'none' : `#${m.first_seq} – #${m.last_seq}`}
            </ManifestField>
            <ManifestField term="File SHA-256">
              <Hash value={m.file_sha256} label="file SHA-256" full />
            </ManifestField>
            <ManifestField term="Last hash">
              <Hash value={m.last_hash} label="last hash" full />
            </ManifestField>
            <ManifestField term="Checkpoint">#{m.checkpoint.seq}</ManifestField>
            <ManifestField term="Key id">
              <code className="font-mono text-xs">{m.key_id}</code>
            </ManifestField>
            <ManifestField term="Signature">
              <Hash value={m.signature} label="signature" />
            </ManifestField>
            <ManifestField term="Signed">{formatDateTime(m.created_at)}</ManifestField>
            {m.audit && (
              <ManifestField term="Sample audit">
                seed {m.audit.seed}, {formatCount(m.audit.sampled)} sampled, {formatCount(m.audit.incorrect)} incorrect
              </ManifestField>
            )}
          </dl>
          <a href={exportManifestPath(item.id)} download={`${m.file_name}.manifest.json`} className={secondaryButton}>
            Download manifest
          </a>
          <section aria-labelledby="verify-title" className="space-y-2">
            <h3 id="verify-title" className={sectionTitle}>How to verify</h3>
            <p className="text-sm text-gray-700">
              Offline, with the <code className="font-mono text-xs">countersign</code> binary: it checks the manifest’s signature, the file’s SHA-256
              and that every row chains to the signed checkpoint.
            </p>
            <pre className="overflow-x-auto rounded-md bg-gray-900 px-3 py-2 font-mono text-xs text-gray-100">
              <code>countersign verify-export &lt;file&gt; &lt;manifest&gt; --public-key &lt;key&gt;</code>
            </pre>
            <p className="text-sm text-gray-700">
              Here <code className="font-mono text-xs">&lt;file&gt;</code> is {file}, <code className="font-mono text-xs">&lt;manifest&gt;</code> the
              downloaded manifest and <code className="font-mono text-xs">&lt;key&gt;</code> the change log’s{' '}
              <a href={PUBLIC_KEY_PATH} className="font-medium text-accent-700 hover:underline" target="_blank" rel="noreferrer">
                public key
              </a>{' '}
              (saved as a file, or its base64).
            </p>
          </section>
        </>
      )}
    </Drawer>
  );
}

function ManifestField({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt className="font-medium text-gray-600">{term}</dt>
      <dd className="min-w-0 text-gray-900">{children}</dd>
    </>
  );
}

/** A hash or signature: whole (wrapping) or shortened, always whole in its title, with a copy button. */
function Hash({ value, label, full }: { value: string; label: string; full?: boolean }) {
  return (
    <span className="inline-flex max-w-full items-start gap-1.5">
      <code className="font-mono text-xs break-all" title={value}>
        {full ? value : shortHash(value, 16)}
      </code>
      <CopyButton text={value} label={`Copy the ${label}`} />
    </span>
  );
}
