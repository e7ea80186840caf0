// Shapes an agent's activity for its charts.
import type { AgentActivity } from '../../api/client';

/** The routes in the order their bars stack (bottom first). */
export const ROUTE_ORDER = ['auto', 'review', 'two_person', 'blocked'] as const;

export interface DayBar {
  day: string;
  total: number;
  /** Count per route, in ROUTE_ORDER, zeros included. */
  segments: { route: string; count: number }[];
}

/** YYYY-MM-DD of a date in UTC (the server counts days in UTC). */
export const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** The last `days` UTC days ending `today` (or the latest day with data, if later), oldest first, with counts per route. */
export function dayBars(byDay: AgentActivity['by_day'], today: Date, days = 14): DayBar[] {
  const latest = byDay.reduce((max, d) => (d.day > max ? d.day : max), utcDay(today));
  const end = new Date(`${latest}T00:00:00Z`);
  const routes = [...ROUTE_ORDER, ...new Set(byDay.map((d) => d.route).filter((r) => !(ROUTE_ORDER as readonly string[]).includes(r)))];
  return Array.from({ length: days }, (_, i) => {
    const day = utcDay(new Date(end.getTime() - (days - 1 - i) * 86_400_000));
    const segments = routes.map((route) => ({
      route,
      count: byDay.filter((d) => d.day === day && d.route === route).reduce((n, d) => n + d.count, 0),
    }));
    return { day, segments, total: segments.reduce((n, s) => n + s.count, 0) };
  });
}

/** The route × status counts grouped by route (routes in ROUTE_ORDER reversed: blocked first), counts descending. */
export function byRoute(rows: AgentActivity['by_route_status']): { route: string; total: number; statuses: { status: string; count: number }[] }[] {
  const groups = new Map<string, { status: string; count: number }[]>();
  for (const r of rows) groups.set(r.route, [...(groups.get(r.route) ?? []), { status: r.status, count: r.count }]);
  const rank = (route: string) => {
    const i = [...ROUTE_ORDER].reverse().indexOf(route as (typeof ROUTE_ORDER)[number]);
    return i < 0 ? ROUTE_ORDER.length : i;
  };
  return [...groups]
    .map(([route, statuses]) => ({ route, statuses: statuses.sort((a, b) => b.count - a.count), total: statuses.reduce((n, s) => n + s.count, 0) }))
    .sort((a, b) => rank(a.route) - rank(b.route));
}
