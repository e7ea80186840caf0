import { useQuery } from '@tanstack/react-query';
import { reviewMetricsQuery } from '../../api/review';
import { formatCount } from '../../components/format';

const pct = (v?: number) => (v === undefined || v === null ? '—' : `${Math.round(v * 100)}%`);
const secs = (v?: number) => (v === undefined || v === null ? '—' : v < 90 ? `${Math.round(v)} s` : v < 5400 ? `${Math.round(v / 60)} min` : `${(v / 3600).toFixed(1)} h`);

/** Pending work by SLA state and the last 24 hours' pace; per queue and per reviewer on demand. */
export function ReviewMetricsPanel() {
  const m = useQuery(reviewMetricsQuery());
  if (!m.data) return m.isPending ? <p className="text-sm text-gray-500">Loading queue numbers…</p> : null;
  const q = m.data.queues;
  const sum = (k: 'on_track' | 'at_risk' | 'breached' | 'decisions_24h') => q.reduce((n, x) => n + x[k], 0);
  const decided = sum('decisions_24h');
  const weighted = (k: 'median_decision_seconds' | 'sla_compliance') => {
    const rows = q.filter((x) => x[k] !== undefined && x[k] !== null);
    const n = rows.reduce((t, x) => t + x.decisions_24h, 0);
    return n ? rows.reduce((t, x) => t + (x[k] as number) * x.decisions_24h, 0) / n : undefined;
  };
  const peak = Math.max(1, ...m.data.decisions_per_hour);
  return (
    <section aria-label="Queue health" className="rounded-lg border border-gray-200 bg-white px-4 py-3 shadow-sm">
      <div className="flex flex-wrap items-end gap-x-6 gap-y-2 text-sm">
        <Stat label="On track" value={formatCount(sum('on_track'))} />
        <Stat label="At risk" value={formatCount(sum('at_risk'))} tone={sum('at_risk') ? 'text-amber-700' : undefined} />
        <Stat label="Breached" value={formatCount(sum('breached'))} tone={sum('breached') ? 'text-red-700' : undefined} />
        <Stat label="Decisions, 24 h" value={formatCount(decided)} />
        <Stat label="Median time to decision" value={secs(weighted('median_decision_seconds'))} />
        <Stat label="Within SLA" value={pct(weighted('sla_compliance'))} />
        <div aria-label="Decisions per hour, last 24 hours" className="flex h-8 items-end gap-px" role="img">
          {m.data.decisions_per_hour.map((n, i) => (
            <span key={i} className="w-1.5 bg-accent-500" style={{ height: `${Math.max(2, (n / peak) * 32)}px` }} title={`${n}`} />
          ))}
        </div>
      </div>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-gray-600">Per queue and per reviewer</summary>
        <div className="mt-2 grid gap-4 md:grid-cols-2">
          <table className="w-full text-left">
            <thead className="text-xs text-gray-500 uppercase">
              <tr><th>Queue</th><th>On track</th><th>At risk</th><th>Breached</th><th>24 h</th><th>In SLA</th></tr>
            </thead>
            <tbody>
              {q.map((x) => (
                <tr key={x.queue_id}>
                  <td>{x.queue_name}</td><td>{x.on_track}</td><td>{x.at_risk}</td><td>{x.breached}</td><td>{x.decisions_24h}</td><td>{pct(x.sla_compliance)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="w-full text-left">
            <thead className="text-xs text-gray-500 uppercase">
              <tr><th>Reviewer</th><th>24 h</th><th>Median</th><th>In SLA</th></tr>
            </thead>
            <tbody>
              {m.data.reviewers.length === 0 ? (
                <tr><td colSpan={4} className="text-gray-500">No decisions in the last 24 hours.</td></tr>
              ) : (
                m.data.reviewers.map((r) => (
                  <tr key={r.user_id}>
                    <td>{r.name}</td><td>{r.decisions}</td><td>{secs(r.median_decision_seconds)}</td><td>{pct(r.sla_compliance)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}

function Stat({ label, value, tone }: { label: string; value: string; tone?: string }) {
  return (
    <div>
      <div className="text-xs text-gray-500">{label}</div>
      <div className={`text-lg font-semibold tabular-nums ${tone ?? 'text-gray-900'}`}>{value}</div>
    </div>
  );
}
