import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { agentsQuery } from '../api/agents';
import { connectionsQuery } from '../api/catalog';
import { ErrorState, Loading } from '../components/states';
import { card, pageTitle, primaryButton, sectionTitle } from '../components/styles';
import { useCan } from '../features/auth/session';
import { AgentTable } from '../features/agents/AgentTable';
import { NewAgentForm } from '../features/agents/NewAgentForm';

/** One sentence on what an agent is, for pages that introduce them. */
export const AGENT_BLURB =
  'An agent is a program that proposes CRM changes through the agent API with its own key; it never holds CRM credentials, and every change it proposes is blocked, reviewed or applied by policy.';

/** The tenant's AI agents, and (for admins) adding one. */
export function AgentsPage() {
  const canManage = useCan('agents.manage');
  const navigate = useNavigate();
  const { data, error, isPending, refetch } = useQuery(agentsQuery());
  const [adding, setAdding] = useState(false);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h1 className={pageTitle}>Agents</h1>
          <p className="text-sm text-gray-600">
            Programs that propose CRM changes with their own keys, scopes and velocity caps.{' '}
            <Link to="/docs/agent-api" className="font-medium text-accent-700 hover:underline">
              Agent API docs
            </Link>
          </p>
        </div>
        {canManage && !adding && data && data.length > 0 && (
          <button type="button" className={primaryButton} onClick={() => setAdding(true)}>
            New agent
          </button>
        )}
      </div>
      {canManage && (adding || data?.length === 0) && (
        <NewAgentFormLoader onCreated={(id) => void navigate(`/agents/${id}`)} onCancel={data?.length ? () => setAdding(false) : undefined} />
      )}
      {isPending ? (
        <Loading label="Loading agents…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load the agents" onRetry={() => void refetch()} />
      ) : data.length === 0 ? (
        <NoAgents canManage={canManage} />
      ) : (
        <AgentTable agents={data} />
      )}
    </div>
  );
}

function NewAgentFormLoader({ onCreated, onCancel }: { onCreated: (id: string) => void; onCancel?: () => void }) {
  const { data, error, isPending, refetch } = useQuery(connectionsQuery());
  if (isPending) return <Loading label="Loading connections…" />;
  if (error) return <ErrorState error={error} title="Could not load the connections" onRetry={() => void refetch()} />;
  return <NewAgentForm connections={data} onCreated={(a) => onCreated(a.id)} onCancel={onCancel} />;
}

function NoAgents({ canManage }: { canManage: boolean }) {
  return (
    <section className={`${card} space-y-2 text-center`}>
      <h2 className={sectionTitle}>No agents yet</h2>
      <p className="mx-auto max-w-xl text-sm text-gray-600">
        {AGENT_BLURB}
        {!canManage && ' Ask an admin to add one.'}
      </p>
      <p className="text-sm">
        <Link to="/docs/agent-api" className="font-medium text-accent-700 hover:underline">
          Read the agent API docs
        </Link>
      </p>
    </section>
  );
}
