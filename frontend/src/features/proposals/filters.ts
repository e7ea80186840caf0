export { withOffset } from '../../components/Pager';
// The Proposals page's filters and page live in the URL query string (so a view
// can be shared and survives a reload); these functions translate between the
// URL and the query of GET /proposals.
import type { ProposalQuery } from '../../api/client';

export const PAGE_SIZE = 50;

export const ROUTES = ['blocked', 'review', 'two_person', 'auto'] as const;
export type Route = (typeof ROUTES)[number];

/** Every proposal status, in lifecycle order (DESIGN.md §3). */
export const STATUSES = [
  'received', 'blocked', 'queued', 'auto_approved', 'superseded', 'approved', 'edited', 'rejected',
  'expired', 'stale', 'applying', 'applied', 'conflict', 'failed', 'rolled_back',
] as const;

/** The validators' flags. */
export const FLAGS = ['clears_value', 'email_domain_change', 'name_rewrite', 'enum_outside_options', 'close_date_in_past', 'amount_jump'] as const;

/** The URL parameters that narrow the list (each resets the page when it changes). */
export const FILTER_PARAMS = ['agent_id', 'status', 'route', 'object', 'field', 'flag', 'since', 'until'] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];

/** The view the URL describes; `since`/`until` are local date-times as a datetime-local input holds them. */
export type ProposalFilters = Partial<Record<FilterParam, string>> & { offset: number };

function oneOf(allowed: readonly string[], value: string | null): string | undefined {
  return allowed.find((a) => a === value);
}

/** A datetime-local value ("2026-03-05T10:00") if the text is one, else undefined. */
export function localDateTime(value: string | null): string | undefined {
  return value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) && !Number.isNaN(new Date(value).getTime()) ? value : undefined;
}

/** Reads the filters from a URL query; unknown values are ignored rather than sent. */
export function filtersFromParams(params: URLSearchParams): ProposalFilters {
  const offset = Number(params.get('offset'));
  return {
    agent_id: params.get('agent_id') || undefined,
    status: oneOf(STATUSES, params.get('status')),
    route: oneOf(ROUTES, params.get('route')),
    object: params.get('object')?.trim() || undefined,
    field: params.get('field')?.trim() || undefined,
    flag: oneOf(FLAGS, params.get('flag')),
    since: localDateTime(params.get('since')),
    until: localDateTime(params.get('until')),
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The GET /proposals query for a view: one page of PAGE_SIZE, times as ISO instants. */
export function proposalQueryFor(f: ProposalFilters): ProposalQuery {
  return {
    agent_id: f.agent_id,
    status: f.status,
    route: f.route,
    object: f.object,
    field: f.field,
    flag: f.flag,
    since: f.since && new Date(f.since).toISOString(),
    until: f.until && new Date(f.until).toISOString(),
    limit: PAGE_SIZE,
    offset: f.offset,
  };
}

/** The URL query with one filter changed (empty removes it), back on the first page. */
export function withFilter(params: URLSearchParams, key: FilterParam, value: string | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (!value) next.delete(key);
  else next.set(key, value);
  next.delete('offset');
  return next;
}

/** Whether any filter narrows the view. */
export function isFiltered(f: ProposalFilters): boolean {
  return FILTER_PARAMS.some((k) => Boolean(f[k]));
}

/** A link to the proposals of one agent. */
export function agentProposalsPath(agentId: string): string {
  return `/proposals?${new URLSearchParams({ agent_id: agentId })}`;
}
