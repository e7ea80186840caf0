import { Link } from 'react-router';
import type { ChangeEvent } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { Badge, cell, Table } from '../../components/Table';
import { secondaryButton } from '../../components/styles';
import { attribution, BeforeAfter, notRevertibleWhy } from './values';

const HEADERS = ['#', 'Time', 'Object / record / field', 'Before → after', 'Who', 'Why'];

interface Props {
  events: readonly ChangeEvent[];
  /** Offered only to those who may roll back; a row's button opens the rollback of its change. */
  onRollback?: (event: ChangeEvent) => void;
  /** Whether a row's proposal may be opened. */
  proposalLinks: boolean;
}

/** The change log, newest first, one row per value written. */
export function ChangeTable({ events, onRollback, proposalLinks }: Props) {
  return (
    <Table caption="Change log" headers={onRollback ? [...HEADERS, 'Actions'] : HEADERS}>
      {events.map((e) => (
        <ChangeRow key={e.seq} event={e} onRollback={onRollback} proposalLink={proposalLinks} />
      ))}
    </Table>
  );
}

function ChangeRow({ event: e, onRollback, proposalLink }: { event: ChangeEvent; onRollback?: (e: ChangeEvent) => void; proposalLink: boolean }) {
  return (
    <tr>
      <td className={`${cell} font-mono text-xs whitespace-nowrap`}>#{e.seq}</td>
      <td className={`${cell} whitespace-nowrap`}>
        <time dateTime={e.at}>{formatDateTime(e.at)}</time>
      </td>
      <td className={cell}>
        {e.object} / <span className="font-mono text-xs">{e.record_id}</span> / <span className="font-mono text-xs">{e.field}</span>
      </td>
      <td className={cell}>
        <BeforeAfter before={e.before} after={e.after} />
      </td>
      <td className={cell}>{attribution(e)}</td>
      <td className={cell}>
        <Why event={e} proposalLink={proposalLink} />
      </td>
      {onRollback && (
        <td className={`${cell} text-right`}>
          <RollbackButton event={e} onRollback={onRollback} />
        </td>
      )}
    </tr>
  );
}

function Why({ event: e, proposalLink }: { event: ChangeEvent; proposalLink: boolean }) {
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      {e.reverts != null && <Badge tone="violet">reverts #{e.reverts}</Badge>}
      {e.reverted_by != null && <Badge tone="amber">rolled back by #{e.reverted_by}</Badge>}
      {e.reason ? <span>{e.reason}</span> : e.reverts == null && e.reverted_by == null && <span className="text-gray-400">—</span>}
      {proposalLink && e.proposal_id && (
        <Link to={`/proposals/${e.proposal_id}`} className="text-xs font-medium text-accent-700 hover:underline">
          Proposal
        </Link>
      )}
    </div>
  );
}

/** Disabled, with the reason as its title and description, for a change that is a rollback or was rolled back. */
function RollbackButton({ event: e, onRollback }: { event: ChangeEvent; onRollback: (e: ChangeEvent) => void }) {
  const why = notRevertibleWhy(e);
  return (
    <button
      type="button"
      className={`${secondaryButton} whitespace-nowrap`}
      aria-label={`Roll back change #${e.seq}`}
      aria-description={why}
      title={why}
      disabled={why !== undefined}
      onClick={() => onRollback(e)}
    >
      Roll back
    </button>
  );
}
