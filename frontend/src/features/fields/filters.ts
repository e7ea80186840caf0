export { withOffset } from '../../components/Pager';
// The catalog's filters, sort and page live in the URL query string (so a view
// can be shared and the back button works); these functions translate between
// the URL and the query of GET /fields.
import {
  MODES,
  SENSITIVITIES,
  TAGS,
  type FieldQuery,
  type ImpactTag,
  type PolicyMode,
  type Sensitivity,
} from '../../api/client';

export const PAGE_SIZE = 100;

export type SortKey = NonNullable<FieldQuery['sort']>;
const SORT_KEYS: readonly SortKey[] = ['object', 'name', 'label', 'sensitivity', 'mode', 'updated'];
export const DEFAULT_SORT: SortKey = 'object';

/** The catalog view the URL describes. */
export interface CatalogFilters {
  connection_id?: string;
  object?: string;
  sensitivity?: Sensitivity;
  mode?: PolicyMode;
  tag?: ImpactTag;
  crm_sensitivity?: string;
  needs_decision: boolean;
  archived: boolean;
  q: string;
  sort: SortKey;
  offset: number;
}

/** The URL parameters that narrow the catalog (each resets the page when it changes). */
export type FilterParam = 'connection_id' | 'object' | 'sensitivity' | 'mode' | 'tag' | 'crm_sensitivity' | 'needs_decision' | 'archived' | 'q';

function oneOf<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return allowed.find((a) => a === value);
}

/** Reads the filters from a URL query; unknown values are ignored rather than sent. */
export function filtersFromParams(params: URLSearchParams): CatalogFilters {
  const offset = Number(params.get('offset'));
  return {
    connection_id: params.get('connection_id') || undefined,
    object: params.get('object') || undefined,
    sensitivity: oneOf(SENSITIVITIES, params.get('sensitivity')),
    mode: oneOf(MODES, params.get('mode')),
    tag: oneOf(TAGS, params.get('tag')),
    crm_sensitivity: params.get('crm_sensitivity') || undefined,
    needs_decision: params.get('needs_decision') === 'true',
    archived: params.get('archived') === 'true',
    q: params.get('q') ?? '',
    sort: oneOf(SORT_KEYS, params.get('sort')) ?? DEFAULT_SORT,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The GET /fields query for a view: one page of PAGE_SIZE. */
export function fieldQueryFor(f: CatalogFilters): FieldQuery {
  return {
    connection_id: f.connection_id,
    object: f.object,
    sensitivity: f.sensitivity,
    mode: f.mode,
    tag: f.tag,
    crm_sensitivity: f.crm_sensitivity,
    needs_decision: f.needs_decision || undefined,
    archived: f.archived || undefined,
    q: f.q.trim() || undefined,
    sort: f.sort,
    limit: PAGE_SIZE,
    offset: f.offset,
  };
}

/** The URL query with one filter changed (empty or false removes it), back on the first page. */
export function withFilter(params: URLSearchParams, key: FilterParam, value: string | boolean | undefined): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === undefined || value === '' || value === false) next.delete(key);
  else next.set(key, String(value));
  next.delete('offset');
  return next;
}

/** The URL query with another sort, back on the first page. */
export function withSort(params: URLSearchParams, sort: SortKey): URLSearchParams {
  const next = new URLSearchParams(params);
  if (sort === DEFAULT_SORT) next.delete('sort');
  else next.set('sort', sort);
  next.delete('offset');
  return next;
}

/** Whether any filter narrows the view (sort and page aside). */
export function isFiltered(f: CatalogFilters): boolean {
  return Boolean(
    f.connection_id || f.object || f.sensitivity || f.mode || f.tag || f.crm_sensitivity || f.needs_decision || f.archived || f.q.trim(),
  );
}

/** A link to the catalog narrowed to one connection, optionally to the fields awaiting a decision. */
export function catalogPath(connectionId: string, needsDecision = false): string {
  const params = new URLSearchParams({ connection_id: connectionId });
  if (needsDecision) params.set('needs_decision', 'true');
  return `/fields?${params}`;
}
