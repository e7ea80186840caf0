import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Proposal } from '../../api/client';
import { formatDateTime, formatShortDateTime } from '../../components/format';
import { tableFrame } from '../../components/Table';
import { FlagBadge, RouteBadge, StatusBadge } from './badges';
import { formatConfidence, formatValue, isEmptyValue, truncate } from './values';

const HEADERS = ['Time · agent', 'Record · field', 'Old → proposed', 'Confidence', 'Route · status', 'Flags and reason'];

// Denser than the house cell: six columns of facts per row must fit a 1280 px page.
const cell = 'px-3 py-2 align-top text-gray-700';
const headCell = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase';

const NARROW = '(max-width: 767px)';

/** Whether the screen is phone-narrow (no matchMedia, as in tests: no). */
function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => typeof window.matchMedia === 'function' && window.matchMedia(NARROW).matches);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const mq = window.matchMedia(NARROW);
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return narrow;
}

/** One page of proposals; a row (a card on a phone) opens its detail at `detailHref(id)`. */
export function ProposalTable({ proposals, detailHref }: { proposals: readonly Proposal[]; detailHref: (id: string) => string }) {
  if (useNarrow()) return <ProposalCards proposals={proposals} detailHref={detailHref} />;
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
        <span className="block max-w-32 truncate text-xs text-gray-500" title={p.agent_name}>
          {p.agent_name}
        </span>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        {p.object} · <span className="font-mono text-xs">{p.record_id}</span>
        <span className="block font-mono text-xs text-gray-500">{p.field}</span>
      </td>
      <td className={`${cell} max-w-64`}>
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
      <td className={`${cell} max-w-60`}>
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

/** The phone layout: a card per proposal with the same facts, the whole card a link. */
function ProposalCards({ proposals, detailHref }: { proposals: readonly Proposal[]; detailHref: (id: string) => string }) {
  return (
    <ul aria-label="Proposals" className="space-y-2">
      {proposals.map((p) => (
        <li key={p.id}>
          <Link to={detailHref(p.id)} className="block rounded-lg border border-gray-200 bg-white p-3 text-sm shadow-sm hover:bg-gray-50">
            <span className="flex items-baseline justify-between gap-2">
              <span className="min-w-0 truncate font-medium text-gray-900">
                {p.object} · <span className="font-mono text-xs">{p.record_id}</span> · <span className="font-mono text-xs">{p.field}</span>
              </span>
              <span className="shrink-0 text-xs text-gray-500" title={formatDateTime(p.created_at)}>
                {formatShortDateTime(p.created_at)}
              </span>
            </span>
            <span className="mt-1 flex flex-wrap items-baseline gap-1">
              <Value value={p.expected_old} />
              <span aria-label="to" className="text-gray-400">→</span>
              <Value value={p.operation === 'clear' ? null : p.proposed} />
            </span>
            <span className="mt-2 flex flex-wrap items-center gap-1.5">
              <RouteBadge route={p.route} />
              <StatusBadge status={p.status} />
              {p.flags.map((f) => (
                <FlagBadge key={f.code} flag={f} />
              ))}
              <span className="ml-auto text-xs text-gray-600 tabular-nums">{formatConfidence(p.confidence)} · {p.agent_name}</span>
            </span>
            {p.reasons[0] && <span className="mt-1 block truncate text-xs text-gray-600">{p.reasons[0]}</span>}
          </Link>
        </li>
      ))}
    </ul>
  );
}
