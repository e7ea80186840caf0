import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { connectionsQuery } from '../api/catalog';
import { Empty, ErrorState, Loading, Success } from '../components/states';
import { primaryButton } from '../components/styles';
import { useCan } from '../features/auth/session';
import { ConnectionCard } from '../features/connections/ConnectionCard';
import { AddConnectionForm } from '../features/connections/ConnectionForms';

/** The tenant's CRM connections: state, syncs, and (for admins) adding and re-keying them. */
export function ConnectionsPage() {
  const canManage = useCan('fields.manage');
  const canEditSandbox = useCan('sandbox.edit');
  const { data, error, isPending, refetch } = useQuery(connectionsQuery());
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<string>();

  if (isPending) return <Loading label="Loading connections…" />;
  if (error) return <ErrorState error={error} title="Could not load the connections" onRetry={() => void refetch()} />;

  const showForm = canManage && (adding || data.length === 0);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-gray-600">Each connection syncs its CRM's field definitions into the catalog.</p>
        {canManage && !showForm && (
          <button type="button" className={primaryButton} onClick={() => { setCreated(undefined); setAdding(true); }}>
            Add connection
          </button>
        )}
      </div>
      {created && <Success>Connection “{created}” added. Its credentials are stored encrypted and will not be shown again.</Success>}
      {showForm && (
        <AddConnectionForm
          onCreated={(c) => {
            setAdding(false);
            setCreated(c.name);
          }}
          onCancel={data.length > 0 ? () => setAdding(false) : undefined}
        />
      )}
      {data.length === 0 ? (
        <Empty>No CRM connected yet.{!canManage && ' Ask an admin to connect one.'}</Empty>
      ) : (
        <section aria-label="Connections" className="space-y-4">
          {data.map((c) => (
            <ConnectionCard key={c.id} connection={c} canManage={canManage} canEditSandbox={canEditSandbox} />
          ))}
        </section>
      )}
    </div>
  );
}
