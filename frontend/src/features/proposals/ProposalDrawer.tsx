import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ProposalDetail, ProposalTransition } from '../../api/client';
import { useRetryApply } from '../../api/changes';
import { errorMessage } from '../../api/client';
import { proposalQuery } from '../../api/proposals';
import { Drawer } from '../../components/Dialog';
import { formatDateTime } from '../../components/format';
import { Empty, ErrorState, Loading } from '../../components/states';
import { secondaryButton, sectionTitle } from '../../components/styles';
import { useCan } from '../auth/session';
import { changeLogPath } from '../changes/filters';
import { FlagBadge, RouteBadge, StatusBadge } from './badges';
import { formatConfidence, formatValue, humanize, isEmptyValue } from './values';

/** A proposal in full, in a side drawer deep-linked at /proposals/:proposalId. */
export function ProposalDrawer({ proposalId, onClose }: { proposalId: string; onClose: () => void }) {
  const { data, error, isPending, refetch } = useQuery(proposalQuery(proposalId));
  return (
    <Drawer
      label={data ? `${data.object} · ${data.record_id} — ${data.field}` : 'Proposal'}
      subtitle={data && `Proposed by ${data.agent_name} · ${formatDateTime(data.created_at)}`}
      onClose={onClose}
    >
      {isPending ? (
        <Loading label="Loading proposal…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load this proposal" onRetry={() => void refetch()} />
      ) : (
        <ProposalSections proposal={data} />
      )}
    </Drawer>
  );
}

/** Why the CRM write failed (or is being tried again), and a retry for a failed one. */
function WriteProblem({ proposal: p }: { proposal: ProposalDetail }) {
  const canRetry = useCan('changelog.rollback') && p.status === 'failed';
  const retry = useRetryApply(p.id);
  return (
    <div role="alert" className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      <p>
        {p.status === 'failed' ? 'The write to the CRM failed' : 'The write to the CRM is being tried again'}
        {p.apply_error ? `: ${p.apply_error}` : '.'}
      </p>
      {canRetry && (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" className={secondaryButton} disabled={retry.isPending || retry.isSuccess} onClick={() => retry.mutate()}>
            {retry.isPending ? 'Retrying…' : 'Retry the write'}
          </button>
          {retry.isSuccess && <span className="text-gray-700">Taken for another attempt: the CRM is read first, so a write that did happen is not repeated.</span>}
          {retry.error && <span>{errorMessage(retry.error)}</span>}
        </div>
      )}
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2">
      <h3 className={sectionTitle}>{title}</h3>
      {children}
    </section>
  );
}

