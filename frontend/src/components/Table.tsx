import type { ReactNode } from 'react';

/** A plain data table with a caption for screen readers and the house style. */
export function Table({ caption, headers, children }: { caption: string; headers: string[]; children: ReactNode }) {
  return (
    <div className={tableFrame}>
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-gray-50">
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col" className={headCell}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">{children}</tbody>
      </table>
    </div>
  );
}

export const cell = 'px-4 py-2.5 align-top text-gray-700';

export const headCell = 'px-4 py-2 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase';

/** The frame around a table, so custom tables look like Table. */
export const tableFrame = 'overflow-x-auto rounded-lg border border-gray-200 bg-white shadow-sm';

export type BadgeTone = 'green' | 'gray' | 'amber' | 'orange' | 'red' | 'blue' | 'violet';

const badgeTones: Record<BadgeTone, string> = {
  green: 'bg-green-50 text-green-700 ring-green-600/20',
  gray: 'bg-gray-100 text-gray-600 ring-gray-500/20',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  orange: 'bg-orange-50 text-orange-800 ring-orange-600/30',
  red: 'bg-red-50 text-red-700 ring-red-600/20',
  blue: 'bg-sky-50 text-sky-800 ring-sky-600/20',
  violet: 'bg-violet-50 text-violet-700 ring-violet-600/20',
};

/** A small coloured label, e.g. a status. */
export function Badge({ tone, children, title }: { tone: BadgeTone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex shrink-0 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${badgeTones[tone]}`}>
      {children}
    </span>
  );
}
