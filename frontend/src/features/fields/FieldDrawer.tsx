import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { FieldDetail } from '../../api/client';
import { fieldQuery } from '../../api/catalog';
import { Drawer } from '../../components/Dialog';
import { formatDateTime } from '../../components/format';
import { ErrorState, Loading } from '../../components/states';
import { sectionTitle } from '../../components/styles';
import { Badge } from '../../components/Table';
import { DefinitionHistory, PolicyHistory } from './FieldHistory';
import { PolicyEditor, PolicyFacts, PolicyReason } from './PolicyEditor';

/** A field's policy, CRM metadata and histories in a side drawer (deep-linked by `?field=`). */
export function FieldDrawer({ fieldId, canManage, onClose }: { fieldId: string; canManage: boolean; onClose: () => void }) {
  const { data, error, isPending, refetch } = useQuery(fieldQuery(fieldId));
  return (
    <Drawer
      label={data?.label || data?.name || 'Field'}
      subtitle={data && `${data.object} · ${data.connection_name}`}
      onClose={onClose}
    >
      {isPending ? (
        <Loading label="Loading field…" />
      ) : error ? (
        <ErrorState error={error} title="Could not load this field" onRetry={() => void refetch()} />
      ) : (
        <FieldSections field={data} canManage={canManage} />
      )}
    </Drawer>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-3">
      <h3 className={sectionTitle}>{title}</h3>
      {children}
    </section>
  );
}

function FieldSections({ field, canManage }: { field: FieldDetail; canManage: boolean }) {
  return (
    <>
      <Section title="Policy">
        <PolicyReason policy={field.policy} />
        {canManage ? <PolicyEditor key={field.id} fieldId={field.id} policy={field.policy} /> : <PolicyFacts policy={field.policy} />}
      </Section>
      <Section title="CRM metadata">
        <CrmMetadata field={field} />
      </Section>
      <Section title="Policy history">
        <PolicyHistory changes={field.policy_history} />
      </Section>
      <Section title="Definition history">
        <DefinitionHistory changes={field.definition_history} />
      </Section>
    </>
  );
}

const yesNo = (v: boolean) => (v ? 'yes' : 'no');

function CrmMetadata({ field: f }: { field: FieldDetail }) {
  return (
    <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-2 text-sm">
      <dt className="text-gray-500">API name</dt>
      <dd className="font-mono text-gray-900">{f.name}</dd>
      <dt className="text-gray-500">Type</dt>
      <dd className="text-gray-900">
        {f.type} <span className="font-mono text-xs text-gray-500">({f.raw_type || '—'})</span>
      </dd>
      <dt className="text-gray-500">Read-only</dt>
      <dd className="text-gray-900">{yesNo(f.read_only)}</dd>
      <dt className="text-gray-500">CRM sensitivity</dt>
      <dd className="text-gray-900">{f.crm_sensitivity || '—'}</dd>
      <dt className="text-gray-500">Custom</dt>
      <dd className="text-gray-900">{yesNo(f.custom)}</dd>
      <dt className="text-gray-500">Archived</dt>
      <dd className="text-gray-900">{f.archived ? <Badge tone="gray">archived</Badge> : 'no'}</dd>
      <dt className="text-gray-500">Options</dt>
      <dd className="text-gray-900">
        {f.options.length === 0 ? (
          '—'
        ) : (
          <ul className="max-h-40 space-y-0.5 overflow-y-auto">
            {f.options.map((o) => (
              <li key={o.value}>
                {o.label} <span className="font-mono text-xs text-gray-500">{o.value}</span>
              </li>
            ))}
          </ul>
        )}
      </dd>
      <dt className="text-gray-500">Description</dt>
      <dd className="whitespace-pre-line text-gray-900">{f.description || '—'}</dd>
      <dt className="text-gray-500">First seen</dt>
      <dd className="text-gray-900">{formatDateTime(f.first_seen_at)}</dd>
      <dt className="text-gray-500">Last seen</dt>
      <dd className="text-gray-900">{formatDateTime(f.last_seen_at)}</dd>
    </dl>
  );
}