function ProposalSections({ proposal: p }: { proposal: ProposalDetail }) {
  const canSeeAgent = useCan('agents.read');
  return (
    <>
      <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
        <dt className="text-gray-500">Record</dt>
        <dd className="text-gray-900">
          {p.object} · <span className="font-mono">{p.record_id}</span>
        </dd>
        <dt className="text-gray-500">Field</dt>
        <dd className="font-mono text-gray-900">{p.field}</dd>
        <dt className="text-gray-500">Operation</dt>
        <dd className="text-gray-900">{p.operation}</dd>
        <dt className="text-gray-500">Agent</dt>
        <dd className="text-gray-900">
          {canSeeAgent ? <Link className="text-accent-700 hover:underline" to={`/agents/${p.agent_id}`}>{p.agent_name}</Link> : p.agent_name}
          {p.run_id && <span className="ml-2 text-xs text-gray-500">run <span className="font-mono">{p.run_id}</span></span>}
        </dd>
        <dt className="text-gray-500">Confidence</dt>
        <dd className="text-gray-900 tabular-nums">{formatConfidence(p.confidence)}</dd>
        <dt className="text-gray-500">Status</dt>
        <dd className="flex flex-wrap items-center gap-2">
          <StatusBadge status={p.status} />
          {p.superseded_by && (
            <Link className="text-xs text-accent-700 hover:underline" to={`/proposals/${p.superseded_by}`}>
              superseded by a newer proposal
            </Link>
          )}
        </dd>
      </dl>
      {(p.status === 'failed' || p.apply_error) && <WriteProblem proposal={p} />}
      {p.applied_seq != null && (
        <p className="text-sm">
          <Link className="text-accent-700 hover:underline" to={changeLogPath(p.record_id, p.field)}>
            Written to the CRM as change #{p.applied_seq} — see the change log
          </Link>
        </p>
      )}
      <Section title="Change">
        <div className="grid gap-3 sm:grid-cols-2">
          <ValueBox label="Old (what the agent saw)" value={p.expected_old} />
          <ValueBox label="Proposed" value={p.proposed} highlight />
        </div>
      </Section>
      <Section title="Route">
        <p className="flex items-center gap-2 text-sm text-gray-700">
          Routed to <RouteBadge route={p.route} /> because:
        </p>
        {p.reasons.length === 0 ? (
          <p className="text-sm text-gray-500">No reason recorded.</p>
        ) : (
          <ul aria-label="Reasons" className="list-disc space-y-1 pl-5 text-sm text-gray-800">
            {p.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        )}
      </Section>
      {p.flags.length > 0 && (
        <Section title="Flags">
          <ul className="space-y-1.5 text-sm">
            {p.flags.map((f) => (
              <li key={f.code} className="flex flex-wrap items-baseline gap-2">
                <FlagBadge flag={f} />
                <span className="text-gray-700">{f.message}</span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      <Section title="Rationale">
        {p.rationale ? <p className="text-sm whitespace-pre-line text-gray-800">{p.rationale}</p> : <p className="text-sm text-gray-500">The agent gave none.</p>}
      </Section>
      <Section title="Evidence">
        <EvidenceList evidence={p.evidence} />
      </Section>
      <Section title="Status history">
        <History history={p.history} />
      </Section>
    </>
  );
}

function ValueBox({ label, value, highlight }: { label: string; value: unknown; highlight?: boolean }) {
  const empty = isEmptyValue(value);
  return (
    <figure className={`rounded-md border p-3 ${highlight ? 'border-accent-100 bg-accent-50' : 'border-gray-200 bg-gray-50'}`}>
      <figcaption className="text-xs font-medium tracking-wide text-gray-500 uppercase">{label}</figcaption>
      <p className={`mt-1 text-sm break-words whitespace-pre-wrap ${empty ? 'text-gray-400 italic' : 'text-gray-900'} ${typeof value === 'string' || empty ? '' : 'font-mono'}`}>
        {formatValue(value)}
      </p>
    </figure>
  );
}

const isWebLink = (url: string) => /^https?:\/\//i.test(url);

function EvidenceList({ evidence }: { evidence: ProposalDetail['evidence'] }) {
  if (evidence.length === 0) return <p className="text-sm text-gray-500">No evidence attached.</p>;
  return (
    <ul className="space-y-3 text-sm">
      {evidence.map((e, i) => (
        <li key={i}>
          {isWebLink(e.url) ? (
            <a href={e.url} target="_blank" rel="noopener noreferrer" className="font-medium text-accent-700 hover:underline">
              {e.title || e.url}
            </a>
          ) : (
            <span className="font-medium text-gray-900">{e.title || e.url}</span>
          )}
          <span className="block truncate text-xs text-gray-500">{e.url}</span>
          {e.excerpt && <blockquote className="mt-1 border-l-2 border-gray-200 pl-3 text-gray-700">{e.excerpt}</blockquote>}
        </li>
      ))}
    </ul>
  );
}

function History({ history }: { history: readonly ProposalTransition[] }) {
  if (history.length === 0) return <Empty>No transitions recorded.</Empty>;
  return (
    <ol aria-label="Status history" className="space-y-2 border-l border-gray-200 pl-4 text-sm">
      {history.map((t, i) => (
        <li key={i} className="relative">
          <span aria-hidden className="absolute top-1.5 -left-[1.3rem] size-2 rounded-full bg-gray-300" />
          <p className="flex flex-wrap items-center gap-1.5 text-gray-900">
            {t.from ? <StatusBadge status={t.from} /> : <span className="text-gray-400">new</span>}
            <span aria-label="to" className="text-gray-400">→</span>
            <StatusBadge status={t.to} />
            <span className="text-xs text-gray-500">
              {formatDateTime(t.at)} · by {humanize(t.actor_kind)}
            </span>
          </p>
          <TransitionDetail detail={t.detail} />
        </li>
      ))}
    </ol>
  );
}

function TransitionDetail({ detail }: { detail: ProposalTransition['detail'] }) {
  const entries = Object.entries(detail);
  if (entries.length === 0) return null;
  return (
    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-xs text-gray-600">
      {entries.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-gray-500">{humanize(k)}</dt>
          <dd className="break-words">{Array.isArray(v) ? v.map(formatValue).join('; ') : formatValue(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
