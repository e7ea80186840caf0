import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { Agent, Connection } from '../../api/client';
import { useCreateAgent } from '../../api/agents';
import { FieldErrorList, FormError, FormField, SelectField, splitErrors, TextAreaField } from '../../components/FormField';
import { card, primaryButton, secondaryButton, sectionTitle } from '../../components/styles';

export const DEFAULT_VELOCITY_CAP = 50;

interface Props {
  connections: readonly Connection[];
  onCreated: (agent: Agent) => void;
  onCancel?: () => void;
}

/** Adds an agent on a connection; its default scope is set and clear on every field (policies still decide). */
export function NewAgentForm({ connections, onCreated, onCancel }: Props) {
  const create = useCreateAgent();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [connectionId, setConnectionId] = useState(connections.length === 1 ? connections[0].id : '');
  const [cap, setCap] = useState(String(DEFAULT_VELOCITY_CAP));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors: Record<string, string> = {};
    if (!name.trim()) errors.name = 'Name the agent.';
    if (!connectionId) errors.connection_id = 'Choose the CRM connection it works on.';
    if (!/^\d+$/.test(cap.trim()) || Number(cap) < 1) errors.velocity_cap = 'A whole number of records per hour, at least 1.';
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    create.mutate(
      { name: name.trim(), description: description.trim(), connection_id: connectionId, velocity_cap: Number(cap) },
      { onSuccess: onCreated },
    );
  };

  const { all, rest, formError } = splitErrors(create.error, ['name', 'description', 'connection_id', 'velocity_cap']);
  const errors = { ...all, ...localErrors };

  if (connections.length === 0) {
    return (
      <section className={card}>
        <h2 className={sectionTitle}>New agent</h2>
        <p className="mt-2 text-sm text-gray-600">
          An agent works on one CRM connection. <Link to="/fields/connections" className="font-medium text-accent-700 hover:underline">Connect a CRM</Link> first.
        </p>
      </section>
    );
  }

  return (
    <section aria-labelledby="new-agent-title" className={card}>
      <h2 id="new-agent-title" className={sectionTitle}>New agent</h2>
      <form aria-label="New agent" onSubmit={onSubmit} noValidate className="mt-3 space-y-4">
        <FormError message={formError} />
        <FieldErrorList title="The agent was refused:" errors={rest} />
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label="Name" required value={name} error={errors.name} placeholder="e.g. Enrichment bot" onChange={(e) => setName(e.target.value)} />
          <SelectField label="Connection" value={connectionId} error={errors.connection_id} onChange={(e) => setConnectionId(e.target.value)}>
            {connections.length > 1 && <option value="">Choose a connection</option>}
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <TextAreaField className="sm:col-span-2" label="Description" value={description} error={errors.description} placeholder="What it does and who runs it" onChange={(e) => setDescription(e.target.value)} />
          <FormField
            label="Velocity cap"
            type="number"
            min={1}
            inputMode="numeric"
            value={cap}
            error={errors.velocity_cap}
            hint="Distinct records per rolling hour before its breaker trips and everything goes to review."
            onChange={(e) => setCap(e.target.value)}
          />
        </div>
        <p className="text-xs text-gray-500">
          A new agent may set and clear every field of its connection; field policies still decide what is blocked or reviewed. Narrow its scopes on its page.
        </p>
        <div className="flex gap-2">
          <button type="submit" className={primaryButton} disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create agent'}
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
