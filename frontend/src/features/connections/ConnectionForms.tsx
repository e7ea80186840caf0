import { useState, type FormEvent } from 'react';
import type { Connection, CreateConnectionRequest, Provider } from '../../api/client';
import { useCreateConnection, useUpdateConnection } from '../../api/catalog';
import { FieldErrorList, FormError, FormField, SelectField, splitErrors } from '../../components/FormField';
import { card, primaryButton, secondaryButton, sectionTitle } from '../../components/styles';
import { CREDENTIALS, filledCredentials, missingCredentials, PROVIDER_CHOICES, SYNC_INTERVALS } from './providers';

interface CredentialInputsProps {
  provider: Provider;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  errors: Record<string, string>;
}

/** The inputs of a provider's credentials; secrets go into password inputs the browser should not remember. */
function CredentialInputs({ provider, values, onChange, errors }: CredentialInputsProps) {
  return CREDENTIALS[provider].map((spec) => (
    <FormField
      key={spec.key}
      label={spec.optional ? `${spec.label} (optional)` : spec.label}
      type={spec.secret ? 'password' : 'url'}
      autoComplete={spec.secret ? 'new-password' : 'off'}
      spellCheck={false}
      placeholder={spec.placeholder}
      value={values[spec.key] ?? ''}
      error={errors[`credentials.${spec.key}`]}
      onChange={(e) => onChange({ ...values, [spec.key]: e.target.value })}
    />
  ));
}

function IntervalSelect({ value, onChange, error }: { value: number; onChange: (minutes: number) => void; error?: string }) {
  const known = SYNC_INTERVALS.some((i) => i.minutes === value);
  return (
    <SelectField label="Sync every" value={value} error={error} onChange={(e) => onChange(Number(e.target.value))}>
      {!known && <option value={value}>{value} min</option>}
      {SYNC_INTERVALS.map((i) => (
        <option key={i.minutes} value={i.minutes}>
          {i.label}
        </option>
      ))}
    </SelectField>
  );
}

