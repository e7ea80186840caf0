import { useQuery } from '@tanstack/react-query';
import { agentsQuery } from '../../api/agents';
import type { ChangeEvent } from '../../api/client';
import { useCan } from '../auth/session';

/** An agent the Agent filters offer. */
export interface AgentOption {
  id: string;
  name: string;
}

/**
 * The Agent filter's choices: every agent for those who may list them, else
 * the agents seen in the loaded changes (a reviewer reads the log but not the agents).
 */
export function useAgentOptions(events: readonly ChangeEvent[], selected?: string): AgentOption[] {
  const canList = useCan('agents.read');
  const listed = useQuery({ ...agentsQuery(), enabled: canList });
  const options = canList && listed.data ? listed.data.map((a) => ({ id: a.id, name: a.name })) : seenAgents(events);
  // A shared link may name an agent this list does not hold.
  return selected && !options.some((a) => a.id === selected) ? [...options, { id: selected, name: 'Selected agent' }] : options;
}

function seenAgents(events: readonly ChangeEvent[]): AgentOption[] {
  const seen = new Map<string, string>();
  for (const e of events) if (e.agent_id) seen.set(e.agent_id, e.agent_name ?? e.agent_id);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
}
