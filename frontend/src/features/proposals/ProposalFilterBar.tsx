import { DebouncedInput } from '../../components/DebouncedInput';
import { FormField, SelectField } from '../../components/FormField';
import { FLAGS, ROUTES, STATUSES, type FilterParam, type ProposalFilters } from './filters';
import { humanize } from './values';

/** An agent the Agent filter offers. */
export interface AgentOption {
  id: string;
  name: string;
}

interface Props {
  filters: ProposalFilters;
  agents: readonly AgentOption[];
  onChange: (key: FilterParam, value: string | undefined) => void;
  onClear?: () => void;
}

const ROUTE_LABELS: Record<string, string> = { two_person: 'two-person' };

/** The Proposals page's filters; every change goes to the URL through onChange. */
export function ProposalFilterBar({ filters, agents, onChange, onClear }: Props) {
  const agentOptions = filters.agent_id && !agents.some((a) => a.id === filters.agent_id)
    ? [...agents, { id: filters.agent_id, name: 'Selected agent' }]
    : agents;
  return (
    <form role="search" aria-label="Filter proposals" onSubmit={(e) => e.preventDefault()} className="space-y-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-start gap-3">
        <SelectField className="w-44" label="Agent" value={filters.agent_id ?? ''} onChange={(e) => onChange('agent_id', e.target.value)}>
          <option value="">All agents</option>
          {agentOptions.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <Choice label="Status" value={filters.status} options={STATUSES} onChange={(v) => onChange('status', v)} />
        <Choice label="Route" value={filters.route} options={ROUTES} labels={ROUTE_LABELS} onChange={(v) => onChange('route', v)} />
        <Choice label="Flag" value={filters.flag} options={FLAGS} onChange={(v) => onChange('flag', v)} className="w-48" />
        <DebouncedInput className="w-32" label="Object" placeholder="Any" value={filters.object ?? ''} onCommit={(v) => onChange('object', v.trim())} />
        <DebouncedInput className="w-36" label="Field" placeholder="Any" value={filters.field ?? ''} onCommit={(v) => onChange('field', v.trim())} />
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <FormField className="w-52" label="Since" type="datetime-local" value={filters.since ?? ''} onChange={(e) => onChange('since', e.target.value)} />
        <FormField className="w-52" label="Until" type="datetime-local" value={filters.until ?? ''} onChange={(e) => onChange('until', e.target.value)} />
        {onClear && (
          <button type="button" className="pb-2 text-sm font-medium text-accent-700 hover:underline" onClick={onClear}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

interface ChoiceProps {
  label: string;
  value?: string;
  options: readonly string[];
  labels?: Record<string, string>;
  onChange: (value: string) => void;
  className?: string;
}

function Choice({ label, value, options, labels = {}, onChange, className = 'w-36' }: ChoiceProps) {
  return (
    <SelectField className={className} label={label} value={value ?? ''} onChange={(e) => onChange(e.target.value)}>
      <option value="">Any</option>
      {options.map((o) => (
        <option key={o} value={o}>
          {labels[o] ?? humanize(o)}
        </option>
      ))}
    </SelectField>
  );
}
