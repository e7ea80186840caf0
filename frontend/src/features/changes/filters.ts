// The change log's filters live in the URL query string, so a view can be
// shared (`/changelog?record_id=123&field=dealstage`) and survives a reload;
// these functions translate between the URL and the query of GET /changes.
import type { ChangeEvent, RollbackFilter } from '../../api/client';
import { formatShortDateTime } from '../../components/format';
import { localDateTime } from '../proposals/filters';

export const ACTOR_KINDS: readonly ChangeEvent['actor_kind'][] = ['agent', 'collaborative', 'human', 'system'];

/** The URL parameters that narrow the log. */
export const FILTER_PARAMS = ['record_id', 'object', 'field', 'agent_id', 'actor_kind', 'since', 'until'] as const;
export type FilterParam = (typeof FILTER_PARAMS)[number];

/** The view the URL describes; `since`/`until` are local date-times as a datetime-local input holds them. */
export type ChangeFilters = Partial<Record<FilterParam, string>>;

/** Reads the filters from a URL query; unknown values are ignored rather than sent. */
export function filtersFromParams(params: URLSearchParams): ChangeFilters {
  const text = (key: FilterParam) => params.get(key)?.trim() || undefined;
  const kind = params.get('actor_kind');
  return {
    record_id: text('record_id'),
    object: text('object'),
    field: text('field'),
    agent_id: text('agent_id'),
    actor_kind: ACTOR_KINDS.find((k) => k === kind),
    since: localDateTime(params.get('since')),
    until: localDateTime(params.get('until')),
  };
}

const instant = (local: string | undefined) => local && new Date(local).toISOString();

/**
 * What the API narrows by for a view, times as ISO instants: the query of
 * GET /changes (without its page) and the filter of a bulk rollback alike.
 */
export function apiFilterFor(f: ChangeFilters): RollbackFilter {
  const text = (v: string | undefined) => v?.trim() || undefined;
  return {
    record_id: text(f.record_id),
    object: text(f.object),
    field: text(f.field),
    agent_id: text(f.agent_id),
    actor_kind: f.actor_kind,
    since: instant(f.since),
    until: instant(f.until),
  };
}

/** The URL query with one filter changed (empty removes it). */
export function withFilter(params: URLSearchParams, key: FilterParam, value: string | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value) next.set(key, value);
  else next.delete(key);
  return next;
}

export function isFiltered(f: ChangeFilters): boolean {
  return FILTER_PARAMS.some((k) => Boolean(f[k]));
}

/** A link to the log of one record, or one field of it. */
export function changeLogPath(recordId: string, field?: string): string {
  return `/changelog?${new URLSearchParams(field ? { record_id: recordId, field } : { record_id: recordId })}`;
}

/**
 * What a bulk rollback targets, in words: "Agent Closer · field dealstage ·
 * Mar 5, 10:00 AM – Mar 6, 10:00 AM". An agent is named when `agentName` knows it.
 */
export function describeRollbackFilter(f: RollbackFilter, agentName: (id: string) => string | undefined): string {
  const parts: string[] = [];
  if (f.agent_id) parts.push(`agent ${agentName(f.agent_id) ?? f.agent_id}`);
  if (f.actor_kind) parts.push(`${f.actor_kind} changes`);
  if (f.batch_id) parts.push(`batch ${f.batch_id}`);
  if (f.rollout_id) parts.push('canary writes of a rollout');
  if (f.record_id) parts.push(`record ${f.object ? `${f.object} / ` : ''}${f.record_id}`);
  else if (f.object) parts.push(`object ${f.object}`);
  if (f.field) parts.push(`field ${f.field}`);
  if (f.since && f.until) parts.push(`${formatShortDateTime(f.since)} – ${formatShortDateTime(f.until)}`);
  else if (f.since) parts.push(`since ${formatShortDateTime(f.since)}`);
  else if (f.until) parts.push(`until ${formatShortDateTime(f.until)}`);
  const text = parts.join(' · ') || 'every change';
  return text[0].toUpperCase() + text.slice(1);
}

/** An instant as a datetime-local input holds it: local time, to the second, rounded down so the instant is included. */
export function localInputOf(iso: string): string {
  const d = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
