import type { ReviewItem } from '../../api/client';
import { formatValue, truncate } from '../proposals/values';
import { SensitivityBadge, SlaBadge } from './sla';

/** The items the reviewer holds, in priority order; the current one is marked, selected ones are ticked. */
export function ItemList({ items, current, selected, onOpen, onToggle, now }: {
  items: readonly ReviewItem[];
  current: string | null;
  selected: ReadonlySet<string>;
  onOpen: (id: string) => void;
  onToggle: (id: string) => void;
  now: number;
}) {
  return (
    <ol aria-label="Your items, most urgent first" className="divide-y divide-gray-200 overflow-hidden rounded-lg border border-gray-200 bg-white shadow-sm">
      {items.map((it, i) => {
        const active = it.id === current;
        return (
          <li key={it.id} aria-current={active ? 'true' : undefined} className={active ? 'bg-accent-50' : undefined}>
            <div className="flex items-start gap-2 px-3 py-2.5">
              <input
                type="checkbox"
                aria-label={`Select ${it.object}.${it.field} on ${it.record_id}`}
                checked={selected.has(it.id)}
                onChange={() => onToggle(it.id)}
                className="mt-1 size-4 shrink-0 rounded border-gray-300"
              />
              <button type="button" onClick={() => onOpen(it.id)} className="min-w-0 flex-1 text-left focus-visible:outline-2 focus-visible:outline-accent-600">
                <span className="flex items-center gap-2">
                  <span className="text-xs text-gray-400 tabular-nums">{i + 1}</span>
                  <span className="truncate text-sm font-medium text-gray-900">
                    {it.object}.{it.field}
                  </span>
                </span>
                <span className="mt-0.5 block truncate text-xs text-gray-600">
                  {it.record_id} → {truncate(formatValue(it.proposed), 40)}
                </span>
                <span className="mt-1 flex flex-wrap items-center gap-1">
                  <SlaBadge state={it.sla_state} dueAt={it.due_at} now={now} />
                  <SensitivityBadge sensitivity={it.sensitivity} />
                  {it.approvals_required > 1 && (
                    <span className="text-xs text-violet-700">
                      {it.approvals}/{it.approvals_required} approvals
                    </span>
                  )}
                </span>
              </button>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
