import { useId, useState, type FormEvent } from 'react';
import { ApiError, errorMessage, MODES, SENSITIVITIES, TAGS, type BulkPolicyRequest, type ImpactTag, type PolicyMode, type Sensitivity } from '../../api/client';
import { useBulkUpdatePolicies } from '../../api/catalog';
import { CheckboxField, CheckboxGroup, FieldErrorList, FormError, SelectField } from '../../components/FormField';
import { formatCount } from '../../components/format';
import { primaryButton, secondaryButton } from '../../components/styles';
import { MODE_LABELS } from './badges';

interface Props {
  fieldIds: readonly string[];
  onDone: (updated: number) => void;
  onClear: () => void;
}

const plural = (n: number) => `${formatCount(n)} field${n === 1 ? '' : 's'}`;

/** The sticky bar that sets sensitivity, mode and tags of the selected fields in one request. */
export function BulkBar({ fieldIds, onDone, onClear }: Props) {
  const bulk = useBulkUpdatePolicies();
  const [sensitivity, setSensitivity] = useState<Sensitivity | ''>('');
  const [mode, setMode] = useState<PolicyMode | ''>('');
  const [addTags, setAddTags] = useState<ImpactTag[]>([]);
  const [removeTags, setRemoveTags] = useState<ImpactTag[]>([]);
  const [confirm, setConfirm] = useState(false);
  const nothing = !sensitivity && !mode && addTags.length === 0 && removeTags.length === 0 && !confirm;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const body: BulkPolicyRequest = { field_ids: [...fieldIds] };
    if (sensitivity) body.sensitivity = sensitivity;
    if (mode) body.mode = mode;
    if (addTags.length) body.add_tags = addTags;
    if (removeTags.length) body.remove_tags = removeTags;
    if (confirm) body.confirm = true;
    bulk.mutate(body, { onSuccess: (r) => onDone(r.updated) });
  };

  const { sensitivity: sensitivityError, mode: modeError, add_tags, remove_tags, ...otherErrors } =
    bulk.error instanceof ApiError ? bulk.error.fieldErrors : ({} as Record<string, string>);
  const formError = bulk.error && !(bulk.error instanceof ApiError && Object.keys(bulk.error.fieldErrors).length) ? errorMessage(bulk.error) : undefined;

  return (
    <form
      aria-label="Bulk edit"
      onSubmit={onSubmit}
      noValidate
      className="sticky bottom-4 z-10 space-y-3 rounded-lg border border-accent-100 bg-white p-4 shadow-lg ring-1 ring-accent-600/10"
    >
      <div className="flex flex-wrap items-end gap-4">
        <p className="pb-2 text-sm font-semibold text-gray-900" aria-live="polite">
          {formatCount(fieldIds.length)} selected
        </p>
        <SelectField className="w-36" label="Sensitivity" value={sensitivity} error={sensitivityError} onChange={(e) => setSensitivity(e.target.value as Sensitivity | '')}>
          <option value="">Keep</option>
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <SelectField className="w-36" label="Mode" value={mode} error={modeError} onChange={(e) => setMode(e.target.value as PolicyMode | '')}>
          <option value="">Keep</option>
          {MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </SelectField>
        <TagPicker label="Add tags" value={addTags} onChange={setAddTags} error={add_tags} />
        <TagPicker label="Remove tags" value={removeTags} onChange={setRemoveTags} error={remove_tags} />
        <CheckboxField className="pb-2" label="Mark as decided" checked={confirm} onChange={(e) => setConfirm(e.target.checked)} />
        <div className="ml-auto flex gap-2">
          <button type="button" className={secondaryButton} onClick={onClear}>
            Clear selection
          </button>
          <button type="submit" className={primaryButton} disabled={nothing || bulk.isPending}>
            {bulk.isPending ? 'Applying…' : `Apply to ${plural(fieldIds.length)}`}
          </button>
        </div>
      </div>
      <FormError message={formError} />
      <FieldErrorList title="The update was refused:" errors={otherErrors} />
    </form>
  );
}

interface TagPickerProps {
  label: string;
  value: ImpactTag[];
  onChange: (tags: ImpactTag[]) => void;
  error?: string;
}

/** A compact multi-select of impact tags: a button that opens a list of checkboxes. */
function TagPicker({ label, value, onChange, error }: TagPickerProps) {
  const [open, setOpen] = useState(false);
  const panel = useId();
  return (
    <div className="relative">
      <span className="block text-sm font-medium text-gray-700" aria-hidden>
        {label}
      </span>
      <button
        type="button"
        className={`${secondaryButton} mt-1 min-w-36 justify-between gap-2`}
        aria-expanded={open}
        aria-controls={panel}
        aria-label={value.length ? `${label}: ${value.join(', ')}` : label}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="max-w-40 truncate">{value.length ? value.join(', ') : 'None'}</span>
        <span aria-hidden className="text-gray-400">▾</span>
      </button>
      {open && (
        <div
          id={panel}
          className="absolute bottom-full left-0 z-20 mb-2 w-48 rounded-md border border-gray-200 bg-white p-3 shadow-lg"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              setOpen(false);
            }
          }}
        >
          <div className="[&_div]:flex-col">
            <CheckboxGroup legend={label} options={TAGS} value={value} onChange={onChange} />
          </div>
          <button type="button" className="mt-2 text-xs font-medium text-accent-700 hover:underline" onClick={() => setOpen(false)}>
            Done
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
