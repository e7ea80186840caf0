import { DebouncedInput } from '../../components/DebouncedInput';
import { FormField, SelectField } from '../../components/FormField';
import { ACTOR_KINDS, type ChangeFilters, type FilterParam } from './filters';
import type { AgentOption } from './useAgentOptions';

interface Props {
  filters: ChangeFilters;
  agents: readonly AgentOption[];
  onChange: (key: FilterParam, value: string | undefined) => void;
  onClear?: () => void;
}

/** The change log's filters; every change goes to the URL through onChange. */
export function ChangeFilterBar({ filters, agents, onChange, onClear }: Props) {
  return (
    <form role="search" aria-label="Filter changes" onSubmit={(e) => e.preventDefault()} className="flex flex-wrap items-end gap-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
      <DebouncedInput className="w-36" label="Record id" placeholder="Any" value={filters.record_id ?? ''} onCommit={(v) => onChange('record_id', v.trim())} />
      <DebouncedInput className="w-32" label="Object" placeholder="Any" value={filters.object ?? ''} onCommit={(v) => onChange('object', v.trim())} />
      <DebouncedInput className="w-36" label="Field" placeholder="Any" value={filters.field ?? ''} onCommit={(v) => onChange('field', v.trim())} />
      <SelectField className="w-44" label="Agent" value={filters.agent_id ?? ''} onChange={(e) => onChange('agent_id', e.target.value)}>
        <option value="">All agents</option>
        {agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
          </option>
        ))}
      </SelectField>
      <SelectField className="w-40" label="Actor" value={filters.actor_kind ?? ''} onChange={(e) => onChange('actor_kind', e.target.value)}>
        <option value="">Anyone</option>
        {ACTOR_KINDS.map((k) => (
          <option key={k} value={k}>
            {k === 'collaborative' ? 'agent + reviewer' : k}
          </option>
        ))}
      </SelectField>
      <FormField className="w-52" label="Since" type="datetime-local" value={filters.since ?? ''} onChange={(e) => onChange('since', e.target.value)} />
      <FormField className="w-52" label="Until" type="datetime-local" value={filters.until ?? ''} onChange={(e) => onChange('until', e.target.value)} />
      {onClear && (
        <button type="button" className="pb-2 text-sm font-medium text-accent-700 hover:underline" onClick={onClear}>
          Clear filters
        </button>
      )}
    </form>
  );
}
