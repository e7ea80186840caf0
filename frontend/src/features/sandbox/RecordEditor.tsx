import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage, type SandboxRecordDetail } from '../../api/client';
import { useEditSandboxRecord } from '../../api/sandbox';
import { FieldErrorList, FormError, FormField, SelectField } from '../../components/FormField';
import { Success } from '../../components/states';
import { input, primaryButton } from '../../components/styles';
import { changedValues, toDraft, type EditorField } from './recordValues';

interface Props {
  connectionId: string;
  record: SandboxRecordDetail;
  fields: readonly EditorField[];
}

/** Edits a sandbox record as a CRM user would; sends only the values that changed. */
export function RecordEditor({ connectionId, record, fields }: Props) {
  const edit = useEditSandboxRecord(connectionId, record.object, record.id);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<number>();
  const pending = changedValues(fields, record.values, drafts);
  const dirty = Object.keys(pending.values).length + Object.keys(pending.errors).length > 0;

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setLocalErrors(pending.errors);
    if (Object.keys(pending.errors).length || !Object.keys(pending.values).length) return;
    const count = Object.keys(pending.values).length;
    edit.mutate(pending.values, {
      onSuccess: () => {
        setDrafts({});
        setSaved(count);
      },
    });
  };

  const serverErrors = edit.error instanceof ApiError ? edit.error.fieldErrors : {};
  const errors: Record<string, string> = { ...localErrors };
  const others: Record<string, string> = {};
  for (const [key, message] of Object.entries(serverErrors)) {
    const name = key.startsWith('values.') ? key.slice('values.'.length) : key;
    if (fields.some((f) => f.name === name)) errors[name] ??= message;
    else others[key] = message;
  }
  const formError = edit.error && !Object.keys(serverErrors).length ? errorMessage(edit.error) : undefined;

  return (
    <form aria-label="Record values" onSubmit={onSubmit} noValidate className="space-y-4">
      <FormError message={formError} />
      <FieldErrorList title="The CRM refused the edit:" errors={others} />
      {saved !== undefined && !dirty && <Success>Saved {saved} {saved === 1 ? 'value' : 'values'} as a CRM user.</Success>}
      <div className="grid gap-4 sm:grid-cols-2">
        {fields.map((f) => (
          <ValueInput
            key={f.name}
            field={f}
            draft={drafts[f.name] ?? toDraft(record.values[f.name])}
            error={errors[f.name]}
            onChange={(v) => setDrafts((d) => ({ ...d, [f.name]: v }))}
          />
        ))}
      </div>
      <button type="submit" className={primaryButton} disabled={!dirty || edit.isPending}>
        {edit.isPending ? 'Saving…' : 'Save as a CRM user'}
      </button>
    </form>
  );
}

interface ValueInputProps {
  field: EditorField;
  draft: string;
  error?: string;
  onChange: (draft: string) => void;
}

function ValueInput({ field: f, draft, error, onChange }: ValueInputProps) {
  const hint = <span className="font-mono">{f.name}</span>;
  const common = { label: f.label, hint, error };
  switch (f.kind) {
    case 'enum': {
      const unknown = draft !== '' && !f.options.some((o) => o.value === draft);
      return (
        <SelectField {...common} disabled={f.readOnly} value={draft} onChange={(e) => onChange(e.target.value)}>
          <option value="">— empty —</option>
          {unknown && <option value={draft}>{draft} (not an option)</option>}
          {f.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
      );
    }
    case 'bool':
      return (
        <SelectField {...common} disabled={f.readOnly} value={draft} onChange={(e) => onChange(e.target.value)}>
          <option value="">— empty —</option>
          <option value="true">Yes</option>
          <option value="false">No</option>
        </SelectField>
      );
    case 'textarea':
      return <TextArea label={f.label} hint={hint} error={error} readOnly={f.readOnly} value={draft} onChange={onChange} />;
    default:
      return (
        <FormField
          {...common}
          readOnly={f.readOnly}
          type={f.kind === 'number' ? 'number' : f.kind === 'date' ? 'date' : 'text'}
          step={f.kind === 'number' ? 'any' : undefined}
          className={f.kind === 'json' ? 'font-mono' : undefined}
          value={draft}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}

function TextArea({ label, hint, error, readOnly, value, onChange }: { label: string; hint: ReactNode; error?: string; readOnly: boolean; value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="sm:col-span-2">
      <label htmlFor={id} className="block text-sm font-medium text-gray-700">{label}</label>
      <textarea
        id={id}
        rows={3}
        readOnly={readOnly}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        onChange={(e) => onChange(e.target.value)}
        className={`${input} mt-1`}
      />
      <p id={`${id}-hint`} className="mt-1 text-xs text-gray-500">{hint}</p>
      {error && <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">{error}</p>}
    </div>
  );
}
