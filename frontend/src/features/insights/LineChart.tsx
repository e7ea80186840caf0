/** One series of a line chart: points in order of x. */
export interface Series {
  label: string;
  points: readonly { x: Date; y: number }[];
  /** A Tailwind stroke class, e.g. stroke-accent-600. */
  tone: string;
}

const W = 600;
const H = 160;
const PAD = { left: 44, right: 8, top: 8, bottom: 22 };

/**
 * A small SVG line chart (no library): x is time, y starts at 0. Loaded
 * lazily by the Insights page, so the console's main chunk does not carry it.
 */
export default function LineChart({ title, series, format }: { title: string; series: readonly Series[]; format: (y: number) => string }) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p className="text-sm text-gray-500">No data in this period.</p>;
  const xs = all.map((p) => p.x.getTime());
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const y1 = Math.max(...all.map((p) => p.y), 0) || 1;
  const px = (t: number) => PAD.left + ((t - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const py = (v: number) => H - PAD.bottom - (v / y1) * (H - PAD.top - PAD.bottom);
  const day = (t: number) => new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  return (
    <figure className="space-y-1">
      <svg role="img" aria-label={`${title}: from ${format(0)} to ${format(y1)}`} viewBox={`0 0 ${W} ${H}`} className="h-40 w-full">
        <line x1={PAD.left} x2={W - PAD.right} y1={py(0)} y2={py(0)} className="stroke-gray-300" />
        <line x1={PAD.left} x2={W - PAD.right} y1={py(y1)} y2={py(y1)} className="stroke-gray-100" />
        <text x={PAD.left - 4} y={py(y1) + 4} textAnchor="end" className="fill-gray-500 text-[10px]">{format(y1)}</text>
        <text x={PAD.left - 4} y={py(0) + 4} textAnchor="end" className="fill-gray-500 text-[10px]">{format(0)}</text>
        <text x={PAD.left} y={H - 6} className="fill-gray-500 text-[10px]">{day(x0)}</text>
        <text x={W - PAD.right} y={H - 6} textAnchor="end" className="fill-gray-500 text-[10px]">{day(x1)}</text>
        {series.map((s) => (
          <polyline key={s.label} fill="none" strokeWidth="2" className={s.tone} points={s.points.map((p) => `${px(p.x.getTime())},${py(p.y)}`).join(' ')} />
        ))}
      </svg>
      {series.length > 1 && (
        <figcaption className="flex gap-4 text-xs text-gray-600">
          {series.map((s) => (
            <span key={s.label} className="flex items-center gap-1">
              <svg aria-hidden className="h-2 w-4" viewBox="0 0 16 8"><line x1="0" x2="16" y1="4" y2="4" strokeWidth="3" className={s.tone} /></svg>
              {s.label}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
