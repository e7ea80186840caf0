import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage, type Tenant } from '../api/client';
import { tenantQuery, useRenameTenant } from '../api/queries';
import { FormError, FormField } from '../components/FormField';
import { formatDateTime } from '../components/format';
import { ErrorState, Loading, Success } from '../components/states';
import { card, pageTitle, primaryButton, sectionTitle } from '../components/styles';
import { useCan } from '../features/auth/session';
import { QueueSettings } from '../features/review/QueueSettings';

/** Settings of the current tenant. */
export function SettingsPage() {
  const canManage = useCan('settings.manage');
  const { data, error, isPending, refetch } = useQuery(tenantQuery());
  return (
    <div className="space-y-6">
      <h1 className={pageTitle}>Settings</h1>
      {isPending ? (
        <Loading label="Loading settings…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load the settings" onRetry={() => void refetch()} />
      ) : (
        <>
          <TenantFacts tenant={data} />
          {canManage && <RenameForm current={data.name} />}
          {canManage && <QueueSettings />}
        </>
      )}
    </div>
  );
}

function TenantFacts({ tenant }: { tenant: Tenant }) {
  return (
    <section aria-labelledby="tenant-title" className={card}>
      <h2 id="tenant-title" className={sectionTitle}>Tenant</h2>
      <dl className="mt-3 grid grid-cols-[8rem_1fr] gap-y-2 text-sm">
        <dt className="text-gray-500">Name</dt>
        <dd className="text-gray-900">{tenant.name}</dd>
        <dt className="text-gray-500">Slug</dt>
        <dd className="font-mono text-gray-900">{tenant.slug}</dd>
        <dt className="text-gray-500">Created</dt>
        <dd className="text-gray-900">{formatDateTime(tenant.created_at)}</dd>
      </dl>
    </section>
  );
}

function RenameForm({ current }: { current: string }) {
  const rename = useRenameTenant();
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState(false);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    rename.mutate(name.trim(), {
      onSuccess: (tenant) => {
        setName(tenant.name);
        setSaved(true);
      },
    });
  };

  const fieldErrors = rename.error instanceof ApiError ? rename.error.fieldErrors : {};
  const formError = rename.error && !fieldErrors.name ? errorMessage(rename.error) : undefined;

  return (
    <section aria-labelledby="rename-title" className={card}>
      <h2 id="rename-title" className={sectionTitle}>Rename tenant</h2>
      <form onSubmit={onSubmit} noValidate aria-label="Rename tenant" className="mt-3 max-w-md space-y-4">
        <FormError message={formError} />
        {saved && <Success>Saved.</Success>}
        <FormField label="Tenant name" required value={name} onChange={(e) => setName(e.target.value)} error={fieldErrors.name} />
        <button type="submit" className={primaryButton} disabled={rename.isPending || !name.trim()}>
          {rename.isPending ? 'Saving…' : 'Save'}
        </button>
      </form>
    </section>
  );
}
