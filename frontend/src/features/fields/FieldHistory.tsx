import type { DefinitionChange, PolicyChange } from '../../api/client';
import { formatDateTime } from '../../components/format';
import { Empty } from '../../components/states';
import { Badge, type BadgeTone } from '../../components/Table';
import { humanKey, renderValue } from '../audit/detail';
import { ChangeList } from './ChangeList';
import { policyDiff, type AttributeChange } from './policyDiff';

const newestFirst = <T extends { at: string }>(items: readonly T[]) => [...items].sort((a, b) => b.at.localeCompare(a.at));

const SOURCE_LABELS: Record<PolicyChange['source'], string> = {
  default: 'default at sync',
  console: 'console',
  bulk: 'bulk edit',
  import: 'YAML import',
};

/** Every change of a field's policy, newest first, with only the attributes that differ. */
export function PolicyHistory({ changes }: { changes: readonly PolicyChange[] }) {
  if (changes.length === 0) return <Empty>No policy changes yet.</Empty>;
  return (
    <ol className="space-y-3" aria-label="Policy history">
      {newestFirst(changes).map((c, i) => (
        <li key={`${c.at}-${i}`} className="rounded-md border border-gray-200 px-3 py-2">
          <p className="flex flex-wrap items-baseline gap-x-2 text-sm">
            <time dateTime={c.at} className="text-gray-900">{formatDateTime(c.at)}</time>
            <span className="text-gray-700">{c.actor_email || <span className="text-gray-500">system default</span>}</span>
            <span className="text-xs text-gray-500">via {SOURCE_LABELS[c.source] ?? c.source}</span>
          </p>
          <div className="mt-1">
            <ChangeList changes={policyDiff(c.before, c.after)} empty="Confirmed without changes." />
          </div>
        </li>
      ))}
    </ol>
  );
}

const CHANGE_TONES: Record<DefinitionChange['change'], BadgeTone> = { new: 'green', changed: 'blue', archived: 'gray', restored: 'violet' };

function isBeforeAfter(v: unknown): v is { before?: unknown; after?: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && ('before' in v || 'after' in v);
}

/** A definition change's detail: `{attribute: {before, after}}` pairs become changes, the rest notes. */
function definitionLines(detail: Record<string, unknown>): { changes: AttributeChange[]; notes: string[] } {
  const changes: AttributeChange[] = [];
  const notes: string[] = [];
  for (const [key, value] of Object.entries(detail ?? {})) {
    if (isBeforeAfter(value)) changes.push({ label: humanKey(key), before: renderValue(value.before), after: renderValue(value.after) });
    else notes.push(`${humanKey(key)}: ${renderValue(value)}`);
  }
  return { changes, notes };
}

/** What syncs noticed about the field's definition, newest first. */
export function DefinitionHistory({ changes }: { changes: readonly DefinitionChange[] }) {
  if (changes.length === 0) return <Empty>No definition changes recorded.</Empty>;
  return (
    <ol className="space-y-3" aria-label="Definition history">
      {newestFirst(changes).map((c, i) => {
        const { changes: attrs, notes } = definitionLines(c.detail);
        return (
          <li key={`${c.at}-${i}`} className="rounded-md border border-gray-200 px-3 py-2">
            <p className="flex flex-wrap items-center gap-2 text-sm">
              <Badge tone={CHANGE_TONES[c.change] ?? 'gray'}>{c.change}</Badge>
              <time dateTime={c.at} className="text-gray-900">{formatDateTime(c.at)}</time>
            </p>
            {attrs.length > 0 && (
              <div className="mt-1">
                <ChangeList changes={attrs} />
              </div>
            )}
            {notes.map((n) => (
              <p key={n} className="mt-1 text-xs text-gray-600">{n}</p>
            ))}
          </li>
        );
      })}
    </ol>
  );
}
