import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { AgentDetail } from '../../api/client';
import { formatCount } from '../../components/format';
import { Empty } from '../../components/states';
import { cell, Table } from '../../components/Table';
import { RouteBadge, StatusBadge } from '../proposals/badges';
import { humanize } from '../proposals/values';
import { byRoute, dayBars, type DayBar } from './activity';

// The route colours of the badges, as solid bar fills.
const ROUTE_FILL: Record<string, string> = { auto: 'bg-green-500', review: 'bg-amber-400', two_person: 'bg-violet-500', blocked: 'bg-red-500' };
const fill = (route: string) => ROUTE_FILL[route] ?? 'bg-gray-400';

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const formatDay = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));

function Panel({ title, children, className = '' }: { title: string; children: ReactNode; className?: string }) {
  return (
    <section aria-label={title} className={`space-y-2 ${className}`}>
      <h3 className="text-sm font-semibold text-gray-900">{title}</h3>
      {children}
    </section>
  );
}

/** What an agent has been doing: velocity against its cap, proposals per day, by route and status, blocked attempts. */
export function Activity({ agent, canSeeProposals }: { agent: AgentDetail; canSeeProposals: boolean }) {
  const { activity } = agent;
  const total = activity.by_route_status.reduce((n, r) => n + r.count, 0);
  const proposalsOf = (extra: Record<string, string> = {}) => `/proposals?${new URLSearchParams({ agent_id: agent.id, ...extra })}`;
  return (
    <div className="space-y-6">
      <Velocity agent={agent} />
      {total === 0 ? (
        <Empty>No proposals from this agent yet.</Empty>
      ) : (
        <>
          <Panel title="Last 14 days by route">
            <DayChart bars={dayBars(activity.by_day, new Date())} />
          </Panel>
          <div className="grid gap-6 lg:grid-cols-2">
            <Panel title="Proposals by route and status">
              <RouteStatusTable rows={activity.by_route_status} total={total} href={canSeeProposals ? proposalsOf : undefined} />
            </Panel>
            <Panel title="Blocked attempts by field">
              {activity.blocked_by_field.length === 0 ? (
                <p className="text-sm text-gray-500">None blocked.</p>
              ) : (
                <Table caption="Blocked attempts by field" headers={['Field', 'Attempts']}>
                  {activity.blocked_by_field.map((f) => (
                    <tr key={`${f.object}.${f.field}`}>
                      <td className={`${cell} font-mono text-xs`}>
                        {canSeeProposals ? (
                          <Link className="text-accent-700 hover:underline" to={proposalsOf({ status: 'blocked', object: f.object, field: f.field })}>
                            {f.object}.{f.field}
                          </Link>
                        ) : (
                          `${f.object}.${f.field}`
                        )}
                      </td>
                      <td className={`${cell} tabular-nums`}>{formatCount(f.count)}</td>
                    </tr>
                  ))}
                </Table>
              )}
            </Panel>
          </div>
        </>
      )}
    </div>
  );
}

/** Distinct records targeted in the last hour against the cap, as the breaker counts them. */
function Velocity({ agent }: { agent: AgentDetail }) {
  const used = agent.activity.distinct_records_last_hour;
  const share = Math.min(1, used / Math.max(1, agent.velocity_cap));
  const tone = agent.breaker_open || used > agent.velocity_cap ? 'bg-red-500' : share >= 0.8 ? 'bg-amber-400' : 'bg-accent-600';
  return (
    <Panel title="Velocity, last hour">
      <p className="text-sm text-gray-700">
        <span className="font-semibold text-gray-900 tabular-nums">{formatCount(used)}</span> of {formatCount(agent.velocity_cap)} distinct records targeted
        {used > agent.velocity_cap && <span className="font-medium text-red-700"> — over the cap</span>}
      </p>
      <div
        role="meter"
        aria-label="Distinct records in the last hour"
        aria-valuemin={0}
        aria-valuemax={agent.velocity_cap}
        aria-valuenow={Math.min(used, agent.velocity_cap)}
        aria-valuetext={`${used} of ${agent.velocity_cap}`}
        className="h-2.5 w-full max-w-md overflow-hidden rounded-full bg-gray-100"
      >
        <div className={`h-full ${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
    </Panel>
  );
}

function DayChart({ bars }: { bars: DayBar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.total));
  const routes = bars[0]?.segments.map((s) => s.route) ?? [];
  return (
    <div className="space-y-2">
      <div className="flex h-36 items-end gap-1.5 border-b border-gray-200 pb-px">
        {bars.map((b) => {
          const label = `${formatDay(b.day)}: ${b.total === 0 ? 'no proposals' : b.segments.filter((s) => s.count).map((s) => `${s.count} ${humanize(s.route)}`).join(', ')}`;
          return (
            <div key={b.day} role="img" aria-label={label} title={label} className="flex h-full flex-1 flex-col justify-end">
              <div className="flex w-full flex-col-reverse overflow-hidden rounded-t-sm" style={{ height: `${(b.total / max) * 100}%` }}>
                {b.segments.filter((s) => s.count > 0).map((s) => (
                  <div key={s.route} className={fill(s.route)} style={{ height: `${(s.count / b.total) * 100}%` }} />
                ))}
              </div>
            </div>
          );
        })}
      </div>
      <div aria-hidden className="flex gap-1.5 text-[10px] text-gray-500">
        {bars.map((b, i) => (
          <span key={b.day} className="flex-1 text-center">
            {i % 2 === 1 || i === bars.length - 1 ? formatDay(b.day) : ''}
          </span>
        ))}
      </div>
      <ul aria-label="Legend" className="flex flex-wrap gap-4 text-xs text-gray-600">
        {routes.map((r) => (
          <li key={r} className="inline-flex items-center gap-1.5">
            <span aria-hidden className={`size-2.5 rounded-sm ${fill(r)}`} />
            {humanize(r)}
          </li>
        ))}
      </ul>
    </div>
  );
}

function RouteStatusTable({ rows, total, href }: { rows: AgentDetail['activity']['by_route_status']; total: number; href?: (q: Record<string, string>) => string }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <Table caption="Proposals by route and status" headers={['Route', 'Status', 'Proposals']}>
      {byRoute(rows).flatMap((g) =>
        g.statuses.map((s, i) => (
          <tr key={`${g.route}-${s.status}`}>
            <td className={cell}>{i === 0 && <RouteBadge route={g.route} />}</td>
            <td className={cell}>
              {href ? (
                <Link to={href({ route: g.route, status: s.status })} className="hover:opacity-80">
                  <StatusBadge status={s.status} />
                </Link>
              ) : (
                <StatusBadge status={s.status} />
              )}
            </td>
            <td className={cell}>
              <span className="flex items-center gap-2">
                <span className="w-10 text-right tabular-nums">{formatCount(s.count)}</span>
                <span aria-hidden className="h-2 w-24 overflow-hidden rounded-full bg-gray-100">
                  <span className={`block h-full ${fill(g.route)}`} style={{ width: `${(s.count / max) * 100}%` }} />
                </span>
              </span>
            </td>
          </tr>
        )),
      )}
      <tr>
        <td className={`${cell} font-medium`} colSpan={2}>
          Total
        </td>
        <td className={`${cell} font-medium tabular-nums`}>
          <span className="inline-block w-10 text-right">{formatCount(total)}</span>
        </td>
      </tr>
    </Table>
  );
}
