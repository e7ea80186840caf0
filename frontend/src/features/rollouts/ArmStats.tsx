import type { ArmStats } from '../../api/client';
import { pct } from '../../api/rollouts';
import { formatCount } from '../../components/format';
import { Badge, cell, headCell, type BadgeTone } from '../../components/Table';

const armLabel: Record<ArmStats['arm'], string> = { canary: 'Canary', control: 'Control', shadow: 'Shadow', review: 'Reviewed' };
const armHint: Record<ArmStats['arm'], string> = {
  canary: 'auto-applied; corrected = rolled back, or edited in the CRM or console afterwards',
  control: 'reviewed as usual; corrected = a reviewer edited or rejected it',
  shadow: 'reviewed, would have been auto-applied; corrected = a reviewer edited or rejected it',
  review: 'reviewed outside any rollout arm',
};
const armTone: Record<ArmStats['arm'], BadgeTone> = { canary: 'violet', control: 'blue', shadow: 'gray', review: 'gray' };

export function ArmBadge({ arm }: { arm: ArmStats['arm'] }) {
  return (
    <Badge tone={armTone[arm]} title={armHint[arm]}>
      {armLabel[arm]}
    </Badge>
  );
}

/**
 * A correction rate and its 95 % interval on one scale: the bar spans the
 * interval, the tick is the rate, the dashed line the threshold (if any).
 */
export function IntervalBar({ stats, threshold, scale = 0.2 }: { stats: ArmStats; threshold?: number; scale?: number }) {
  const max = Math.max(scale, stats.ci_high, threshold ?? 0);
  const x = (v: number) => `${Math.min(100, (v / max) * 100)}%`;
  return (
    <svg role="img" aria-label={`${pct(stats.rate)}, 95 % interval ${pct(stats.ci_low)} to ${pct(stats.ci_high)}`} className="h-3 w-32" viewBox="0 0 100 12" preserveAspectRatio="none">
      <rect x="0" y="5" width="100" height="2" className="fill-gray-100" />
      <rect x={x(stats.ci_low)} y="3" width={`${Math.max(1, ((stats.ci_high - stats.ci_low) / max) * 100)}%`} height="6" rx="2" className="fill-accent-100" />
      <rect x={x(stats.rate)} y="1" width="1.5" height="10" className="fill-accent-700" />
      {threshold !== undefined && <line x1={x(threshold)} x2={x(threshold)} y1="0" y2="12" strokeDasharray="2 1" className="stroke-red-500" strokeWidth="1" />}
    </svg>
  );
}

/** "3 of 120 (2.5 %) · 95 % 0.9–7.1 %", or that nothing has an outcome yet. */
export function rateText(s: ArmStats): string {
  if (s.applied === 0) return 'no outcomes yet';
  return `${formatCount(s.corrected)} of ${formatCount(s.applied)} corrected (${pct(s.rate)}) · 95 % ${pct(s.ci_low)}–${pct(s.ci_high)}`;
}

/** Each arm's correction rate with its interval and sample size. */
export function ArmTable({ arms, threshold, caption }: { arms: readonly ArmStats[]; threshold?: number; caption: string }) {
  if (arms.length === 0) return <p className="text-sm text-gray-500">No outcomes in the last 30 days yet (the insights are folded every 2 minutes).</p>;
  return (
    <table className="min-w-full text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col" className={headCell}>Arm</th>
          <th scope="col" className={headCell}>Outcomes</th>
          <th scope="col" className={headCell}>Corrected</th>
          <th scope="col" className={headCell}>Rate (95 % interval)</th>
          <th scope="col" className={`${headCell} hidden sm:table-cell`}><span className="sr-only">Interval</span></th>
        </tr>
      </thead>
      <tbody className="divide-y divide-gray-100">
        {arms.map((a) => (
          <tr key={a.arm}>
            <td className={cell}><ArmBadge arm={a.arm} /></td>
            <td className={cell}>{formatCount(a.applied)}</td>
            <td className={cell}>{formatCount(a.corrected)}</td>
            <td className={cell}>{a.applied === 0 ? '—' : `${pct(a.rate)} (${pct(a.ci_low)}–${pct(a.ci_high)})`}</td>
            <td className={`${cell} hidden sm:table-cell`}><IntervalBar stats={a} threshold={threshold} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
