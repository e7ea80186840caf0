import { useState } from 'react';
import type { Rollout, RolloutStage } from '../../api/client';
import { bpsLabel, useSetStage } from '../../api/rollouts';
import { Modal, FormActions } from '../../components/Dialog';
import { FieldErrorList, FormField, SelectField, splitErrors, TextAreaField } from '../../components/FormField';
import { ErrorState } from '../../components/states';
import { secondaryButton } from '../../components/styles';
import { LADDER, skips, STAGES, stageText } from './stage';

const SHOWN = ['stage', 'percent_bps', 'reason'] as const;

/** The stage and share a move starts from: the suggestion, or the rollout as it is. */
export interface StageDraft {
  stage: RolloutStage;
  bps: number;
}

/** Moves a rollout to a stage; a canary names its share of records, and skipping a stage needs a reason. */
export function StageDialog({ rollout, initial, onClose }: { rollout: Rollout; initial?: StageDraft; onClose: () => void }) {
  const [stage, setStage] = useState<RolloutStage>(initial?.stage ?? rollout.stage);
  const [bps, setBps] = useState(String(initial?.bps || rollout.percent_bps || LADDER[0]));
  const [reason, setReason] = useState('');
  const move = useSetStage(rollout.id);
  const { all, rest, formError } = splitErrors(move.error, SHOWN);
  const skip = skips(rollout.stage, stage);
  const submit = () =>
    move.mutate(
      { stage, percent_bps: stage === 'canary' ? Number(bps) : undefined, reason: reason.trim() || undefined },
      { onSuccess: onClose },
    );

  return (
    <Modal label="Change stage" subtitle={`${rollout.name}: now ${stageText(rollout.stage, rollout.percent_bps)}`} onClose={onClose}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <SelectField label="Stage" value={stage} error={all.stage} onChange={(e) => setStage(e.target.value as RolloutStage)}>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s === 'off' ? 'Off — nothing auto-applied' : s === 'shadow' ? 'Shadow — reviewed, agreement measured' : s === 'canary' ? 'Canary — a share of records auto-applied' : 'Full — every record auto-applied'}
            </option>
          ))}
        </SelectField>
        {stage === 'canary' && (
          <div className="space-y-2">
            <div role="group" aria-label="Share of records" className="flex flex-wrap gap-2">
              {LADDER.map((b) => (
                <button key={b} type="button" aria-pressed={Number(bps) === b} className={`${secondaryButton} ${Number(bps) === b ? 'ring-2 ring-accent-600' : ''}`} onClick={() => setBps(String(b))}>
                  {bpsLabel(b)}
                </button>
              ))}
            </div>
            <FormField label="Share of records (%)" type="number" min="0.01" max="100" step="0.01" value={String(Number(bps) / 100)} error={all.percent_bps}
              onChange={(e) => setBps(String(Math.round(Number(e.target.value) * 100)))} />
          </div>
        )}
        <TextAreaField label={skip ? 'Reason (required: this skips a stage)' : 'Reason'} maxLength={1000} value={reason} error={all.reason}
          onChange={(e) => setReason(e.target.value)} />
        <FieldErrorList title="Check the move" errors={rest} />
        {formError && <ErrorState error={move.error} title="The stage was not changed" />}
        <FormActions onCancel={onClose} pending={move.isPending} pendingLabel="Moving…">
          {`Move to ${stage === 'canary' ? `canary at ${bpsLabel(Number(bps) || 0)}` : stage}`}
        </FormActions>
      </form>
    </Modal>
  );
}
