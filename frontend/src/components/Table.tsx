import type { ReactNode } from 'react';

/** A plain data table with a caption for screen readers and the house style. */
export function Table({ caption, headers, children }: { caption: string; headers: string[]; children: ReactNode }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white shadow-sm">
      <table className="min-w-full divide-y divide-gray-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-gray-50">
          <tr>
            {headers.map((h) => (
              <th key={h} scope="col" className="px-4 py-2 text-left text-xs font-semibold tracking-wide text-gray-600 uppercase">
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

/** A small coloured label, e.g. a status. */
export function Badge({ tone, children }: { tone: 'green' | 'gray' | 'amber'; children: ReactNode }) {
  const tones = {
    green: 'bg-green-50 text-green-700 ring-green-600/20',
    gray: 'bg-gray-100 text-gray-600 ring-gray-500/20',
    amber: 'bg-amber-50 text-amber-800 ring-amber-600/20',
  };
  return <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${tones[tone]}`}>{children}</span>;
}
