import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { agentsQuery } from '../../api/agents';
import type { PolicyMode, RolloutStage, WhatIf, WhatIfInput } from '../../api/client';
import { MODES } from '../../api/client';
import { useWhatIf } from '../../api/rollouts';
import { formatCount } from '../../components/format';
import { FieldErrorList, FormField, SelectField, splitErrors } from '../../components/FormField';
import { ErrorState } from '../../components/states';
import { card, primaryButton, sectionTitle } from '../../components/styles';
import { cell, headCell } from '../../components/Table';
import { STAGES } from '../rollouts/stage';

const SHOWN = ['agent_id', 'fields', 'mode', 'threshold', 'stage', 'percent_bps'] as const;

/** Replays an agent's last 30 days against a draft policy or rollout. */
export function WhatIfPanel() {
  const agents = useQuery(agentsQuery());
  const [agentId, setAgentId] = useState('');
  const [fields, setFields] = useState('');
  const [mode, setMode] = useState('');
  const [threshold, setThreshold] = useState('');
  const [evidence, setEvidence] = useState('');
  const [stage, setStage] = useState('');
  const [bps, setBps] = useState('');
  const run = useWhatIf();
  const { all, rest, formError } = splitErrors(run.error, SHOWN);
  const body = (): WhatIfInput => ({
    agent_id: agentId,
    fields: fields.trim() ? fields.split(',').map((f) => f.trim()).filter(Boolean) : undefined,
    mode: (mode || undefined) as PolicyMode | undefined,
    threshold: threshold ? Number(threshold) : undefined,
    evidence_required: evidence === '' ? undefined : evidence === 'yes',
    stage: (stage || undefined) as RolloutStage | undefined,
    percent_bps: bps ? Math.round(Number(bps) * 100) : undefined,
  });
  return (
    <section aria-labelledby="what-if" className={`${card} space-y-3`}>
      <h2 id="what-if" className={sectionTitle}>Policy what-if</h2>
      <p className="text-sm text-gray-600">Replay an agent's proposals of the last 30 days with a draft in force: where would they have gone, and how many of the auto-applied share were in fact corrected?</p>
      <form
        className="grid grid-cols-1 gap-3 sm:grid-cols-3"
        onSubmit={(e) => {
          e.preventDefault();
          run.mutate(body());
        }}
      >
        <SelectField label="Agent" value={agentId} error={all.agent_id} onChange={(e) => setAgentId(e.target.value)} required>
          <option value="">Choose an agent…</option>
          {(agents.data ?? []).map((a) => (
            <option key={a.id} value={a.id}>{a.name}</option>
          ))}
        </SelectField>
        <FormField label="Fields (object.field, comma-separated; all if empty)" value={fields} error={all.fields} onChange={(e) => setFields(e.target.value)} />
        <SelectField label="Mode" value={mode} error={all.mode} onChange={(e) => setMode(e.target.value)}>
          <option value="">As it is</option>
          {MODES.map((m) => <option key={m} value={m}>{m}</option>)}
        </SelectField>
        <FormField label="Confidence threshold" type="number" step="0.01" min="0" max="1" placeholder="As it is" value={threshold} error={all.threshold} onChange={(e) => setThreshold(e.target.value)} />
        <SelectField label="Rollout stage" value={stage} error={all.stage} onChange={(e) => setStage(e.target.value)}>
          <option value="">As it is</option>
          {STAGES.map((s) => <option key={s} value={s}>{s}</option>)}
        </SelectField>
        <FormField label="Canary share (%)" type="number" min="0" max="100" step="0.01" value={bps} error={all.percent_bps} onChange={(e) => setBps(e.target.value)} />
        <SelectField label="Evidence" value={evidence} onChange={(e) => setEvidence(e.target.value)}>
          <option value="">As it is</option>
          <option value="yes">Required</option>
          <option value="no">Not required</option>
        </SelectField>
        <div className="sm:col-span-3">
          <button type="submit" className={primaryButton} disabled={run.isPending}>{run.isPending ? 'Replaying…' : 'Replay the last 30 days'}</button>
        </div>
      </form>
      <FieldErrorList title="Check the draft" errors={rest} />
      {formError && <ErrorState error={run.error} title="The replay failed" />}
      {run.data && <WhatIfResult w={run.data} />}
    </section>
  );
}

function WhatIfResult({ w }: { w: WhatIf }) {
  const rows: [string, keyof WhatIf['draft']][] = [['Blocked', 'blocked'], ['Reviewed', 'review'], ['Auto-applied', 'auto'], ['… of which corrected', 'auto_corrected']];
  return (
    <div className="space-y-2">
      <p role="status" className="text-sm text-gray-800">
        {formatCount(w.proposals)} proposals of the last {w.days} days replayed{w.truncated ? ' (the newest 50,000 only)' : ''}.
      </p>
      <table className="text-sm">
        <caption className="sr-only">What happened and what the draft would have done</caption>
        <thead>
          <tr>
            <th scope="col" className={headCell}>Route</th>
            <th scope="col" className={headCell}>What happened</th>
            <th scope="col" className={headCell}>With the draft</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.map(([label, key]) => (
            <tr key={key}>
              <th scope="row" className={`${cell} text-left font-medium`}>{label}</th>
              <td className={cell}>{formatCount(w.actual[key])}</td>
              <td className={cell}>{formatCount(w.draft[key])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
