import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { auditQuery, rateLabel, type AuditDetail } from '../api/reports';
import { formatCount, formatDateTime } from '../components/format';
import { ErrorState, Loading } from '../components/states';
import { card, pageTitle, sectionTitle } from '../components/styles';
import { Badge, cell, Table } from '../components/Table';
import { ProgressBar } from '../features/reports/fields';
import { periodText } from '../features/reports/format';
import { Worksheet } from '../features/reports/Worksheet';

/** One sample audit: how it was drawn, its strata, and the worksheet of its sampled changes. */
export function AuditWorksheetPage() {
  const { auditId = '' } = useParams();
  const audit = useQuery(auditQuery(auditId));
  return (
    <div className="space-y-6">
      <Link to="/reports" className="text-sm font-medium text-accent-700 hover:underline">
        ← Reports
      </Link>
      {audit.isPending ? (
        <Loading label="Loading the audit…" />
      ) : audit.error ? (
        <ErrorState error={audit.error} title="Could not load the audit" onRetry={() => void audit.refetch()} />
      ) : (
        <>
          <AuditHeader audit={audit.data} />
          <Strata audit={audit.data} />
          <Worksheet audit={audit.data} />
        </>
      )}
    </div>
  );
}

function AuditHeader({ audit: a }: { audit: AuditDetail }) {
  return (
    <header className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <h1 className={pageTitle}>Sample audit · {periodText(a.since, a.until)}</h1>
        {a.closed_at ? <Badge tone="gray">closed</Badge> : <Badge tone="blue">open</Badge>}
      </div>
      {a.closed_at && (
        <p role="status" className="rounded-md border border-gray-200 bg-gray-50 px-4 py-3 text-sm text-gray-700">
          Closed {formatDateTime(a.closed_at)}: the findings are final, and its {formatCount(a.incorrect)} incorrect{' '}
          {a.incorrect === 1 ? 'finding counts as a correction' : 'findings count as corrections'} of the agents in the rollout metrics.
        </p>
      )}
      <dl className={`${card} grid grid-cols-2 gap-x-6 gap-y-3 text-sm sm:grid-cols-4`}>
        <div>
          <dt className="text-gray-500">Period</dt>
          <dd className="text-gray-900">{periodText(a.since, a.until)}</dd>
        </div>
        <div>
          <dt className="text-gray-500">Sample rate</dt>
          <dd className="text-gray-900">{rateLabel(a.rate_bps)}</dd>
        </div>
        <div>
          <dt className="text-gray-500">Seed</dt>
          <dd className="font-mono text-xs text-gray-900">{a.seed}</dd>
        </div>
        <div>
          <dt className="text-gray-500">Drawn</dt>
          <dd className="text-gray-900">
            {a.created_by_name} · {formatDateTime(a.created_at)}
          </dd>
        </div>
        <div>
          <dt className="text-gray-500">Sampled</dt>
          <dd className="text-gray-900">
            {formatCount(a.sampled)} of {formatCount(a.population)} changes
          </dd>
        </div>
        <div>
          <dt className="text-gray-500">Incorrect</dt>
          <dd className={a.incorrect > 0 ? 'font-medium text-red-700' : 'text-gray-900'}>{formatCount(a.incorrect)}</dd>
        </div>
        <div className="col-span-2">
          <dt className="text-gray-500">Progress</dt>
          <dd className="space-y-1 text-gray-900">
            <span>
              {formatCount(a.checked)} of {formatCount(a.sampled)} checked
            </span>
            <ProgressBar value={a.checked} max={a.sampled} label="Audit progress" />
          </dd>
        </div>
      </dl>
    </header>
  );
}

function Strata({ audit }: { audit: AuditDetail }) {
  return (
    <section aria-labelledby="strata-title" className="space-y-2">
      <h2 id="strata-title" className={sectionTitle}>Strata</h2>
      <p className="text-sm text-gray-600">The period’s changes by agent, field and sensitivity, and how many of each were drawn.</p>
      {audit.strata.length === 0 ? (
        <p className="text-sm text-gray-500">The period had no applied changes to sample.</p>
      ) : (
        <Table caption="Strata of the sample" headers={['Agent', 'Field', 'Sensitivity', 'Population', 'Sampled']}>
          {audit.strata.map((s) => (
            <tr key={`${s.agent_id ?? s.agent}|${s.field}|${s.sensitivity}`}>
              <td className={cell}>{s.agent}</td>
              <td className={`${cell} font-mono text-xs`}>{s.field}</td>
              <td className={cell}>{s.sensitivity}</td>
              <td className={`${cell} text-right tabular-nums`}>{formatCount(s.population)}</td>
              <td className={`${cell} text-right tabular-nums`}>{formatCount(s.sampled)}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
