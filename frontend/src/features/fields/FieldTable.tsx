import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import type { Field } from '../../api/client';
import { Badge, cell, headCell, tableFrame } from '../../components/Table';
import { ModeBadge, NeedsDecisionBadge, SensitivityBadge, TagList } from './badges';
import type { SortKey } from './filters';

interface Selection {
  ids: ReadonlySet<string>;
  toggle: (id: string, on: boolean) => void;
  setPage: (on: boolean) => void;
}

interface Props {
  fields: readonly Field[];
  sort: SortKey;
  onSort: (sort: SortKey) => void;
  /** The link that opens a field's drawer. */
  fieldHref: (id: string) => string;
  /** Present only for users who may bulk-edit. */
  selection?: Selection;
}

const columns: { label: string; sort?: SortKey }[] = [
  { label: 'Object', sort: 'object' },
  { label: 'Field', sort: 'label' },
  { label: 'Type' },
  { label: 'CRM sensitivity' },
  { label: 'Sensitivity', sort: 'sensitivity' },
  { label: 'Mode', sort: 'mode' },
  { label: 'Tags' },
  { label: 'Decision' },
];

/** One page of the field catalog. */
export function FieldTable({ fields, sort, onSort, fieldHref, selection }: Props) {
  return (
    <div className={tableFrame}>
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <caption className="sr-only">Field catalog</caption>
        <thead className="bg-gray-50">
          <tr>
            {selection && (
              <th scope="col" className={`${headCell} w-10`}>
                <PageCheckbox fields={fields} selection={selection} />
              </th>
            )}
            {columns.map((c) => (
              <th key={c.label} scope="col" className={headCell} aria-sort={c.sort && c.sort === sort ? 'ascending' : undefined}>
                {c.sort ? <SortButton label={c.label} active={c.sort === sort} onClick={() => onSort(c.sort!)} /> : c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {fields.map((f) => (
            <FieldRow key={f.id} field={f} href={fieldHref(f.id)} selection={selection} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SortButton({ label, active, onClick }: { label: string; active: boolean; onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} className={`inline-flex items-center gap-1 uppercase hover:text-gray-900 ${active ? 'text-gray-900' : ''}`}>
      {label}
      <span aria-hidden className={active ? 'text-accent-600' : 'text-gray-300'}>
        ▲
      </span>
    </button>
  );
}

function PageCheckbox({ fields, selection }: { fields: readonly Field[]; selection: Selection }) {
  const ref = useRef<HTMLInputElement>(null);
  const count = fields.filter((f) => selection.ids.has(f.id)).length;
  const all = fields.length > 0 && count === fields.length;
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = count > 0 && !all;
  }, [count, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label="Select all fields on this page"
      className="size-4 rounded border-gray-300 accent-accent-600"
      checked={all}
      disabled={fields.length === 0}
      onChange={(e) => selection.setPage(e.target.checked)}
    />
  );
}

function FieldRow({ field: f, href, selection }: { field: Field; href: string; selection?: Selection }) {
  const selected = selection?.ids.has(f.id) ?? false;
  return (
    <tr className={selected ? 'bg-accent-50/60' : undefined}>
      {selection && (
        <td className={cell}>
          <input
            type="checkbox"
            aria-label={`Select ${f.label} (${f.object})`}
            className="size-4 rounded border-gray-300 accent-accent-600"
            checked={selected}
            onChange={(e) => selection.toggle(f.id, e.target.checked)}
          />
        </td>
      )}
      <td className={`${cell} whitespace-nowrap`}>{f.object}</td>
      <td className={cell}>
        <Link to={href} className="font-medium text-accent-700 hover:underline">
          {f.label || f.name}
        </Link>
        <div className="flex items-center gap-1.5">
          <span className="font-mono text-xs text-gray-500">{f.name}</span>
          {f.archived && <Badge tone="gray">archived</Badge>}
        </div>
      </td>
      <td className={cell}>{f.type}</td>
      <td className={cell}>{f.crm_sensitivity || <span className="text-gray-400">—</span>}</td>
      <td className={cell}>
        <SensitivityBadge value={f.policy.sensitivity} />
      </td>
      <td className={cell}>
        <ModeBadge value={f.policy.mode} />
      </td>
      <td className={cell}>
        <TagList tags={f.policy.tags} />
      </td>
      <td className={cell}>{!f.policy.decided && <NeedsDecisionBadge />}</td>
    </tr>
  );
}
