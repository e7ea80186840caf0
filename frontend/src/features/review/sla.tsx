import { Badge, type BadgeTone } from '../../components/Table';

const SLA_TONES: Record<string, BadgeTone> = { on_track: 'green', at_risk: 'amber', breached: 'red' };
const SLA_LABELS: Record<string, string> = { on_track: 'on track', at_risk: 'at risk', breached: 'breached' };

/** An item's SLA state, with the time left (or overdue) on hover and in words. */
export function SlaBadge({ state, dueAt, now = Date.now() }: { state?: string; dueAt: string; now?: number }) {
  if (!state) return null;
  return (
    <Badge tone={SLA_TONES[state] ?? 'gray'} title={`Due ${new Date(dueAt).toLocaleString()}`}>
      {SLA_LABELS[state] ?? state} · {timeLeft(dueAt, now)}
    </Badge>
  );
}

/** Time until a deadline in few characters: "3 h 5 min left", "40 min overdue". */
export function timeLeft(dueAt: string, now: number): string {
  const ms = new Date(dueAt).getTime() - now;
  const mins = Math.round(Math.abs(ms) / 60_000);
  const text = mins >= 120 ? `${Math.floor(mins / 60)} h${mins % 60 ? ` ${mins % 60} min` : ''}` : `${mins} min`;
  return ms >= 0 ? `${text} left` : `${text} overdue`;
}

const SENSITIVITY_TONES: Record<string, BadgeTone> = { critical: 'red', high: 'orange', medium: 'amber', low: 'gray' };

export function SensitivityBadge({ sensitivity }: { sensitivity: string }) {
  return <Badge tone={SENSITIVITY_TONES[sensitivity] ?? 'gray'}>{sensitivity}</Badge>;
}
