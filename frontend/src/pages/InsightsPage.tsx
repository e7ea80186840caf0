import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useState } from 'react';
import type { DayPoint, Insights } from '../api/client';
import { insightsQuery, pct, useRefreshInsights } from '../api/rollouts';
import { formatCount, formatShortDateTime } from '../components/format';
import { SelectField } from '../components/FormField';
import { Empty, ErrorState, Loading } from '../components/states';
import { card, pageTitle, secondaryButton, sectionTitle } from '../components/styles';
import { cell, headCell } from '../components/Table';
import { useCan } from '../features/auth/session';
import { CalibrationPanel } from '../features/insights/Calibration';
import type { Series } from '../features/insights/LineChart';
import { WhatIfPanel } from '../features/insights/WhatIf';
import { ArmBadge, IntervalBar } from '../features/rollouts/ArmStats';

// Charts are their own chunk, fetched when the page first draws one.
const LineChart = lazy(() => import('../features/insights/LineChart'));

function Chart(props: { title: string; series: readonly Series[]; format: (y: number) => string }) {
  return (
    <Suspense fallback={<div role="status" aria-label="Loading chart" className="h-40 w-full animate-pulse rounded bg-gray-100" />}>
      <LineChart {...props} />
    </Suspense>
  );
}

const DAYS = [7, 30, 90] as const;
const points = (ps: readonly DayPoint[]) => ps.map((p) => ({ x: new Date(p.day), y: p.value }));

/** How often agents' changes are corrected, per arm, and the review desk's health. */
export function InsightsPage() {
  const [days, setDays] = useState(30);
  const q = useQuery(insightsQuery(days));
  const canRefresh = useCan('rollouts.manage');
  const canApply = useCan('fields.manage');
  const refresh = useRefreshInsights();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div className="space-y-1">
          <h1 className={pageTitle}>Insights</h1>
          <p className="max-w-3xl text-sm text-gray-600">
            Correction rates per agent, field and rollout arm with 95 % intervals, and the review desk's health.
            {q.data?.folded_at ? ` Folded ${formatShortDateTime(q.data.folded_at)}` : ' Not folded yet'} (every 2 minutes).
          </p>
        </div>
        <div className="flex items-end gap-2">
          <SelectField label="Period" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
            {DAYS.map((d) => <option key={d} value={d}>Last {d} days</option>)}
          </SelectField>
          {canRefresh && (
            <button type="button" className={secondaryButton} disabled={refresh.isPending} onClick={() => refresh.mutate()}>
              {refresh.isPending ? 'Refreshing…' : 'Refresh now'}
            </button>
          )}
        </div>
      </div>
      {q.isPending ? (
        <Loading label="Loading insights…" />
      ) : q.error ? (
        <ErrorState error={q.error} title="Could not load the insights" onRetry={() => void q.refetch()} />
      ) : (
        <Overview data={q.data} canApply={canApply} />
      )}
      <WhatIfPanel />
    </div>
  );
}

