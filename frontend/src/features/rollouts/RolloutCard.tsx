import type { Rollout } from '../../api/client';
import { bpsLabel, pct } from '../../api/rollouts';
import { formatDateTime, formatShortDateTime } from '../../components/format';
import { card, dangerButton, secondaryButton } from '../../components/styles';
import { ArmTable, rateText } from './ArmStats';
import type { StageDraft } from './StageForm';
import { StageBadge, stageText } from './stage';

interface Props {
  rollout: Rollout;
  canManage: boolean;
  canRollback: boolean;
  onOpen: () => void;
  onStage: (draft?: StageDraft) => void;
  onRevert: () => void;
}

const verdictStyle: Record<Rollout['verdict']['state'], string> = {
  halt: 'border-red-200 bg-red-50 text-red-800',
  promote: 'border-green-200 bg-green-50 text-green-800',
  hold: 'border-amber-200 bg-amber-50 text-amber-900',
  insufficient: 'border-gray-200 bg-gray-50 text-gray-700',
  idle: 'border-gray-200 bg-gray-50 text-gray-700',
};

/** A rollout: its stage, its arms over 30 days, the guardrail's verdict, and what an admin can do next. */
export function RolloutCard({ rollout: r, canManage, canRollback, onOpen, onStage, onRevert }: Props) {
  const threshold = r.threshold_bps / 10000;
  const v = r.verdict;
  return (
    <article aria-label={r.name} className={`${card} space-y-4`}>
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h2 className="text-base font-semibold text-gray-900">
            <button type="button" className="hover:underline" onClick={onOpen}>
              {r.name}
            </button>
          </h2>
          <p className="text-sm text-gray-600">
            {r.agent_name} · {r.fields.join(', ')} · guardrail {pct(threshold)} after {r.min_sample} outcomes
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <StageBadge rollout={r} />
          {canManage && (
            <button type="button" className={secondaryButton} onClick={() => onStage()}>
              Change stage…
            </button>
          )}
          <button type="button" className={secondaryButton} onClick={onOpen}>
            History
          </button>
        </div>
      </header>
      {r.halted_at && (
        <div role="alert" className="space-y-2 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-800">
          <p className="font-semibold">Halted to shadow by the guardrail on {formatDateTime(r.halted_at)}</p>
          <p>{r.halt_reason}</p>
          {v.state === 'halt' && v.canary && <p className="text-xs">Canary since {r.canary_since ? formatShortDateTime(r.canary_since) : 'it began'}: {rateText(v.canary)}</p>}
          {canRollback && r.canary_since && (
            <button type="button" className={dangerButton} onClick={onRevert}>
              Revert canary writes since {formatShortDateTime(r.canary_since)}…
            </button>
          )}
        </div>
      )}
      {!(r.halted_at && v.state === 'halt') && (
      <div className={`rounded-md border px-4 py-3 text-sm ${verdictStyle[v.state]}`}>
        <p>
          <span className="font-medium">Guardrail: </span>
          {v.text}
        </p>
        {v.canary && v.canary.applied > 0 && (
          <p className="mt-1 text-xs">
            {v.canary.arm === 'shadow' ? 'Since the rollout entered shadow' : `Canary since ${r.canary_since ? formatShortDateTime(r.canary_since) : 'it began'}`}: {rateText(v.canary)}
          </p>
        )}
        {v.checked_at && <p className="mt-1 text-xs opacity-75">Checked {formatShortDateTime(v.checked_at)}</p>}
        {v.state === 'promote' && v.next_stage && canManage && (
          <button type="button" className={`${secondaryButton} mt-2`} onClick={() => onStage({ stage: v.next_stage!, bps: v.next_bps ?? 0 })}>
            Promote to {v.next_stage === 'canary' ? `canary at ${bpsLabel(v.next_bps ?? 0)}` : v.next_stage}…
          </button>
        )}
      </div>
      )}
      <div className="relative overflow-x-auto">
        <ArmTable arms={r.arms} threshold={threshold} caption={`Correction rates of ${r.name} by arm, last 30 days`} />
      </div>
      <p className="text-xs text-gray-500">
        {stageText(r.stage, r.percent_bps)}
        {r.canary_since ? ` · canary began ${formatShortDateTime(r.canary_since)}` : ''} · last 30 days by arm; the dashed line is the threshold.
      </p>
    </article>
  );
}
