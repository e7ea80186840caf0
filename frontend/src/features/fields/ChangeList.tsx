import { NOTHING, type AttributeChange } from './policyDiff';

/** Attribute changes as "label: before → after", the before struck through; a first value alone. */
export function ChangeList({ changes, empty = 'No attribute changed.' }: { changes: readonly AttributeChange[]; empty?: string }) {
  if (changes.length === 0) return <p className="text-xs text-gray-500">{empty}</p>;
  return (
    <dl className="space-y-0.5 text-xs">
      {changes.map((c) => (
        <div key={c.label} className="flex flex-wrap gap-1.5">
          <dt className="text-gray-500">{c.label}:</dt>
          <dd className="text-gray-800">
            {c.before !== NOTHING && (
              <>
                <span className="text-gray-500 line-through decoration-gray-400">{c.before}</span>
                <span aria-hidden className="px-1 text-gray-400">→</span>
                <span className="sr-only"> changed to </span>
              </>
            )}
            <span>{c.after}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}
