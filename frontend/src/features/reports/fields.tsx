import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { agentsQuery } from '../../api/agents';
import { FormField, SelectField } from '../../components/FormField';
import { secondaryButton } from '../../components/styles';
import { useCan } from '../auth/session';
import { ACTOR_KINDS, PERIOD_PRESETS, periodOf, SENSITIVITY_LEVELS, utcInputOf, type PeriodDraft, type PeriodPreset } from './format';

/**
 * A period: a preset ("Last month", the previous calendar month in UTC, by
 * default) or custom since/until in UTC. A preset's error shows under the
 * preset, a custom one's under the input it names.
 */
export function PeriodFields({ value, onChange, errors }: { value: PeriodDraft; onChange: (v: PeriodDraft) => void; errors: { since?: string; until?: string } }) {
  const custom = value.preset === 'custom';
  const choose = (preset: PeriodPreset) => {
    if (preset === 'custom' && !custom) {
      // Start the custom inputs from the period chosen so far.
      const r = periodOf(value);
      onChange({ preset, since: utcInputOf(r.since), until: utcInputOf(r.until) });
    } else onChange({ ...value, preset });
  };
  return (
    <div className="space-y-3">
      <SelectField
        label="Period"
        value={value.preset}
        error={custom ? undefined : errors.until ?? errors.since}
        hint={custom ? 'From is included, until is not; both in UTC.' : 'Periods are taken in UTC.'}
        onChange={(e) => choose(e.target.value as PeriodPreset)}
      >
        {PERIOD_PRESETS.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </SelectField>
      {custom && (
        <div className="grid grid-cols-2 gap-3">
          <FormField label="From (UTC)" type="datetime-local" value={value.since} error={errors.since} onChange={(e) => onChange({ ...value, since: e.target.value })} />
          <FormField label="Until (UTC)" type="datetime-local" value={value.until} error={errors.until} onChange={(e) => onChange({ ...value, until: e.target.value })} />
        </div>
      )}
    </div>
  );
}

/** The optional narrowing of an export or schedule, as its form holds it ('' = any). */
export interface FilterDraft {
  agent_id: string;
  object: string;
  field: string;
  actor_kind: string;
  sensitivity: string;
}

export const emptyFilter: FilterDraft = { agent_id: '', object: '', field: '', actor_kind: '', sensitivity: '' };

/** The draft's set parts, trimmed, for a request body. */
export function filterBody(f: FilterDraft) {
  const text = (v: string) => v.trim() || undefined;
  return {
    agent_id: f.agent_id || undefined,
    object: text(f.object),
    field: text(f.field),
    actor_kind: (f.actor_kind || undefined) as (typeof ACTOR_KINDS)[number] | undefined,
    sensitivity: (f.sensitivity || undefined) as (typeof SENSITIVITY_LEVELS)[number] | undefined,
  };
}

/** Every agent, for those who may list them. */
export function useAgentList() {
  const canList = useCan('agents.read');
  return useQuery({ ...agentsQuery(), enabled: canList }).data ?? [];
}

/** Agent, object, field, actor kind and sensitivity: each optional, each with the error the server named it by. */
export function FilterFields({ value, onChange, errors }: { value: FilterDraft; onChange: (v: FilterDraft) => void; errors: Partial<Record<keyof FilterDraft, string>> }) {
  const agents = useAgentList();
  const set = (key: keyof FilterDraft) => (e: { target: { value: string } }) => onChange({ ...value, [key]: e.target.value });
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-gray-700">Filters (optional)</legend>
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Agent" value={value.agent_id} error={errors.agent_id} onChange={set('agent_id')}>
          <option value="">Any agent</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Actor kind" value={value.actor_kind} error={errors.actor_kind} onChange={set('actor_kind')}>
          <option value="">Any actor</option>
          {ACTOR_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </SelectField>
        <FormField label="Object" value={value.object} maxLength={200} placeholder="e.g. deals" error={errors.object} onChange={set('object')} />
        <FormField label="Field" value={value.field} maxLength={200} placeholder="e.g. dealstage" error={errors.field} onChange={set('field')} />
        <SelectField label="Sensitivity" value={value.sensitivity} error={errors.sensitivity} onChange={set('sensitivity')}>
          <option value="">Any sensitivity</option>
          {SENSITIVITY_LEVELS.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
      </div>
    </fieldset>
  );
}

/** The filter errors of a problem, by the draft's keys, whether the server named them `filter.agent_id` or `agent_id`. */
export function filterErrors(all: Record<string, string>): Partial<Record<keyof FilterDraft, string>> {
  const out: Partial<Record<keyof FilterDraft, string>> = {};
  for (const key of Object.keys(emptyFilter) as (keyof FilterDraft)[]) {
    const message = all[`filter.${key}`] ?? all[key];
    if (message) out[key] = message;
  }
  return out;
}

/** Every field name `filterErrors` reads, for splitErrors' list of shown fields. */
export const FILTER_ERROR_FIELDS = Object.keys(emptyFilter).flatMap((k) => [k, `filter.${k}`]);

/** Copies a text; says so for a moment. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (plain http): the full text is in the title to select by hand.
    }
  };
  return (
    <button type="button" aria-label={label} title={label} className={`${secondaryButton} px-1.5 py-0.5 text-xs`} onClick={() => void copy()}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A labelled progress bar: `value` of `max`; indeterminate (pulsing) while max is 0. */
export function ProgressBar({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max || 1}
      aria-valuenow={value}
      className="h-2 w-full min-w-24 overflow-hidden rounded-full bg-gray-200"
    >
      <div className={`h-full rounded-full bg-accent-600 transition-all ${max ? '' : 'w-1/12 animate-pulse'}`} style={max ? { width: `${pct}%` } : undefined} />
    </div>
  );
}