function Overview({ data, canApply }: { data: Insights; canApply: boolean }) {
  const slaShare = data.sla.decided ? data.sla.met / data.sla.decided : 0;
  return (
    <div className="space-y-4">
      <section aria-labelledby="rates" className={`${card} space-y-3`}>
        <h2 id="rates" className={sectionTitle}>Correction rates</h2>
        {data.rows.length === 0 ? (
          <Empty>No outcomes yet in the last {data.days} days: rates appear once reviewers decide or changes are applied.</Empty>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Correction rate per agent, field and arm</caption>
              <thead>
                <tr>
                  {['Agent', 'Field', 'Arm', 'Outcomes', 'Corrected', 'Rate (95 %)'].map((h) => <th key={h} scope="col" className={headCell}>{h}</th>)}
                  <th scope="col" className={`${headCell} hidden md:table-cell`}><span className="sr-only">Interval</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100">
                {data.rows.flatMap((r) =>
                  r.arms.map((a, i) => (
                    <tr key={`${r.agent_id}|${r.field}|${a.arm}`}>
                      <td className={cell}>{i === 0 ? r.agent_name : ''}</td>
                      <td className={cell}>{i === 0 ? r.field : ''}</td>
                      <td className={cell}>
                        <ArmBadge arm={a.arm} />
                        {a.arm === 'shadow' && <span className="ml-2 text-xs text-gray-500">agreement {pct(1 - a.rate)}</span>}
                      </td>
                      <td className={cell}>{formatCount(a.applied)}</td>
                      <td className={cell}>{formatCount(a.corrected)}</td>
                      <td className={cell}>{pct(a.rate)} ({pct(a.ci_low)}–{pct(a.ci_high)})</td>
                      <td className={`${cell} hidden md:table-cell`}><IntervalBar stats={a} /></td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <section aria-labelledby="ttu" className={`${card} space-y-2`}>
          <h2 id="ttu" className={sectionTitle}>Time to update</h2>
          <p className="text-sm text-gray-700">
            {data.time_to_update.applied === 0
              ? 'Nothing applied in this period.'
              : `Proposal → applied: ${data.time_to_update.avg_minutes.toFixed(1)} min on average over ${formatCount(data.time_to_update.applied)} changes.`}
          </p>
          <Chart title="Average minutes from proposal to applied, per day" series={[{ label: 'Minutes', points: points(data.time_to_update.per_day), tone: 'stroke-accent-600' }]} format={(y) => `${y.toFixed(0)} min`} />
        </section>
        <section aria-labelledby="sla" className={`${card} space-y-2`}>
          <h2 id="sla" className={sectionTitle}>SLA compliance</h2>
          <p className="text-sm text-gray-700">
            {data.sla.decided === 0 ? 'No review decisions in this period.' : `${pct(slaShare)} of ${formatCount(data.sla.decided)} decisions met their SLA`}
            {data.sla.per_sensitivity.length > 0 && ` (${data.sla.per_sensitivity.map((s) => `${s.sensitivity} ${pct(s.decided ? s.met / s.decided : 0)}`).join(', ')})`}.
          </p>
          <Chart title="Share of decisions within SLA, per day" series={[{ label: 'Met', points: points(data.sla.per_day), tone: 'stroke-green-600' }]} format={(y) => pct(y)} />
        </section>
        <section aria-labelledby="depth" className={`${card} space-y-2`}>
          <h2 id="depth" className={sectionTitle}>Queue depth</h2>
          <Chart
            title="Pending and breached review items over time"
            series={[
              { label: 'Pending', points: data.queue_depth.map((d) => ({ x: new Date(d.at), y: d.pending })), tone: 'stroke-accent-600' },
              { label: 'Past SLA', points: data.queue_depth.map((d) => ({ x: new Date(d.at), y: d.breached })), tone: 'stroke-red-500' },
            ]}
            format={(y) => formatCount(Math.round(y))}
          />
        </section>
        <section aria-labelledby="reasons" className={`${card} space-y-2`}>
          <h2 id="reasons" className={sectionTitle}>Corrections by reason</h2>
          {data.rollbacks_by_reason.length === 0 ? (
            <p className="text-sm text-gray-500">No rollbacks or CRM corrections in this period.</p>
          ) : (
            <ul className="space-y-1.5 text-sm">
              {data.rollbacks_by_reason.map((r) => {
                const max = data.rollbacks_by_reason[0].n || 1;
                return (
                  <li key={`${r.kind}|${r.reason}`} className="space-y-0.5">
                    <div className="flex justify-between gap-2">
                      <span className="truncate">{r.kind === 'crm_edit' ? 'Edited in the CRM' : r.kind === 'rollback' ? 'Rolled back' : r.kind}: {r.reason || '(no reason)'}</span>
                      <span className="text-gray-600">{formatCount(r.n)}</span>
                    </div>
                    <div aria-hidden className="h-1.5 rounded bg-accent-600" style={{ width: `${(r.n / max) * 100}%` }} />
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      </div>
      <CalibrationPanel rows={data.rows} canApply={canApply} />
    </div>
  );
}
