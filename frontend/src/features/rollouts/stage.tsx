import type { Rollout, RolloutStage } from '../../api/client';
import { bpsLabel } from '../../api/rollouts';
import { Badge, type BadgeTone } from '../../components/Table';

export const STAGES: readonly RolloutStage[] = ['off', 'shadow', 'canary', 'full'];

/** The canary's usual steps, in basis points. */
export const LADDER = [100, 500, 1000, 2500, 5000] as const;

const tone: Record<RolloutStage, BadgeTone> = { off: 'gray', shadow: 'blue', canary: 'amber', full: 'green' };

/** "Canary · 5 % of records", "Shadow", … */
export function stageText(stage: RolloutStage, bps: number): string {
  if (stage === 'canary') return `Canary · ${bpsLabel(bps)} of records`;
  return stage.charAt(0).toUpperCase() + stage.slice(1);
}

export function StageBadge({ rollout }: { rollout: Pick<Rollout, 'stage' | 'percent_bps'> }) {
  return <Badge tone={tone[rollout.stage]}>{stageText(rollout.stage, rollout.percent_bps)}</Badge>;
}

/** Whether moving from one stage to another skips one (the server then wants a reason). */
export function skips(from: RolloutStage, to: RolloutStage): boolean {
  return STAGES.indexOf(to) - STAGES.indexOf(from) > 1;
}