/** Adds a CRM connection; the credentials typed here are sent once and never shown again. */
export function AddConnectionForm({ onCreated, onCancel }: { onCreated: (c: Connection) => void; onCancel?: () => void }) {
  const create = useCreateConnection();
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<Provider>('sandbox');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [baseUrl, setBaseUrl] = useState('');
  const [syncEvery, setSyncEvery] = useState(60);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = missingCredentials(provider, credentials);
    if (!name.trim()) errors.name = 'Name the connection.';
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    const body: CreateConnectionRequest = { name: name.trim(), provider, sync_interval_minutes: syncEvery };
    const creds = filledCredentials(credentials);
    if (creds) body.credentials = creds;
    if (baseUrl.trim()) body.base_url = baseUrl.trim();
    create.mutate(body, {
      onSuccess: (c) => {
        // Forget the secrets as soon as the server has them.
        setCredentials({});
        setName('');
        setBaseUrl('');
        onCreated(c);
      },
    });
  };

  const shown = ['name', 'provider', 'base_url', 'sync_interval_minutes', ...CREDENTIALS[provider].map((s) => `credentials.${s.key}`)];
  const { all, rest, formError } = splitErrors(create.error, shown);
  const errors = { ...all, ...localErrors };

  return (
    <section aria-labelledby="add-connection-title" className={card}>
      <h2 id="add-connection-title" className={sectionTitle}>Add connection</h2>
      <form aria-label="Add connection" onSubmit={onSubmit} noValidate className="mt-3 space-y-4">
        <FormError message={formError} />
        <FieldErrorList title="The connection was refused:" errors={rest} />
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label="Name" required value={name} error={errors.name} placeholder="e.g. HubSpot production" onChange={(e) => setName(e.target.value)} />
          <SelectField
            label="Provider"
            value={provider}
            error={errors.provider}
            onChange={(e) => {
              setProvider(e.target.value as Provider);
              setCredentials({});
              setLocalErrors({});
            }}
          >
            {PROVIDER_CHOICES.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </SelectField>
          <CredentialInputs provider={provider} values={credentials} onChange={setCredentials} errors={errors} />
          {provider !== 'sandbox' && (
            <FormField
              label="API base URL (optional)"
              type="url"
              placeholder="The provider's default"
              value={baseUrl}
              error={errors.base_url}
              onChange={(e) => setBaseUrl(e.target.value)}
            />
          )}
          <IntervalSelect value={syncEvery} onChange={setSyncEvery} error={errors.sync_interval_minutes} />
        </div>
        {provider === 'sandbox' ? (
          <p className="text-xs text-gray-500">The sandbox is a demo CRM built into Countersign: no credentials needed.</p>
        ) : (
          <p className="text-xs text-gray-500">Credentials are encrypted at rest and never shown again, not even to admins.</p>
        )}
        <div className="flex gap-2">
          <button type="submit" className={primaryButton} disabled={create.isPending}>
            {create.isPending ? 'Saving…' : 'Save connection'}
          </button>
          {onCancel && (
            <button type="button" className={secondaryButton} onClick={onCancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** Sends new credentials for a connection; the old ones are replaced, never shown. */
export function ReplaceCredentialsForm({ connection, onDone }: { connection: Connection; onDone: (saved: boolean) => void }) {
  const update = useUpdateConnection(connection.id);
  const [values, setValues] = useState<Record<string, string>>({});
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = missingCredentials(connection.provider, values);
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    update.mutate(
      { credentials: filledCredentials(values) ?? {} },
      {
        onSuccess: () => {
          setValues({});
          onDone(true);
        },
      },
    );
  };

  const { all, rest, formError } = splitErrors(update.error, CREDENTIALS[connection.provider].map((s) => `credentials.${s.key}`));
  return (
    <form aria-label={`Replace credentials of ${connection.name}`} onSubmit={onSubmit} noValidate className="space-y-3 rounded-md border border-gray-200 bg-gray-50 p-4">
      <FormError message={formError} />
      <FieldErrorList title="The credentials were refused:" errors={rest} />
      <div className="grid gap-3 sm:grid-cols-2">
        <CredentialInputs provider={connection.provider} values={values} onChange={setValues} errors={{ ...all, ...localErrors }} />
      </div>
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save credentials'}
        </button>
        <button type="button" className={secondaryButton} onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Renames a connection, changes its API base URL or its sync schedule. */
export function ConnectionSettingsForm({ connection, onDone }: { connection: Connection; onDone: (saved: boolean) => void }) {
  const update = useUpdateConnection(connection.id);
  const [name, setName] = useState(connection.name);
  const [baseUrl, setBaseUrl] = useState(connection.base_url);
  const [syncEvery, setSyncEvery] = useState(connection.sync_interval_minutes);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ name: name.trim(), base_url: baseUrl.trim(), sync_interval_minutes: syncEvery }, { onSuccess: () => onDone(true) });
  };

  const { all, rest, formError } = splitErrors(update.error, ['name', 'base_url', 'sync_interval_minutes']);
  return (
    <form aria-label={`Settings of ${connection.name}`} onSubmit={onSubmit} noValidate className="space-y-3 rounded-md border border-gray-200 bg-gray-50 p-4">
      <FormError message={formError} />
      <FieldErrorList title="The settings were refused:" errors={rest} />
      <div className="grid gap-3 sm:grid-cols-3">
        <FormField label="Name" required value={name} error={all.name} onChange={(e) => setName(e.target.value)} />
        {connection.provider !== 'sandbox' && (
          <FormField label="API base URL" type="url" placeholder="The provider's default" value={baseUrl} error={all.base_url} onChange={(e) => setBaseUrl(e.target.value)} />
        )}
        <IntervalSelect value={syncEvery} onChange={setSyncEvery} error={all.sync_interval_minutes} />
      </div>
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={update.isPending || !name.trim()}>
          {update.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" className={secondaryButton} onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
