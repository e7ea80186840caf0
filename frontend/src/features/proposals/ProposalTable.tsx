import { Link, useNavigate } from 'react-router';
import type { Proposal } from '../../api/client';
import { formatDateTime, formatShortDateTime } from '../../components/format';
import { tableFrame } from '../../components/Table';
import { FlagBadge, RouteBadge, StatusBadge } from './badges';
import { formatConfidence, formatValue, isEmptyValue, truncate } from './values';

const HEADERS = ['Time', 'Agent', 'Record', 'Field', 'Old → proposed', 'Confidence', 'Route · status', 'Flags and reason'];

// Denser than the house cell: eight columns of facts per row must fit the page.
const cell = 'px-3 py-2 align-top text-gray-700';
const headCell = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase';

/** One page of proposals; a row opens its detail at `detailHref(id)`. */
export function ProposalTable({ proposals, detailHref }: { proposals: readonly Proposal[]; detailHref: (id: string) => string }) {
  return (
    <div className={tableFrame}>
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <caption className="sr-only">Proposals</caption>
        <thead className="bg-gray-50">
          <tr>
            {HEADERS.map((h) => (
              <th key={h} scope="col" className={headCell}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {proposals.map((p) => (
            <ProposalRow key={p.id} proposal={p} href={detailHref(p.id)} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Value({ value }: { value: unknown }) {
  const text = formatValue(value);
  return (
    <span title={text.length > 24 ? text : undefined} className={isEmptyValue(value) ? 'text-gray-400 italic' : 'text-gray-900'}>
      {truncate(text, 24)}
    </span>
  );
}

function ProposalRow({ proposal: p, href }: { proposal: Proposal; href: string }) {
  const navigate = useNavigate();
  return (
    // The link in the first cell is the keyboard's way in; the row is a larger target for the mouse.
    <tr className="cursor-pointer hover:bg-gray-50" onClick={(e) => { if (!(e.target as Element).closest('a')) void navigate(href); }}>
      <td className={`${cell} whitespace-nowrap`}>
        <Link to={href} title={formatDateTime(p.created_at)} className="font-medium text-accent-700 hover:underline">
          {formatShortDateTime(p.created_at)}
        </Link>
      </td>
      <td className={cell}>{p.agent_name}</td>
      <td className={`${cell} whitespace-nowrap`}>
        {p.object} · <span className="font-mono text-xs">{p.record_id}</span>
      </td>
      <td className={`${cell} font-mono text-xs`}>{p.field}</td>
      <td className={cell}>
        <span className="inline-flex flex-wrap items-baseline gap-1">
          <Value value={p.expected_old} />
          <span aria-label="to" className="text-gray-400">→</span>
          <Value value={p.operation === 'clear' ? null : p.proposed} />
        </span>
      </td>
      <td className={`${cell} tabular-nums`}>{formatConfidence(p.confidence)}</td>
      <td className={cell}>
        <span className="flex flex-col items-start gap-1">
          <RouteBadge route={p.route} />
          <StatusBadge status={p.status} />
        </span>
      </td>
      <td className={`${cell} max-w-56`}>
        {p.flags.length > 0 && (
          <span className="mb-1 flex flex-wrap gap-1">
            {p.flags.map((f) => (
              <FlagBadge key={f.code} flag={f} />
            ))}
          </span>
        )}
        {p.reasons[0] && (
          <span className="block truncate text-xs text-gray-600" title={p.reasons.join('\n')}>
            {p.reasons[0]}
            {p.reasons.length > 1 && <span className="text-gray-400"> (+{p.reasons.length - 1})</span>}
          </span>
        )}
      </td>
    </tr>
  );
}
