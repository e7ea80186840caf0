import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { auditsQuery, rateLabel, useCreateAudit, type Audit } from '../../api/reports';
import { Modal, FormActions } from '../../components/Dialog';
import { FieldErrorList, FormField, splitErrors } from '../../components/FormField';
import { formatCount, formatDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { primaryButton, sectionTitle } from '../../components/styles';
import { Badge, cell, Table } from '../../components/Table';
import { useCan } from '../auth/session';
import { PeriodFields, ProgressBar } from './fields';
import { defaultPeriod, periodOf, periodText, type PeriodDraft } from './format';

/** The worksheet of an audit. */
export const auditPath = (id: string) => `/reports/audits/${encodeURIComponent(id)}`;

/** Sample audits: a reproducible sample of a period's applied changes, checked by hand. */
export function AuditsSection() {
  const canWork = useCan('audits.work');
  const list = useQuery(auditsQuery());
  const [creating, setCreating] = useState(false);

  return (
    <section aria-labelledby="audits-title" className="space-y-3">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h2 id="audits-title" className={sectionTitle}>Sample audits</h2>
          <p className="max-w-3xl text-sm text-gray-600">
            A stratified sample of a period’s applied changes (by agent, field and sensitivity), for a person to check one by one. The seed makes
            the sample reproducible: an auditor can draw it again and get the same changes.
          </p>
        </div>
        {canWork && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            New sample audit
          </button>
        )}
      </div>
      {list.isPending ? (
        <Loading label="Loading audits…" />
      ) : list.error ? (
        <ErrorState error={list.error} title="Could not load the audits" onRetry={() => void list.refetch()} />
      ) : list.data.length === 0 ? (
        <Empty>
          No sample audits yet. An audit draws 0.5–2 % of a period’s changes for someone to mark correct or incorrect; incorrect findings count
          against the agent that made them.{canWork ? ' Use “New sample audit”.' : ''}
        </Empty>
      ) : (
        <Table caption="Sample audits, newest first" headers={['Period', 'Rate', 'Seed', 'Sampled', 'Checked', 'Incorrect', 'State', 'Worksheet']}>
          {list.data.map((a) => (
            <AuditRow key={a.id} audit={a} />
          ))}
        </Table>
      )}
      {creating && <NewAuditDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

function AuditRow({ audit: a }: { audit: Audit }) {
  const period = periodText(a.since, a.until);
  const number = `${cell} text-right tabular-nums whitespace-nowrap`;
  return (
    <tr>
      <td className={cell}>
        <div className="whitespace-nowrap">{period}</div>
        <div className="mt-0.5 text-xs text-gray-500">
          {a.created_by_name} · {formatDateTime(a.created_at)}
        </div>
      </td>
      <td className={`${cell} whitespace-nowrap`}>{rateLabel(a.rate_bps)}</td>
      <td className={`${cell} font-mono text-xs`}>{a.seed}</td>
      <td className={number}>
        {formatCount(a.sampled)} <span className="text-gray-500">of {formatCount(a.population)}</span>
      </td>
      <td className={`${cell} min-w-32`}>
        <p className="text-xs text-gray-700 tabular-nums">
          {formatCount(a.checked)}/{formatCount(a.sampled)}
        </p>
        <ProgressBar value={a.checked} max={a.sampled} label={`Checked changes of the audit of ${period}`} />
      </td>
      <td className={`${number} ${a.incorrect > 0 ? 'font-medium text-red-700' : ''}`}>{formatCount(a.incorrect)}</td>
      <td className={cell}>{a.closed_at ? <Badge tone="gray" title={`Closed ${formatDateTime(a.closed_at)}`}>closed</Badge> : <Badge tone="blue">open</Badge>}</td>
      <td className={cell}>
        <Link to={auditPath(a.id)} className="font-medium whitespace-nowrap text-accent-700 hover:underline" aria-label={`Worksheet of the audit of ${period}`}>
          Worksheet
        </Link>
      </td>
    </tr>
  );
}

const SHOWN = ['rate_bps', 'seed', 'period.since', 'period.until'];

/** Draws a sample: period, rate (0.5–2 %, sent in basis points) and optional seed; opens its worksheet. */
function NewAuditDialog({ onClose }: { onClose: () => void }) {
  const navigate = useNavigate();
  const [period, setPeriod] = useState<PeriodDraft>(() => defaultPeriod());
  const [rate, setRate] = useState('1');
  const [seed, setSeed] = useState('');
  const [local, setLocal] = useState<{ since?: string; until?: string; seed?: string }>({});
  const create = useCreateAudit();
  const { all, rest, formError } = splitErrors(create.error, SHOWN);
  const submit = () => {
    const { since, until } = periodOf(period);
    const s = seed.trim();
    const checks = {
      since: since ? undefined : 'is required',
      until: until ? undefined : 'is required',
      // A seed travels as a JSON number: beyond 2^53 it would silently change.
      seed: s === '' || (/^\d+$/.test(s) && Number.isSafeInteger(Number(s))) ? undefined : `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`,
    };
    setLocal(checks);
    if (checks.since || checks.until || checks.seed) return;
    create.mutate(
      { period: { since, until }, rate_bps: Math.round(Number(rate) * 100), seed: s === '' ? undefined : Number(s) },
      { onSuccess: (a) => navigate(auditPath(a.id)) },
    );
  };

  return (
    <Modal label="New sample audit" subtitle="The sample is drawn at once; its worksheet opens next." onClose={onClose}>
      <form
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <PeriodFields value={period} onChange={setPeriod} errors={{ since: local.since ?? all['period.since'], until: local.until ?? all['period.until'] }} />
        <div className="grid grid-cols-2 gap-3">
          <FormField
            label="Sample rate (%)"
            type="number"
            min="0.5"
            max="2"
            step="0.1"
            value={rate}
            hint="0.5 % to 2 % of the period’s changes, spread over every agent, field and sensitivity"
            error={all.rate_bps}
            onChange={(e) => setRate(e.target.value)}
          />
          <FormField
            label="Seed (optional)"
            inputMode="numeric"
            value={seed}
            placeholder="drawn at random"
            hint="The same seed draws the same sample."
            error={local.seed ?? all.seed}
            onChange={(e) => setSeed(e.target.value)}
          />
        </div>
        <FieldErrorList title="Check the audit" errors={rest} />
        {formError && <ErrorState error={create.error} title="The sample was not drawn" />}
        <FormActions onCancel={onClose} pending={create.isPending} pendingLabel="Drawing…">
          Draw sample
        </FormActions>
      </form>
    </Modal>
  );
}
