import type { SandboxChange } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { Empty } from '../../components/states';
import { Badge, cell, Table, type BadgeTone } from '../../components/Table';
import { toDraft, type EditorField } from './recordValues';

const SOURCE_TONES: Record<SandboxChange['source'], BadgeTone> = { human: 'blue', api: 'violet', import: 'amber', system: 'gray', unknown: 'gray' };

/** The record's field history as the CRM keeps it, newest first, with who or what made each change. */
export function RecordHistory({ history, fields }: { history: readonly SandboxChange[]; fields: readonly EditorField[] }) {
  if (history.length === 0) return <Empty>No history for this record yet.</Empty>;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const rows = [...history].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Table caption="Record history" headers={['Field', 'Value', 'When', 'Source', 'Actor']}>
      {rows.map((h, i) => (
        <tr key={`${h.at}-${h.field}-${i}`}>
          <td className={cell}>
            {byName.get(h.field)?.label ?? h.field}
            <span className="block font-mono text-xs text-gray-500">{h.field}</span>
          </td>
          <td className={`${cell} max-w-xs break-words`}>
            <HistoryValue value={h.value} field={byName.get(h.field)} />
          </td>
          <td className={`${cell} whitespace-nowrap`}>
            <time dateTime={h.at}>{formatDateTime(h.at)}</time>
          </td>
          <td className={cell}>
            <Badge tone={SOURCE_TONES[h.source] ?? 'gray'}>{h.source}</Badge>
          </td>
          <td className={cell}>{h.actor || <span className="text-gray-400">—</span>}</td>
        </tr>
      ))}
    </Table>
  );
}

/** A historical value, by its option label when the field is an enumeration. */
function HistoryValue({ value, field }: { value: unknown; field?: EditorField }) {
  if (value === null || value === undefined || value === '') return <span className="text-gray-500 italic">cleared</span>;
  const raw = toDraft(value);
  const option = field?.options.find((o) => o.value === raw);
  if (!option || option.label === raw) return raw;
  return (
    <>
      {option.label} <span className="font-mono text-xs text-gray-500">{raw}</span>
    </>
  );
}
