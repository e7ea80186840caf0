import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { Rollout } from '../api/client';
import { rolloutsQuery } from '../api/rollouts';
import { Empty, ErrorState, Loading } from '../components/states';
import { pageTitle, primaryButton } from '../components/styles';
import { useSearchParamsState } from '../components/useSearchParamsState';
import { useCan } from '../features/auth/session';
import { BulkRollbackDialog } from '../features/changes/BulkRollbackDialog';
import { localInputOf } from '../features/changes/filters';
import { CreateRolloutDialog } from '../features/rollouts/CreateRolloutDialog';
import { RolloutCard } from '../features/rollouts/RolloutCard';
import { RolloutDrawer } from '../features/rollouts/RolloutDetail';
import { StageDialog, type StageDraft } from '../features/rollouts/StageForm';

/** Canary rollouts: auto-apply turned on step by step per agent and fields, watched by a guardrail. */
export function RolloutsPage() {
  const rollouts = useQuery(rolloutsQuery());
  const canManage = useCan('rollouts.manage');
  const canRollback = useCan('changelog.rollback');
  const [params, setParams] = useSearchParamsState();
  const open = params.get('rollout') ?? '';
  const setOpen = (id: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (id) next.set('rollout', id);
      else next.delete('rollout');
      return next;
    });
  const [creating, setCreating] = useState(false);
  const [staging, setStaging] = useState<{ rollout: Rollout; draft?: StageDraft }>();
  const [reverting, setReverting] = useState<Rollout>();

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="space-y-1">
          <h1 className={pageTitle}>Rollouts</h1>
          <p className="max-w-3xl text-sm text-gray-600">
            Auto-apply is turned on per agent and fields, step by step: shadow (reviewed, agreement measured), a canary on a stable share of records,
            then full. The canary's correction rate is compared with the control arm's, and a guardrail halts a rollout whose canary is corrected too
            often.
          </p>
        </div>
        {canManage && (
          <button type="button" className={primaryButton} onClick={() => setCreating(true)}>
            Create rollout
          </button>
        )}
      </div>
      {rollouts.isPending ? (
        <Loading label="Loading rollouts…" />
      ) : rollouts.error ? (
        <ErrorState error={rollouts.error} title="Could not load the rollouts" onRetry={() => void rollouts.refetch()} />
      ) : rollouts.data.length === 0 ? (
        <Empty>
          No rollouts yet. Nothing is auto-applied until a rollout lets it: start one in shadow to measure how often reviewers agree with an agent,
          then canary a share of records.{canManage ? ' Use “Create rollout”.' : ' An admin can create one.'}
        </Empty>
      ) : (
        <div className="space-y-4">
          {rollouts.data.map((r) => (
            <RolloutCard
              key={r.id}
              rollout={r}
              canManage={canManage}
              canRollback={canRollback}
              onOpen={() => setOpen(r.id)}
              onStage={(draft) => setStaging({ rollout: r, draft })}
              onRevert={() => setReverting(r)}
            />
          ))}
        </div>
      )}
      {creating && (
        <CreateRolloutDialog
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            setOpen(id);
          }}
        />
      )}
      {staging && <StageDialog rollout={staging.rollout} initial={staging.draft} onClose={() => setStaging(undefined)} />}
      {reverting && (
        <BulkRollbackDialog
          initial={{ since: reverting.canary_since ? localInputOf(reverting.canary_since) : undefined }}
          agents={[]}
          rollout={{ id: reverting.id, name: reverting.name }}
          onClose={() => setReverting(undefined)}
        />
      )}
      {open && <RolloutDrawer id={open} canManage={canManage} onClose={() => setOpen('')} />}
    </div>
  );
}

