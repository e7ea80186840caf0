import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { agentsQuery } from '../../api/agents';
import { fieldPageQuery } from '../../api/catalog';
import type { Agent } from '../../api/client';
import { useCreateRollout } from '../../api/rollouts';
import { Modal, FormActions } from '../../components/Dialog';
import { FieldErrorList, FormField, SelectField, splitErrors } from '../../components/FormField';
import { ErrorState } from '../../components/states';

const SHOWN = ['agent_id', 'name', 'fields', 'threshold_bps', 'min_sample'] as const;

/** An agent's writable fields that a rollout may hold (not blocked, not human-only), as object.field. */
function useRolloutFields(agent: Agent | undefined) {
  const page = useQuery({
    ...fieldPageQuery({ connection_id: agent?.connection_id, limit: 500 }),
    enabled: agent !== undefined,
  });
  const fields = (page.data?.fields ?? []).filter(
    (f) => !f.read_only && !f.archived && f.policy.mode !== 'blocked' && f.policy.sensitivity !== 'critical' && !f.policy.tags.includes('consent'),
  );
  return { fields, isPending: agent !== undefined && page.isPending };
}

/** Creates a rollout (off) for an agent and some of its fields. */
export function CreateRolloutDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const agents = useQuery(agentsQuery());
  const [agentId, setAgentId] = useState('');
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [threshold, setThreshold] = useState('3');
  const [minSample, setMinSample] = useState('50');
  const agent = agents.data?.find((a) => a.id === agentId);
  const { fields, isPending } = useRolloutFields(agent);
  const create = useCreateRollout();
  const { all, rest, formError } = splitErrors(create.error, SHOWN);
  const fieldErrors = Object.entries(rest).filter(([k]) => k.startsWith('fields['));
  const submit = () =>
    create.mutate(
      { agent_id: agentId, name: name.trim(), fields: picked, threshold_bps: Math.round(Number(threshold) * 100), min_sample: Number(minSample) },
      { onSuccess: (r) => onCreated(r.id) },
    );

  return (
    <Modal label="Create rollout" subtitle="A rollout starts off; move it to shadow, then a canary, from its card." onClose={onClose}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <SelectField label="Agent" value={agentId} error={all.agent_id} onChange={(e) => (setAgentId(e.target.value), setPicked([]))} required>
          <option value="">Choose an agent…</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <FormField label="Name" value={name} maxLength={100} placeholder="e.g. Company cities" error={all.name} onChange={(e) => setName(e.target.value)} required />
        <fieldset className="space-y-1.5">
          <legend className="text-sm font-medium text-gray-700">Fields</legend>
          {!agent ? (
            <p className="text-sm text-gray-500">Choose an agent to list its fields.</p>
          ) : isPending ? (
            <p className="text-sm text-gray-500">Loading fields…</p>
          ) : (
            <select
              multiple
              aria-label="Fields"
              className="h-40 w-full rounded-md border border-gray-300 text-sm"
              value={picked}
              onChange={(e) => setPicked([...e.target.selectedOptions].map((o) => o.value))}
            >
              {fields.map((f) => (
                <option key={f.id} value={`${f.object}.${f.name}`}>
                  {f.object}.{f.name} — {f.policy.sensitivity}, {f.policy.mode}
                </option>
              ))}
            </select>
          )}
          <p className="text-xs text-gray-500">Blocked and human-only fields are not listed: no rollout may auto-apply them. A field in mode review or two-person auto-applies nothing until its mode is auto.</p>
          {all.fields && <p className="text-sm text-red-700">{all.fields}</p>}
          {fieldErrors.map(([k, m]) => (
            <p key={k} className="text-sm text-red-700">
              {picked[Number(k.slice(7, -1))] ?? k}: {m}
            </p>
          ))}
        </fieldset>
        <div className="grid grid-cols-2 gap-3">
          <FormField label="Guardrail threshold (%)" type="number" min="0.01" max="100" step="0.01" value={threshold} error={all.threshold_bps}
            hint="Halt when the canary's correction rate is above this even at its lower bound" onChange={(e) => setThreshold(e.target.value)} />
          <FormField label="Minimum sample" type="number" min="1" value={minSample} error={all.min_sample}
            hint="Outcomes before the guardrail judges" onChange={(e) => setMinSample(e.target.value)} />
        </div>
        <FieldErrorList title="Check the rollout" errors={Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('fields[')))} />
        {formError && <ErrorState error={create.error} title="The rollout was not created" />}
        <FormActions onCancel={onClose} pending={create.isPending} pendingLabel="Creating…">
          Create rollout
        </FormActions>
      </form>
    </Modal>
  );
}
