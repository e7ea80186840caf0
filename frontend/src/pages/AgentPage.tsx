import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, type AgentDetail } from '../api/client';
import { agentQuery } from '../api/agents';
import { formatDateTime } from '../components/format';
import { ErrorState, Loading } from '../components/states';
import { card, pageTitle, sectionTitle } from '../components/styles';
import { useCan } from '../features/auth/session';
import { Activity } from '../features/agents/Activity';
import { AgentStatus, BreakerBadge } from '../features/agents/badges';
import { KeysSection } from '../features/agents/KeysSection';
import { ScopesEditor, ScopesTable } from '../features/agents/ScopesEditor';
import { SettingsFacts, SettingsForm } from '../features/agents/SettingsForm';
import { BreakerNotice, PauseResume } from '../features/agents/StatusActions';
import { agentProposalsPath } from '../features/proposals/filters';

/** One agent: status and breaker, activity, keys, scopes and caps; editable with agents.manage. */
export function AgentPage() {
  const { agentId = '' } = useParams();
  const { data, error, isPending, refetch } = useQuery(agentQuery(agentId));
  if (isPending) return <Loading label="Loading agent…" />;
  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <div className="space-y-4">
        <BackLink />
        <ErrorState error={error} title={missing ? 'No such agent' : 'Could not load this agent'} onRetry={missing ? undefined : () => void refetch()} />
      </div>
    );
  }
  return <AgentView key={data.id} agent={data} />;
}

function BackLink() {
  return (
    <Link to="/agents" className="text-sm font-medium text-accent-700 hover:underline">
      ← Agents
    </Link>
  );
}

function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section aria-label={title} className={`${card} space-y-4`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className={sectionTitle}>{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

function AgentView({ agent }: { agent: AgentDetail }) {
  const canManage = useCan('agents.manage');
  const canSeeProposals = useCan('proposals.read');
  return (
    <div className="space-y-6">
      <div className="space-y-3">
        <BackLink />
        <div className="flex flex-wrap items-start justify-between gap-4">
          <div className="min-w-0 space-y-1">
            <div className="flex flex-wrap items-center gap-3">
              <h1 className={pageTitle}>{agent.name}</h1>
              <AgentStatus agent={agent} />
              <BreakerBadge agent={agent} />
            </div>
            {agent.description && <p className="text-sm text-gray-600">{agent.description}</p>}
            <p className="text-xs text-gray-500">
              Works on {agent.connection_name} · added {formatDateTime(agent.created_at)}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-3">
            {canSeeProposals && (
              <Link to={agentProposalsPath(agent.id)} className="text-sm font-medium text-accent-700 hover:underline">
                View its proposals
              </Link>
            )}
            {canManage && <PauseResume agent={agent} />}
          </div>
        </div>
        {agent.status === 'paused' && (
          <p className="rounded-md border border-gray-200 bg-gray-100 px-4 py-3 text-sm text-gray-700">
            Paused{agent.paused_reason ? `: ${agent.paused_reason}` : ''}. Every proposal of this agent is blocked until it is resumed.
          </p>
        )}
        <BreakerNotice agent={agent} canManage={canManage} />
      </div>
      <Section title="Activity">
        <Activity agent={agent} canSeeProposals={canSeeProposals} />
      </Section>
      <Section title="API keys">
        <KeysSection agent={agent} canManage={canManage} />
      </Section>
      <Section title="Scopes">{canManage ? <ScopesEditor agent={agent} /> : <ScopesTable scopes={agent.scopes} />}</Section>
      <Section title={canManage ? 'Settings' : 'Caps and webhook'}>{canManage ? <SettingsForm agent={agent} /> : <SettingsFacts agent={agent} />}</Section>
    </div>
  );
}
