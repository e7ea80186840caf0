import type { Policy } from '../../api/client';
import { MODE_LABELS } from './badges';

/** One policy attribute that differs between two versions, as readable text. */
export interface AttributeChange {
  label: string;
  before: string;
  after: string;
}

type Attr = { key: keyof Policy; label: string; show: (p: Partial<Policy>) => string };

/** Shown for an attribute without a value (a policy's first version has no before). */
export const NOTHING = '—';

const show = (v: string | undefined) => v ?? NOTHING;

// The attributes a person decides; `reason` and `updated_at` describe the change itself.
const ATTRIBUTES: readonly Attr[] = [
  { key: 'sensitivity', label: 'sensitivity', show: (p) => show(p.sensitivity) },
  { key: 'mode', label: 'mode', show: (p) => show(p.mode && MODE_LABELS[p.mode]) },
  { key: 'confidence_threshold', label: 'confidence threshold', show: (p) => show(p.confidence_threshold?.toString()) },
  { key: 'evidence_required', label: 'evidence required', show: (p) => (p.evidence_required === undefined ? NOTHING : p.evidence_required ? 'yes' : 'no') },
  { key: 'sla_minutes', label: 'SLA', show: (p) => (p.sla_minutes ? `${p.sla_minutes} min` : 'queue default') },
  { key: 'tags', label: 'tags', show: (p) => (p.tags === undefined ? NOTHING : p.tags.length ? [...p.tags].sort().join(', ') : '(none)') },
  { key: 'decided', label: 'decided', show: (p) => (p.decided === undefined ? NOTHING : p.decided ? 'yes' : 'no') },
];

/**
 * The attributes that differ from `before` to `after`. Without a `before`
 * (a policy's first version) every attribute of `after` is listed.
 */
export function policyDiff(before: Partial<Policy> | null | undefined, after: Partial<Policy>): AttributeChange[] {
  const from = before && Object.keys(before).length ? before : null;
  return ATTRIBUTES.flatMap((a) => {
    if (!from) return after[a.key] === undefined ? [] : [{ label: a.label, before: NOTHING, after: a.show(after) }];
    const b = a.show(from);
    const n = a.show(after);
    return b === n ? [] : [{ label: a.label, before: b, after: n }];
  });
}
