// How the change log's values and actors read on screen.
import type { ChangeEvent } from '../../api/client';

/**
 * A JSON scalar as the log holds it: strings in quotes (so "" and "5" read
 * apart from nothing and 5), null as a muted em dash.
 */
export function ChangeValue({ value }: { value: unknown }) {
  if (value === null || value === undefined) {
    return (
      <span className="text-gray-400" title="No value">
        —
      </span>
    );
  }
  return <span className="font-mono text-xs break-all text-gray-900">{valueText(value)}</span>;
}

/** A value as plain text, for titles and labels. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** "before → after", read out as "changed to" by screen readers. */
export function BeforeAfter({ before, after }: { before: unknown; after: unknown }) {
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1">
      <ChangeValue value={before} />
      <span aria-hidden className="text-gray-400">→</span>
      <span className="sr-only">changed to</span>
      <ChangeValue value={after} />
    </span>
  );
}

/** Who made a change: "Agent Closer", "Closer + Rita Reviewer", "Rita Reviewer", "System". */
export function attribution(e: Pick<ChangeEvent, 'actor_kind' | 'agent_name' | 'agent_id' | 'user_name'>): string {
  const agent = e.agent_name || (e.agent_id ? 'an agent' : 'unknown agent');
  const user = e.user_name || 'a user';
  switch (e.actor_kind) {
    case 'agent':
      return `Agent ${agent}`;
    case 'collaborative':
      return `${agent} + ${user}`;
    case 'human':
      return user;
    default:
      return 'System';
  }
}

/** Why a change cannot be rolled back, or undefined when it can. */
export function notRevertibleWhy(e: Pick<ChangeEvent, 'seq' | 'reverts' | 'reverted_by'>): string | undefined {
  if (e.reverts != null) return `Change #${e.seq} is itself the rollback of #${e.reverts}: roll back #${e.reverts} with another resolution instead.`;
  if (e.reverted_by != null) return `Already rolled back, by change #${e.reverted_by}.`;
  return undefined;
}
