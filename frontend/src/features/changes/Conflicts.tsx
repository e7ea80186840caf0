import { Link } from 'react-router';
import type { RollbackConflict } from '../../api/client';
import { Table } from '../../components/Table';
import { changeLogPath } from './filters';
import { ChangeValue } from './values';

/** One conflict's three values side by side: Before / Ours / Current in the CRM. */
export function ThreeWay({ conflict: c }: { conflict: RollbackConflict }) {
  const column = (label: string, hint: string, value: unknown) => (
    <div className="rounded-md border border-gray-200 bg-gray-50 px-3 py-2">
      <dt className="text-xs font-semibold text-gray-700">{label}</dt>
      <dd className="mt-0.5 text-xs text-gray-500">{hint}</dd>
      <dd className="mt-1.5">
        <ChangeValue value={value} />
      </dd>
    </div>
  );
  return (
    <dl className="grid grid-cols-1 gap-2 sm:grid-cols-3">
      {column('Before', 'before the change', c.before)}
      {column('Ours', "what the agent's change wrote", c.ours)}
      {column('Current', 'in the CRM now', c.current)}
    </dl>
  );
}

// Denser than the house cell: six columns must fit a dialog.
const cell = 'px-3 py-2 align-top text-gray-700';

interface ConflictTableProps {
  caption: string;
  conflicts: readonly RollbackConflict[];
  /**
   * When given, each record links to the change log of that record and field;
   * called as a link is followed, to close the dialog that covers the log.
   */
  onOpenLog?: () => void;
}

/** Changes a rollback left for a human, one row each. */
export function ConflictTable({ caption, conflicts, onOpenLog }: ConflictTableProps) {
  return (
    <Table caption={caption} headers={['#', 'Record', 'Field', 'Before', 'Ours', 'Current', 'Problem']}>
      {conflicts.map((c) => (
        <tr key={c.seq}>
          <td className={`${cell} font-mono text-xs`}>#{c.seq}</td>
          <td className={cell}>
            {onOpenLog ? (
              <Link
                to={changeLogPath(c.record_id, c.field)}
                onClick={onOpenLog}
                aria-label={`${c.object} / ${c.record_id}: change log of ${c.field}`}
                title={`The change log of ${c.field} on this record`}
                className="text-accent-700 hover:underline"
              >
                {c.object} / <span className="font-mono text-xs">{c.record_id}</span>
              </Link>
            ) : (
              <>
                {c.object} / <span className="font-mono text-xs">{c.record_id}</span>
              </>
            )}
          </td>
          <td className={`${cell} font-mono text-xs`}>{c.field}</td>
          <td className={cell}>
            <ChangeValue value={c.before} />
          </td>
          <td className={cell}>
            <ChangeValue value={c.ours} />
          </td>
          <td className={cell}>
            <ChangeValue value={c.current} />
          </td>
          <td className={`${cell} text-xs`}>{c.problem || <span className="text-gray-400">—</span>}</td>
        </tr>
      ))}
    </Table>
  );
}
