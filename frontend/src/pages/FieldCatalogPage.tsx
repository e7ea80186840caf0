import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { Connection, Field } from '../api/client';
import { connectionsQuery, fieldPageQuery } from '../api/catalog';
import { Pager } from '../components/Pager';
import { Empty, ErrorState, Loading, Success } from '../components/states';
import { card, primaryButton, secondaryButton, sectionTitle } from '../components/styles';
import { useSearchParamsState } from '../components/useSearchParamsState';
import { useCan } from '../features/auth/session';
import { BulkBar } from '../features/fields/BulkBar';
import { CatalogFilterBar } from '../features/fields/CatalogFilterBar';
import { FieldDrawer } from '../features/fields/FieldDrawer';
import { FieldTable } from '../features/fields/FieldTable';
import { fieldQueryFor, filtersFromParams, isFiltered, PAGE_SIZE, withFilter, withOffset, withSort, type CatalogFilters } from '../features/fields/filters';
import { PolicyYamlActions } from '../features/fields/PolicyYaml';

// The sandbox CRM's objects; other CRMs' show up as their fields load.
const COMMON_OBJECTS = ['contacts', 'companies', 'deals', 'tickets'];

/** The field catalog of every connection: filters in the URL, server-side paging, bulk edit, field drawer. */
export function FieldCatalogPage() {
  const canManage = useCan('fields.manage');
  const { data, error, isPending, refetch } = useQuery(connectionsQuery());
  if (isPending) return <Loading label="Loading connections…" />;
  if (error) return <ErrorState error={error} title="Could not load the connections" onRetry={() => void refetch()} />;
  if (data.length === 0) return <NoConnections canManage={canManage} />;
  return <Catalog connections={data} canManage={canManage} />;
}

function NoConnections({ canManage }: { canManage: boolean }) {
  return (
    <section className={`${card} space-y-2 text-center`}>
      <h2 className={sectionTitle}>No CRM connected yet</h2>
      <p className="text-sm text-gray-600">
        The catalog lists the fields of your CRMs once a connection has synced them.
        {!canManage && ' Ask an admin to connect one.'}
      </p>
      {canManage && (
        <Link to="/fields/connections" className={`${primaryButton} mt-2`}>
          Connect a CRM
        </Link>
      )}
    </section>
  );
}

/** The page's selection, dropped whenever the view (filters, sort, page) changes. */
function useSelection(viewKey: string) {
  const [state, setState] = useState<{ key: string; ids: ReadonlySet<string> }>({ key: viewKey, ids: new Set() });
  const ids = state.key === viewKey ? state.ids : new Set<string>();
  const update = (next: Set<string>) => setState({ key: viewKey, ids: next });
  return {
    ids,
    toggle: (id: string, on: boolean) => {
      const next = new Set(ids);
      if (on) next.add(id);
      else next.delete(id);
      update(next);
    },
    setAll: (fields: readonly Field[], on: boolean) => update(on ? new Set(fields.map((f) => f.id)) : new Set()),
    clear: () => update(new Set()),
  };
}

function Catalog({ connections, canManage }: { connections: Connection[]; canManage: boolean }) {
  const [params, setParams] = useSearchParamsState();
  const filters = filtersFromParams(params);
  const query = fieldQueryFor(filters);
  const page = useQuery(fieldPageQuery(query));
  const selection = useSelection(JSON.stringify(query));
  const [notice, setNotice] = useState<string>();
  const fieldId = params.get('field');

  const withField = (id: string | null, base = params) => {
    const next = new URLSearchParams(base);
    if (id) next.set('field', id);
    else next.delete('field');
    return next;
  };
  const objects = [...new Set([...COMMON_OBJECTS, ...(page.data?.fields.map((f) => f.object) ?? [])])].sort();
  const fields = page.data?.fields ?? [];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-gray-600">Every field of every connection, with the policy that decides what agents may do with it.</p>
        <PolicyYamlActions connectionId={filters.connection_id} canManage={canManage} />
      </div>
      <CatalogFilterBar
        filters={filters}
        connections={connections}
        objects={objects}
        onChange={(key, value) => setParams((p) => withFilter(p, key, value))}
        onClear={isFiltered(filters) ? () => setParams(clearedParams) : undefined}
      />
      {notice && <Success>{notice}</Success>}
      {page.isPending ? (
        <Loading label="Loading fields…" />
      ) : page.error && !page.data ? (
        <ErrorState error={page.error} title="Could not load the fields" onRetry={() => void page.refetch()} />
      ) : (
        <div className="space-y-3">
          {page.error && <ErrorState error={page.error} title="Could not load this page" onRetry={() => void page.refetch()} />}
          {fields.length === 0 ? (
            <NoFields filters={filters} total={page.data!.total} onFirstPage={() => setParams((p) => withOffset(p, 0))} />
          ) : (
            <>
              <Pager offset={filters.offset} pageSize={PAGE_SIZE} count={fields.length} total={page.data!.total} busy={page.isPlaceholderData} onOffset={(o) => setParams((p) => withOffset(p, o))} />
              <div className={page.isPlaceholderData ? 'opacity-60 transition-opacity' : undefined}>
                <FieldTable
                  fields={fields}
                  sort={filters.sort}
                  onSort={(s) => setParams((p) => withSort(p, s))}
                  fieldHref={(id) => `?${withField(id)}`}
                  selection={
                    canManage
                      ? { ids: selection.ids, toggle: (id, on) => { setNotice(undefined); selection.toggle(id, on); }, setPage: (on) => selection.setAll(fields, on) }
                      : undefined
                  }
                />
              </div>
              {fields.length > 20 && (
                <Pager offset={filters.offset} pageSize={PAGE_SIZE} count={fields.length} total={page.data!.total} buttonsOnly onOffset={(o) => setParams((p) => withOffset(p, o))} />
              )}
            </>
          )}
        </div>
      )}
      {canManage && selection.ids.size > 0 && (
        <BulkBar
          fieldIds={[...selection.ids]}
          onClear={selection.clear}
          onDone={(updated) => {
            selection.clear();
            setNotice(`Updated ${updated.toLocaleString('en-US')} ${updated === 1 ? 'field' : 'fields'}`);
          }}
        />
      )}
      {fieldId && <FieldDrawer fieldId={fieldId} canManage={canManage} onClose={() => setParams((p) => withField(null, p))} />}
    </div>
  );
}

/** The URL without any filter, keeping the sort (and an open drawer). */
function clearedParams(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams();
  for (const key of ['sort', 'field']) {
    const v = params.get(key);
    if (v) next.set(key, v);
  }
  return next;
}

function NoFields({ filters, total, onFirstPage }: { filters: CatalogFilters; total: number; onFirstPage: () => void }) {
  if (total > 0) {
    return (
      <Empty>
        No fields on this page.{' '}
        <button type="button" className={`${secondaryButton} ml-2`} onClick={onFirstPage}>
          Go to the first page
        </button>
      </Empty>
    );
  }
  if (isFiltered(filters)) return <Empty>No fields match these filters.</Empty>;
  return <Empty>No fields synced yet. Sync a connection to fill the catalog.</Empty>;
}
