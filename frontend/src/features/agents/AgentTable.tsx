import { Link } from 'react-router';
import type { Agent } from '../../api/client';
import { formatCount } from '../../components/format';
import { cell, Table } from '../../components/Table';
import { activeKeyCount, AgentStatus, BreakerBadge } from './badges';

/** The tenant's agents; each name links to its page. */
export function AgentTable({ agents }: { agents: readonly Agent[] }) {
  return (
    <Table caption="Agents" headers={['Name', 'Connection', 'Status', 'Breaker', 'Keys', 'Velocity cap']}>
      {agents.map((a) => (
        <tr key={a.id}>
          <td className={cell}>
            <Link to={`/agents/${a.id}`} className="font-medium text-accent-700 hover:underline">
              {a.name}
            </Link>
            {a.description && <p className="max-w-sm truncate text-xs text-gray-500">{a.description}</p>}
          </td>
          <td className={cell}>{a.connection_name}</td>
          <td className={cell}>
            <AgentStatus agent={a} />
          </td>
          <td className={cell}>
            <BreakerBadge agent={a} showClosed />
          </td>
          <td className={`${cell} tabular-nums`}>{formatCount(activeKeyCount(a))}</td>
          <td className={`${cell} tabular-nums whitespace-nowrap`}>{formatCount(a.velocity_cap)} records/h</td>
        </tr>
      ))}
    </Table>
  );
}
