import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ReviewItem } from '../../api/client';
import { reviewItemQuery, timelineQuery } from '../../api/review';
import { changeLogPath } from '../changes/filters';
import { formatDateTime } from '../../components/format';
import { Badge } from '../../components/Table';
import { card } from '../../components/styles';
import { FlagBadge, RouteBadge } from '../proposals/badges';
import { formatConfidence, formatValue, isEmptyValue } from '../proposals/values';
import { SensitivityBadge, SlaBadge } from './sla';

/**
 * What a reviewer decides on. The held item is on screen at once; the CRM's
 * current value (read now) and the record's timeline fill in as they arrive.
 */
export function ItemDetail({ held, now, actions }: { held: ReviewItem; now: number; actions: ReactNode }) {
  const detail = useQuery(reviewItemQuery(held.id));
  const it = detail.data ?? held;
  return (
    <article aria-label={`${it.object}.${it.field} on record ${it.record_id}`} className={`${card} space-y-4`}>
      <header className="space-y-1">
        <div className="flex flex-wrap items-center gap-2">
          <h2 className="text-lg font-semibold text-gray-900">
            {it.field_label ? `${it.field_label} ` : ''}
            <span className="font-mono text-sm text-gray-600">
              {it.object}.{it.field}
            </span>
          </h2>
          <SlaBadge state={it.sla_state} dueAt={it.due_at} now={now} />
          <SensitivityBadge sensitivity={it.sensitivity} />
          <RouteBadge route={it.route} />
          {it.escalated_at && <Badge tone="red">escalated</Badge>}
        </div>
        <p className="text-sm text-gray-600">
          Record{' '}
          {it.record_url ? (
            <Link className="font-mono text-accent-700 underline" to={it.record_url}>
              {it.record_id}
            </Link>
          ) : (
            <span className="font-mono">{it.record_id}</span>
          )}{' '}
          · proposed by <span className="font-medium">{it.agent_name}</span> · queue {it.queue_name}
          {it.approvals_required > 1 && ` · two-person: ${it.approvals} of ${it.approvals_required} approvals`}
        </p>
      </header>
      {actions}
      <Values item={it} reading={detail.isPending} />
      <dl className="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
        <Fact term="Confidence">{formatConfidence(it.confidence)}</Fact>
        <Fact term="Operation">{it.operation}</Fact>
        <Fact term="Rationale" wide>
          {it.rationale || <span className="text-gray-400">none given</span>}
        </Fact>
        <Fact term="Evidence" wide>
          {it.evidence.length === 0 ? (
            <span className="text-gray-400">none</span>
          ) : (
            <ul className="space-y-1">
              {it.evidence.map((e) => (
                <li key={e.url}>
                  <a href={e.url} target="_blank" rel="noreferrer noopener" className="text-accent-700 underline">
                    {e.title || e.url}
                  </a>
                  {e.excerpt && <span className="block text-gray-500">“{e.excerpt}”</span>}
                </li>
              ))}
            </ul>
          )}
        </Fact>
        <Fact term="Validator flags">
          {it.flags.length === 0 ? <span className="text-gray-400">none</span> : <span className="flex flex-wrap gap-1">{it.flags.map((f) => <FlagBadge key={f.code} flag={f} />)}</span>}
        </Fact>
        <Fact term="Why it was routed here">
          <ul className="list-disc pl-4">{it.reasons.map((r) => <li key={r}>{r}</li>)}</ul>
        </Fact>
        <Fact term="Why this is first" wide>
          <ul className="space-y-0.5">
            {it.why.map((w) => (
              <li key={w.factor}>
                {w.text}
                {w.minutes !== 0 && <span className="text-gray-500"> ({w.minutes > 0 ? `${w.minutes} min ahead` : `${-w.minutes} min back`})</span>}
              </li>
            ))}
          </ul>
        </Fact>
      </dl>
      <Timeline object={it.object} recordId={it.record_id} />
    </article>
  );
}

function Fact({ term, wide, children }: { term: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'sm:col-span-2' : undefined}>
      <dt className="text-xs font-semibold tracking-wide text-gray-500 uppercase">{term}</dt>
      <dd className="mt-0.5 text-gray-800">{children}</dd>
    </div>
  );
}

/** Agent expected · CRM now · proposed, with a warning when the CRM moved since the agent looked. */
function Values({ item, reading }: { item: ReviewItem; reading: boolean }) {
  return (
    <div className="space-y-2">
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
        <ValueBox label="Agent saw" value={item.expected_old} missing={item.expected_old === undefined ? 'not given' : undefined} />
        <ValueBox
          label="CRM now"
          value={item.current}
          missing={reading ? 'reading…' : item.current_error ? 'unreadable' : undefined}
          tone={item.stale ? 'warn' : undefined}
        />
        <ValueBox label="Proposed" value={item.proposed} tone="new" />
      </div>
      {item.stale && (
        <p role="alert" className="rounded-md border border-orange-300 bg-orange-50 px-3 py-2 text-sm text-orange-900">
          Stale: the CRM holds {formatValue(item.current)}, not the {formatValue(item.expected_old)} the agent saw. Check before approving.
        </p>
      )}
      {item.current_error && <p className="text-sm text-red-700">{item.current_error}</p>}
    </div>
  );
}

function ValueBox({ label, value, missing, tone }: { label: string; value: unknown; missing?: string; tone?: 'new' | 'warn' }) {
  const frame = tone === 'new' ? 'border-green-300 bg-green-50' : tone === 'warn' ? 'border-orange-300 bg-orange-50' : 'border-gray-200 bg-gray-50';
  return (
    <div className={`rounded-md border px-3 py-2 ${frame}`}>
      <div className="text-xs font-semibold tracking-wide text-gray-500 uppercase">{label}</div>
      <div className={`mt-0.5 font-mono text-sm break-words ${missing || isEmptyValue(value) ? 'text-gray-400' : 'text-gray-900'}`}>
        {missing ?? formatValue(value)}
      </div>
    </div>
  );
}

/** The record's earlier proposals, decisions, writes and CRM corrections. */
function Timeline({ object, recordId }: { object: string; recordId: string }) {
  const tl = useQuery(timelineQuery(object, recordId));
  return (
    <section aria-label="Record timeline" className="space-y-2">
      <div className="flex items-baseline justify-between gap-2">
        <h3 className="text-sm font-semibold text-gray-900">Record timeline</h3>
        <Link to={changeLogPath(recordId)} className="text-xs text-indigo-700 hover:underline">
          Writes to this record in the change log
        </Link>
      </div>
      {tl.isPending ? (
        <p className="text-sm text-gray-500">Loading the timeline…</p>
      ) : tl.error ? (
        <p className="text-sm text-red-700">The timeline could not be read.</p>
      ) : (
        <ol className="max-h-60 space-y-1 overflow-y-auto text-sm">
          {tl.data!.map((e, i) => (
            <li key={`${e.at}-${i}`} className="flex gap-2">
              <span className="shrink-0 text-xs text-gray-500 tabular-nums">{formatDateTime(e.at)}</span>
              <span className="text-gray-800">
                <span className="font-medium">{e.actor}</span> · {e.field}: {e.text}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
