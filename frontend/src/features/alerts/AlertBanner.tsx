import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { errorMessage, type Alert } from '../../api/client';
import { alertAgent, alertsQuery, useAcknowledgeAlert } from '../../api/alerts';
import { agentProposalsPath } from '../proposals/filters';
import { useCan } from '../auth/session';

/** A red banner above the page for every open critical alert. */
export function AlertBanners() {
  const { data } = useQuery(alertsQuery());
  const critical = (data ?? []).filter((a) => a.severity === 'critical');
  if (critical.length === 0) return null;
  return (
    <div className="w-full max-w-6xl space-y-2 px-6 pt-4">
      {critical.map((a) => (
        <AlertBanner key={a.id} alert={a} />
      ))}
    </div>
  );
}

function AlertBanner({ alert }: { alert: Alert }) {
  const canAck = useCan('agents.manage');
  const canSeeAgent = useCan('agents.read');
  const canSeeProposals = useCan('proposals.read');
  const canSeeRollouts = useCan('rollouts.read');
  const ack = useAcknowledgeAlert();
  const agent = alertAgent(alert);
  const link = 'font-semibold underline hover:no-underline';
  return (
    <div role="alert" className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800 shadow-sm">
      <p>
        <span className="font-semibold">{alert.title}</span>
        {alert.kind === 'rollout_halted' && canSeeRollouts && (
          <>
            {' — '}
            <Link className={link} to={rolloutPath(alert)}>see the rollout and revert its canary writes</Link>
          </>
        )}
        {alert.kind !== 'rollout_halted' && agent && (canSeeProposals || canSeeAgent) && (
          <>
            {' — '}
            {canSeeProposals && <Link className={link} to={agentProposalsPath(agent.id)}>review its proposals</Link>}
            {canSeeProposals && canSeeAgent && ' / '}
            {canSeeAgent && <Link className={link} to={`/agents/${agent.id}`}>{canAck ? 'reset the breaker' : 'see the agent'}</Link>}
          </>
        )}
        {ack.error && <span className="block">{errorMessage(ack.error)}</span>}
      </p>
      {canAck && (
        <button
          type="button"
          className="rounded-md border border-red-300 bg-white px-3 py-1 text-sm font-medium text-red-700 hover:bg-red-100 disabled:opacity-50"
          disabled={ack.isPending}
          onClick={() => ack.mutate(alert.id)}
        >
          Acknowledge
        </button>
      )}
    </div>
  );
}

/** The Rollouts page with the halted rollout's history open. */
function rolloutPath(alert: Alert): string {
  const id = alert.detail?.rollout_id;
  return typeof id === 'string' ? `/rollouts?rollout=${encodeURIComponent(id)}` : '/rollouts';
}
