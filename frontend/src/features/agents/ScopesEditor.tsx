import { useId, useState } from 'react';
import type { Agent, AgentScope } from '../../api/client';
import { useUpdateAgent } from '../../api/agents';
import { CheckboxGroup, FieldErrorList, FormError, FormField, splitErrors } from '../../components/FormField';
import { Success } from '../../components/states';
import { primaryButton, secondaryButton } from '../../components/styles';
import { cell, Table } from '../../components/Table';

type Operation = AgentScope['operations'][number];
export const OPERATIONS: readonly Operation[] = ['set', 'clear', 'append'];

// The sandbox CRM's objects, offered as suggestions: any object name is accepted.
const OBJECT_SUGGESTIONS = ['*', 'contacts', 'companies', 'deals', 'tickets'];

/** A scope's rows must each name an object and a field and allow an operation. */
function check(scopes: readonly AgentScope[]): Record<string, string> {
  const errors: Record<string, string> = {};
  scopes.forEach((s, i) => {
    if (!s.object.trim()) errors[`scopes[${i}].object`] = 'Name an object, or * for all.';
    if (!s.field.trim()) errors[`scopes[${i}].field`] = 'Name a field, or * for all.';
    if (s.operations.length === 0) errors[`scopes[${i}].operations`] = 'Allow at least one operation.';
  });
  return errors;
}

/** Which objects, fields and operations an agent may propose; "*" means all. Saved as a whole. */
export function ScopesEditor({ agent }: { agent: Agent }) {
  const update = useUpdateAgent(agent.id);
  const objectList = useId();
  const [rows, setRows] = useState<AgentScope[]>(agent.scopes);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const dirty = JSON.stringify(rows) !== JSON.stringify(agent.scopes);

  const change = (next: AgentScope[]) => {
    setSaved(false);
    setRows(next);
  };
  const set = (i: number, patch: Partial<AgentScope>) => change(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = () => {
    const scopes = rows.map((r) => ({ ...r, object: r.object.trim(), field: r.field.trim() }));
    const errors = check(scopes);
    setLocalErrors(errors);
    if (Object.keys(errors).length) return;
    update.mutate({ scopes }, {
      // The server's order and spelling become the new baseline.
      onSuccess: (a) => {
        setRows(a.scopes);
        setSaved(true);
      },
    });
  };

  const shown = rows.flatMap((_, i) => [`scopes[${i}]`, `scopes[${i}].object`, `scopes[${i}].field`, `scopes[${i}].operations`]);
  const { all, rest, formError } = splitErrors(update.error, shown);
  const errors = { ...all, ...localErrors };

  return (
    <div className="space-y-3">
      <p className="text-sm text-gray-600">
        <code className="font-mono">*</code> means every object or every field. Proposals outside these scopes are blocked and counted. Field policies still decide the rest.
      </p>
      <FormError message={formError} />
      <FieldErrorList title="The scopes were refused:" errors={rest} />
      {rows.length === 0 && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          No scopes: every proposal of this agent will be blocked.
        </p>
      )}
      <datalist id={objectList}>
        {OBJECT_SUGGESTIONS.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
      <ul aria-label="Scopes" className="space-y-2">
        {rows.map((r, i) => (
          <li key={i} aria-label={`Scope ${i + 1}`} className="flex flex-wrap items-start gap-3 rounded-md border border-gray-200 bg-gray-50 p-3">
            <FormField className="w-40" label="Object" list={objectList} value={r.object} error={errors[`scopes[${i}].object`]} onChange={(e) => set(i, { object: e.target.value })} />
            <FormField className="w-44" label="Field" placeholder="*" value={r.field} error={errors[`scopes[${i}].field`]} onChange={(e) => set(i, { field: e.target.value })} />
            <div className="pt-1">
              <CheckboxGroup
                legend="Operations"
                options={OPERATIONS}
                value={r.operations}
                error={errors[`scopes[${i}].operations`] ?? errors[`scopes[${i}]`]}
                onChange={(operations) => set(i, { operations })}
              />
            </div>
            <button type="button" className={`${secondaryButton} mt-6 ml-auto`} aria-label={`Remove scope ${i + 1}`} onClick={() => change(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className={secondaryButton} onClick={() => change([...rows, { object: '', field: '*', operations: ['set'] }])}>
          Add scope
        </button>
        <button type="button" className={primaryButton} disabled={!dirty || update.isPending} onClick={save}>
          {update.isPending ? 'Saving…' : 'Save scopes'}
        </button>
        {dirty && (
          <button type="button" className="text-sm font-medium text-accent-700 hover:underline" onClick={() => { setLocalErrors({}); update.reset(); change(agent.scopes); }}>
            Discard changes
          </button>
        )}
        {saved && !dirty && <Success>Scopes saved.</Success>}
      </div>
    </div>
  );
}

/** The scopes, read-only. */
export function ScopesTable({ scopes }: { scopes: readonly AgentScope[] }) {
  if (scopes.length === 0) return <p className="text-sm text-gray-600">No scopes: every proposal of this agent is blocked.</p>;
  return (
    <Table caption="Scopes" headers={['Object', 'Field', 'Operations']}>
      {scopes.map((s, i) => (
        <tr key={i}>
          <td className={`${cell} font-mono text-xs`}>{s.object === '*' ? '* (every object)' : s.object}</td>
          <td className={`${cell} font-mono text-xs`}>{s.field === '*' ? '* (every field)' : s.field}</td>
          <td className={cell}>{s.operations.join(', ')}</td>
        </tr>
      ))}
    </Table>
  );
}
