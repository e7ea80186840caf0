import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { RolloutDetail as Detail } from '../../api/client';
import { rolloutQuery, useUpdateRollout } from '../../api/rollouts';
import { Drawer } from '../../components/Dialog';
import { formatDateTime } from '../../components/format';
import { FormField, splitErrors } from '../../components/FormField';
import { ErrorState, Loading } from '../../components/states';
import { primaryButton, sectionTitle } from '../../components/styles';
import { stageText } from './stage';

/** A rollout's history (who moved it, when, why) and, for admins, its name and guardrail. */
export function RolloutDrawer({ id, canManage, onClose }: { id: string; canManage: boolean; onClose: () => void }) {
  const q = useQuery(rolloutQuery(id));
  return (
    <Drawer label="Rollout" title={q.data?.name ?? 'Rollout'} subtitle={q.data && `${q.data.agent_name} · ${q.data.fields.join(', ')}`} onClose={onClose}>
      {q.isPending ? (
        <Loading label="Loading the rollout…" />
      ) : q.error ? (
        <ErrorState error={q.error} title="Could not load the rollout" onRetry={() => void q.refetch()} />
      ) : (
        <div className="space-y-6">
          {canManage && <GuardrailForm rollout={q.data} />}
          <History rollout={q.data} />
        </div>
      )}
    </Drawer>
  );
}

function GuardrailForm({ rollout }: { rollout: Detail }) {
  const [name, setName] = useState(rollout.name);
  const [threshold, setThreshold] = useState(String(rollout.threshold_bps / 100));
  const [sample, setSample] = useState(String(rollout.min_sample));
  const update = useUpdateRollout(rollout.id);
  const { all, formError } = splitErrors(update.error, ['name', 'threshold_bps', 'min_sample']);
  return (
    <form
      aria-label="Guardrail"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        update.mutate({ name: name.trim(), threshold_bps: Math.round(Number(threshold) * 100), min_sample: Number(sample) });
      }}
    >
      <h3 className={sectionTitle}>Name and guardrail</h3>
      <FormField label="Name" value={name} error={all.name} onChange={(e) => setName(e.target.value)} />
      <div className="grid grid-cols-2 gap-3">
        <FormField label="Threshold (%)" type="number" step="0.01" value={threshold} error={all.threshold_bps} onChange={(e) => setThreshold(e.target.value)} />
        <FormField label="Minimum sample" type="number" value={sample} error={all.min_sample} onChange={(e) => setSample(e.target.value)} />
      </div>
      {formError && <p role="alert" className="text-sm text-red-700">{formError}</p>}
      {update.isSuccess && <p role="status" className="text-sm text-green-700">Saved.</p>}
      <button type="submit" className={primaryButton} disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save'}
      </button>
    </form>
  );
}

function History({ rollout }: { rollout: Detail }) {
  return (
    <section aria-label="Stage history" className="space-y-2">
      <h3 className={sectionTitle}>History</h3>
      <ol className="space-y-3">
        {rollout.history.map((h) => (
          <li key={h.seq} className="rounded-md border border-gray-200 px-3 py-2 text-sm">
            <p className="font-medium text-gray-900">
              {h.from_stage ? `${stageText(h.from_stage as Detail['stage'], h.from_bps ?? 0)} → ` : ''}
              {stageText(h.to_stage, h.to_bps)}
            </p>
            <p className="text-xs text-gray-500">
              {h.actor_kind === 'system' ? 'The guardrail' : h.actor} · {formatDateTime(h.at)}
            </p>
            {h.reason && <p className="mt-1 text-gray-700">{h.reason}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
