import { useState, type FormEvent } from 'react';
import type { Agent } from '../../api/client';
import { errorMessage } from '../../api/client';
import { useResetBreaker, useUpdateAgent } from '../../api/agents';
import { Modal } from '../../components/Dialog';
import { FormError, splitErrors, TextAreaField } from '../../components/FormField';
import { formatDateTime } from '../../components/format';
import { dangerButton, primaryButton, secondaryButton } from '../../components/styles';

/** Pause (with a reason) or resume an agent. */
export function PauseResume({ agent }: { agent: Agent }) {
  const update = useUpdateAgent(agent.id);
  const [pausing, setPausing] = useState(false);
  if (agent.status === 'paused') {
    return (
      <div>
        <button type="button" className={primaryButton} disabled={update.isPending} onClick={() => update.mutate({ status: 'active' })}>
          {update.isPending ? 'Resuming…' : 'Resume'}
        </button>
        {update.error && <p role="alert" className="mt-1 text-sm text-red-700">{errorMessage(update.error)}</p>}
      </div>
    );
  }
  return (
    <>
      <button type="button" className={secondaryButton} onClick={() => setPausing(true)}>
        Pause
      </button>
      {pausing && <PauseDialog agent={agent} onClose={() => setPausing(false)} />}
    </>
  );
}

function PauseDialog({ agent, onClose }: { agent: Agent; onClose: () => void }) {
  const update = useUpdateAgent(agent.id);
  const [reason, setReason] = useState('');
  const [localError, setLocalError] = useState<string>();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setLocalError('Say why the agent is paused: reviewers and the agent read it.');
      return;
    }
    setLocalError(undefined);
    update.mutate({ status: 'paused', paused_reason: reason.trim() }, { onSuccess: onClose });
  };
  const { all, formError } = splitErrors(update.error, ['paused_reason']);
  const rest = Object.entries(all).filter(([k]) => k !== 'paused_reason').map(([k, v]) => `${k}: ${v}`).join(' ');
  return (
    <Modal
      label={`Pause ${agent.name}`}
      subtitle="While paused, every proposal of this agent is blocked and it is told why."
      onClose={onClose}
    >
      <form aria-label="Pause agent" onSubmit={onSubmit} noValidate className="space-y-4">
        <FormError message={formError ?? (rest || undefined)} />
        <TextAreaField
          label="Reason"
          required
          rows={3}
          value={reason}
          error={localError ?? all.paused_reason}
          placeholder="e.g. Proposed wrong deal stages last week"
          onChange={(e) => setReason(e.target.value)}
        />
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={dangerButton} disabled={update.isPending}>
            {update.isPending ? 'Pausing…' : 'Pause agent'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The breaker's state; admins may reset a tripped one. */
export function BreakerNotice({ agent, canManage }: { agent: Agent; canManage: boolean }) {
  const reset = useResetBreaker(agent.id);
  if (!agent.breaker_open) return null;
  return (
    <div role="status" className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <div>
        <p className="font-medium">
          Velocity breaker open{agent.breaker_tripped_at && ` since ${formatDateTime(agent.breaker_tripped_at)}`}
        </p>
        <p className="mt-0.5">
          It targeted more than {agent.velocity_cap} distinct records within an hour: nothing of this agent is auto-applied, everything goes to review
          {canManage ? ' until you reset the breaker.' : ' until an admin resets the breaker.'}
        </p>
        {reset.error && <p role="alert" className="mt-1">{errorMessage(reset.error)}</p>}
      </div>
      {canManage && (
        <button type="button" className={dangerButton} disabled={reset.isPending} onClick={() => reset.mutate()}>
          {reset.isPending ? 'Resetting…' : 'Reset breaker'}
        </button>
      )}
    </div>
  );
}
