import { useState, type FormEvent } from 'react';
import { useRollbackChange } from '../../api/changes';
import { errorMessage, type ChangeEvent, type RollbackRequest, type RollbackResult } from '../../api/client';
import { Modal } from '../../components/Dialog';
import { FormError, FormField, TextAreaField } from '../../components/FormField';
import { dangerButton, primaryButton, secondaryButton } from '../../components/styles';
import { ThreeWay } from './Conflicts';
import { BeforeAfter } from './values';

type Resolution = NonNullable<RollbackRequest['resolution']>;

interface Props {
  event: ChangeEvent;
  /** Called with the notice to show once the change is rolled back. */
  onDone: (notice: string) => void;
  onClose: () => void;
}

/**
 * Rolls one change back. When the CRM no longer holds what the change wrote,
 * nothing is written: the three values are shown and the user picks what the
 * field should hold, which re-sends the rollback with that resolution.
 */
export function RollbackDialog({ event, onDone, onClose }: Props) {
  const [reason, setReason] = useState('');
  const [answer, setAnswer] = useState<RollbackResult>();
  const rollback = useRollbackChange(event.id);

  const send = (resolution?: Resolution, value?: unknown) => {
    const body: RollbackRequest = { reason: reason.trim() || undefined, resolution };
    if (resolution === 'set_value') body.value = value;
    rollback.mutate(body, {
      onSuccess: (result) => {
        if (result.event) onDone(doneNotice(event.seq, result));
        else setAnswer(result);
      },
    });
  };
  const conflict = answer?.status === 'conflict' ? answer.conflict : undefined;

  return (
    <Modal
      label={`Roll back change #${event.seq}`}
      subtitle={`${event.object} / ${event.record_id} / ${event.field}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          {!conflict && (
            <button type="button" className={dangerButton} disabled={rollback.isPending} onClick={() => send()}>
              {rollback.isPending ? 'Rolling back…' : 'Roll back'}
            </button>
          )}
        </>
      }
    >
      <p className="text-sm text-gray-700">
        Writes the value before this change back to the CRM: <BeforeAfter before={event.after} after={event.before} />
      </p>
      <TextAreaField label="Reason (the agent hears it as a correction)" maxLength={2000} value={reason} onChange={(e) => setReason(e.target.value)} />
      {conflict && <ConflictChoice conflict={conflict} busy={rollback.isPending} onResolve={send} />}
      {answer?.status === 'failed' && (
        <FormError message={`The CRM did not take the write${answer.conflict?.problem ? `: ${answer.conflict.problem}` : '.'}`} />
      )}
      {rollback.error && <FormError message={errorMessage(rollback.error)} />}
    </Modal>
  );
}

function doneNotice(seq: number, result: RollbackResult): string {
  const next = result.event ? ` (new change #${result.event.seq})` : '';
  return result.status === 'kept_current'
    ? `Change #${seq} rolled back, keeping the CRM's current value${next}`
    : `Change #${seq} rolled back${next}`;
}

function ConflictChoice({ conflict, busy, onResolve }: {
  conflict: NonNullable<RollbackResult['conflict']>;
  busy: boolean;
  onResolve: (resolution: Resolution, value?: unknown) => void;
}) {
  const [value, setValue] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // An empty value clears the field.
    onResolve('set_value', value === '' ? null : value);
  };
  return (
    <section aria-label="Conflict" className="space-y-3 rounded-md border border-orange-200 bg-orange-50 p-3">
      <p role="alert" className="text-sm text-orange-900">
        Nothing was written: {conflict.problem ?? 'the CRM no longer holds the value this change wrote'}. Choose what the field should hold.
      </p>
      <ThreeWay conflict={conflict} />
      <div className="flex flex-wrap gap-2">
        <button type="button" className={secondaryButton} disabled={busy} onClick={() => onResolve('keep_current')}>
          Keep current
        </button>
        <button type="button" className={secondaryButton} disabled={busy} onClick={() => onResolve('restore_before')}>
          Restore before
        </button>
      </div>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <FormField className="min-w-0 flex-1" label="Value to write (empty clears the field)" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit" className={primaryButton} disabled={busy}>
          Set a value
        </button>
      </form>
    </section>
  );
}
