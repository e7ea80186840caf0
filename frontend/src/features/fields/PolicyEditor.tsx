import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage, MODES, SENSITIVITIES, TAGS, type ImpactTag, type Policy, type PolicyInput, type PolicyMode, type Sensitivity } from '../../api/client';
import { useUpdatePolicy } from '../../api/catalog';
import { CheckboxField, CheckboxGroup, FieldErrorList, FormError, FormField, SelectField } from '../../components/FormField';
import { Success } from '../../components/states';
import { primaryButton } from '../../components/styles';
import { MODE_LABELS, ModeBadge, NeedsDecisionBadge, SensitivityBadge, TagList } from './badges';

/** Why the policy is what it is: the default's reason while undecided, else who decided. */
export function PolicyReason({ policy }: { policy: Policy }) {
  if (policy.decided) return policy.reason ? <p className="text-sm text-gray-600">{policy.reason}</p> : null;
  const reason = policy.reason ? ` — ${policy.reason.charAt(0).toLowerCase()}${policy.reason.slice(1)}` : '';
  return (
    <div className="flex flex-wrap items-center gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
      <NeedsDecisionBadge />
      <span>
        Default: {policy.sensitivity}/{MODE_LABELS[policy.mode]}
        {reason}
      </span>
    </div>
  );
}

/** The policy as read-only facts, for users who may not change it. */
export function PolicyFacts({ policy }: { policy: Policy }) {
  return (
    <dl className="grid grid-cols-[11rem_1fr] gap-y-2 text-sm">
      <dt className="text-gray-500">Sensitivity</dt>
      <dd><SensitivityBadge value={policy.sensitivity} /></dd>
      <dt className="text-gray-500">Mode</dt>
      <dd><ModeBadge value={policy.mode} /></dd>
      <dt className="text-gray-500">Confidence threshold</dt>
      <dd className="text-gray-900">{policy.confidence_threshold}</dd>
      <dt className="text-gray-500">Evidence required</dt>
      <dd className="text-gray-900">{policy.evidence_required ? 'yes' : 'no'}</dd>
      <dt className="text-gray-500">SLA override</dt>
      <dd className="text-gray-900">{policy.sla_minutes ? `${policy.sla_minutes} min` : 'queue default'}</dd>
      <dt className="text-gray-500">Tags</dt>
      <dd><TagList tags={policy.tags} /></dd>
    </dl>
  );
}

interface Draft {
  sensitivity: Sensitivity;
  mode: PolicyMode;
  threshold: string;
  evidence: boolean;
  sla: string;
  tags: ImpactTag[];
}

const draftOf = (p: Policy): Draft => ({
  sensitivity: p.sensitivity,
  mode: p.mode,
  threshold: String(p.confidence_threshold),
  evidence: p.evidence_required,
  sla: p.sla_minutes ? String(p.sla_minutes) : '',
  tags: [...p.tags],
});

/** Checks the draft the way the API will, so obvious slips are caught before the round trip. */
function validate(d: Draft): { input?: PolicyInput; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const threshold = Number(d.threshold);
  if (d.threshold.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    errors.confidence_threshold = 'Enter a number from 0 to 1.';
  }
  const sla = Number(d.sla);
  if (d.sla.trim() !== '' && (!Number.isInteger(sla) || sla < 1)) errors.sla_minutes = 'Enter whole minutes, or leave empty.';
  if (Object.keys(errors).length) return { errors };
  const input: PolicyInput = { sensitivity: d.sensitivity, mode: d.mode, confidence_threshold: threshold, evidence_required: d.evidence, tags: d.tags };
  if (d.sla.trim() !== '') input.sla_minutes = sla;
  return { input, errors };
}

const KNOWN = new Set(['sensitivity', 'mode', 'confidence_threshold', 'evidence_required', 'sla_minutes', 'tags']);

/** Edits one field's policy; after a save the draft already holds what was saved. */
export function PolicyEditor({ fieldId, policy }: { fieldId: string; policy: Policy }) {
  const update = useUpdatePolicy(fieldId);
  const [draft, setDraft] = useState(() => draftOf(policy));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [key]: value }));
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const { input, errors } = validate(draft);
    setLocalErrors(errors);
    if (!input) return;
    update.mutate(input, { onSuccess: () => setSaved(true) });
  };

  const serverErrors = update.error instanceof ApiError ? update.error.fieldErrors : {};
  const errors = { ...serverErrors, ...localErrors };
  const others = Object.fromEntries(Object.entries(serverErrors).filter(([k]) => !KNOWN.has(k)));
  const formError = update.error && !Object.keys(serverErrors).length ? errorMessage(update.error) : undefined;

  return (
    <form aria-label="Policy" onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <FieldErrorList title="The policy was refused:" errors={others} />
      {saved && <Success>Policy saved.</Success>}
      <div className="grid grid-cols-2 gap-4">
        <SelectField label="Sensitivity" value={draft.sensitivity} error={errors.sensitivity} onChange={(e) => set('sensitivity', e.target.value as Sensitivity)}>
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>{s}</option>
          ))}
        </SelectField>
        <SelectField label="Mode" value={draft.mode} error={errors.mode} onChange={(e) => set('mode', e.target.value as PolicyMode)}>
          {MODES.map((m) => (
            <option key={m} value={m}>{MODE_LABELS[m]}</option>
          ))}
        </SelectField>
        <FormField
          label="Confidence threshold"
          type="number"
          min={0}
          max={1}
          step={0.01}
          inputMode="decimal"
          value={draft.threshold}
          error={errors.confidence_threshold}
          hint="Auto-apply needs at least this confidence (0–1)."
          onChange={(e) => set('threshold', e.target.value)}
        />
        <FormField
          label="SLA override (minutes)"
          type="number"
          min={1}
          step={1}
          inputMode="numeric"
          placeholder="Queue default"
          value={draft.sla}
          error={errors.sla_minutes}
          hint="Empty = the queue's default SLA."
          onChange={(e) => set('sla', e.target.value)}
        />
      </div>
      <CheckboxField label="Evidence required" checked={draft.evidence} error={errors.evidence_required} onChange={(e) => set('evidence', e.target.checked)} />
      <CheckboxGroup legend="Tags" options={TAGS} value={draft.tags} onChange={(tags) => set('tags', tags)} error={errors.tags} />
      <button type="submit" className={primaryButton} disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save policy'}
      </button>
    </form>
  );
}
