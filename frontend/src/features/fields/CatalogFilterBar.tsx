import { useId } from 'react';
import { MODES, SENSITIVITIES, TAGS, type Connection } from '../../api/client';
import { DebouncedInput } from '../../components/DebouncedInput';
import { CheckboxField, SelectField } from '../../components/FormField';
import { MODE_LABELS } from './badges';
import type { CatalogFilters, FilterParam } from './filters';

// The CRMs' own sensitivity labels (HubSpot dataSensitivity, Salesforce
// SecurityClassification), offered as suggestions: the API takes any value.
const CRM_SENSITIVITY_SUGGESTIONS = ['any', 'sensitive', 'highly_sensitive', 'Public', 'Internal', 'Confidential', 'Restricted', 'MissionCritical'];

interface Props {
  filters: CatalogFilters;
  connections: readonly Connection[];
  /** Objects worth suggesting in the Object filter. */
  objects: readonly string[];
  onChange: (key: FilterParam, value: string | boolean | undefined) => void;
  onClear?: () => void;
}

/** The catalog's filters; every change goes to the URL through onChange. */
export function CatalogFilterBar({ filters, connections, objects, onChange, onClear }: Props) {
  const objectList = useId();
  const crmList = useId();
  return (
    <form role="search" aria-label="Filter fields" onSubmit={(e) => e.preventDefault()} className="space-y-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-start gap-3">
        <DebouncedInput
          className="w-full sm:w-64"
          label="Search fields"
          type="search"
          placeholder="Name, label or object"
          value={filters.q}
          onCommit={(v) => onChange('q', v)}
        />
        <SelectField className="w-48" label="Connection" value={filters.connection_id ?? ''} onChange={(e) => onChange('connection_id', e.target.value)}>
          <option value="">All connections</option>
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </SelectField>
        <DebouncedInput className="w-36" label="Object" list={objectList} placeholder="Any object" value={filters.object ?? ''} onCommit={(v) => onChange('object', v.trim())} />
        <datalist id={objectList}>
          {objects.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
        <SelectField className="w-28" label="Sensitivity" value={filters.sensitivity ?? ''} onChange={(e) => onChange('sensitivity', e.target.value)}>
          <option value="">Any</option>
          {SENSITIVITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <SelectField className="w-32" label="Mode" value={filters.mode ?? ''} onChange={(e) => onChange('mode', e.target.value)}>
          <option value="">Any</option>
          {MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </SelectField>
        <SelectField className="w-32" label="Tag" value={filters.tag ?? ''} onChange={(e) => onChange('tag', e.target.value)}>
          <option value="">Any</option>
          {TAGS.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="flex flex-wrap items-end gap-x-6 gap-y-3">
        <DebouncedInput
          className="w-48"
          label="CRM sensitivity"
          list={crmList}
          placeholder="Any"
          hint="“any” = any value the CRM set"
          value={filters.crm_sensitivity ?? ''}
          onCommit={(v) => onChange('crm_sensitivity', v.trim())}
        />
        <datalist id={crmList}>
          {CRM_SENSITIVITY_SUGGESTIONS.map((o) => (
            <option key={o} value={o} />
          ))}
        </datalist>
        <CheckboxField className="pb-6" label="Needs decision" checked={filters.needs_decision} onChange={(e) => onChange('needs_decision', e.target.checked)} />
        <CheckboxField className="pb-6" label="Show archived" checked={filters.archived} onChange={(e) => onChange('archived', e.target.checked)} />
        {onClear && (
          <button type="button" className="pb-6 text-sm font-medium text-accent-700 hover:underline" onClick={onClear}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}
