// How exports, schedules and audits read on screen, and the periods their dialogs offer.
import type { ExportFilter, ExportFormat } from '../../api/reports';

export const FORMATS: readonly { value: ExportFormat; label: string }[] = [
  { value: 'csv', label: 'CSV' },
  { value: 'xlsx', label: 'Excel (XLSX)' },
  { value: 'jsonl', label: 'JSON Lines' },
  { value: 'pdf', label: 'PDF summary' },
];

/** "Excel (XLSX)" for "xlsx"; an unknown format as itself. */
export function formatLabel(format: string): string {
  return FORMATS.find((f) => f.value === format)?.label ?? format;
}

export const ACTOR_KINDS = ['agent', 'collaborative', 'human', 'system'] as const;
export const SENSITIVITY_LEVELS = ['low', 'medium', 'high', 'critical'] as const;

/** A byte count in human units: 512 B, 12.4 KB, 3.1 MB (powers of 1024). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** The first characters of a hash, for a dense table; the full hash goes in a title. */
export function shortHash(hash: string, length = 12): string {
  return hash.length > length ? `${hash.slice(0, length)}…` : hash;
}

const monthYear = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const utcDateTime = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone: 'UTC' });

const isMonthStart = (d: Date) => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;

/**
 * A period [since, until) in words, in UTC: "November 2026" for a calendar
 * month, else "Nov 3, 2026, 00:00 – Nov 10, 2026, 00:00 UTC".
 */
export function periodText(since: string, until: string): string {
  const s = new Date(since);
  const u = new Date(until);
  if (Number.isNaN(s.getTime()) || Number.isNaN(u.getTime())) return `${since} – ${until}`;
  if (isMonthStart(s) && isMonthStart(u) && Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1) === u.getTime()) return monthYear.format(s);
  return `${utcDateTime.format(s)} – ${utcDateTime.format(u)} UTC`;
}

/** The optional parts of an export filter in words: "agent Closer · deals.dealstage · high fields", or "every change". */
export function filterSummary(f: Partial<ExportFilter>, agentName: (id: string) => string | undefined): string {
  const parts: string[] = [];
  if (f.agent_id) parts.push(`agent ${agentName(f.agent_id) ?? f.agent_id}`);
  if (f.object && f.field) parts.push(`${f.object}.${f.field}`);
  else if (f.object) parts.push(`object ${f.object}`);
  else if (f.field) parts.push(`field ${f.field}`);
  if (f.actor_kind) parts.push(`${f.actor_kind} changes`);
  if (f.sensitivity) parts.push(`${f.sensitivity} fields`);
  return parts.join(' · ') || 'every change';
}

export type PeriodPreset = 'last_month' | 'this_month' | 'last_7_days' | 'custom';

export const PERIOD_PRESETS: readonly { value: PeriodPreset; label: string }[] = [
  { value: 'last_month', label: 'Last month' },
  { value: 'this_month', label: 'This month' },
  { value: 'last_7_days', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom…' },
];

/** A period as its dialog holds it: a preset, or custom since/until as UTC datetime-local values ("2026-11-01T00:00"). */
export interface PeriodDraft {
  preset: PeriodPreset;
  since: string;
  until: string;
}

/** An instant as a datetime-local input holds it in UTC, to the minute: "2026-11-01T00:00". */
export function utcInputOf(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16);
}

/** A UTC datetime-local value as an ISO instant, or '' when empty or invalid. */
export function isoOfUtcInput(value: string): string {
  if (!value) return '';
  const d = new Date(`${value}Z`);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** The instants [since, until) a preset stands for at `now`, in UTC: "Last month" is the previous calendar month. */
export function presetRange(preset: Exclude<PeriodPreset, 'custom'>, now = new Date()): { since: string; until: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  switch (preset) {
    case 'last_month':
      return { since: new Date(Date.UTC(y, m - 1, 1)).toISOString(), until: new Date(Date.UTC(y, m, 1)).toISOString() };
    case 'this_month':
      return { since: new Date(Date.UTC(y, m, 1)).toISOString(), until: now.toISOString() };
    case 'last_7_days':
      return { since: new Date(now.getTime() - 7 * 86_400_000).toISOString(), until: now.toISOString() };
  }
}

/** A new period draft: last month, with the custom inputs prefilled with it. */
export function defaultPeriod(now = new Date()): PeriodDraft {
  const r = presetRange('last_month', now);
  return { preset: 'last_month', since: utcInputOf(r.since), until: utcInputOf(r.until) };
}

/** The instants a draft stands for, as the API takes them. */
export function periodOf(draft: PeriodDraft, now = new Date()): { since: string; until: string } {
  if (draft.preset === 'custom') return { since: isoOfUtcInput(draft.since), until: isoOfUtcInput(draft.until) };
  return presetRange(draft.preset, now);
}
