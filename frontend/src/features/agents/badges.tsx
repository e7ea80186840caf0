import type { Agent } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { Badge } from '../../components/Table';

/** Active or paused, with the pause's reason beside it. */
export function AgentStatus({ agent }: { agent: Pick<Agent, 'status' | 'paused_reason'> }) {
  if (agent.status === 'active') return <Badge tone="green">active</Badge>;
  return (
    <span className="inline-flex flex-wrap items-baseline gap-1.5">
      <Badge tone="gray">paused</Badge>
      {agent.paused_reason && <span className="text-xs text-gray-600">{agent.paused_reason}</span>}
    </span>
  );
}

/** "Breaker open" in red while the velocity breaker is tripped; nothing otherwise unless `showClosed`. */
export function BreakerBadge({ agent, showClosed }: { agent: Pick<Agent, 'breaker_open' | 'breaker_tripped_at'>; showClosed?: boolean }) {
  if (agent.breaker_open) {
    return (
      <Badge tone="red" title={agent.breaker_tripped_at && `Tripped ${formatDateTime(agent.breaker_tripped_at)}`}>
        Breaker open
      </Badge>
    );
  }
  return showClosed ? <span className="text-xs text-gray-500">closed</span> : null;
}

/** Keys that still authenticate. */
export const activeKeyCount = (agent: Pick<Agent, 'keys'>) => agent.keys.filter((k) => !k.revoked_at).length;
