import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queuesQuery, reasonCodesQuery, reviewKeys } from '../api/review';
import { Empty, ErrorState, Loading } from '../components/states';
import { dangerButton, input, pageTitle, primaryButton, secondaryButton } from '../components/styles';
import { BulkDialog, EditDialog, HelpSheet, RejectDialog } from '../features/review/Dialogs';
import { ItemDetail } from '../features/review/ItemDetail';
import { ItemList } from '../features/review/ItemList';
import { actionFor, type ReviewAction } from '../features/review/keys';
import { ReviewMetricsPanel } from '../features/review/Metrics';
import { useTriage } from '../features/review/useTriage';
import { useSearchParamsState } from '../components/useSearchParamsState';

type Open = null | 'reject' | 'edit' | 'bulk' | 'help';

/**
 * The reviewer's workbench: the items they hold (claimed as 10-minute leases,
 * most urgent first), the current one in full, and one-key decisions.
 */
export function ReviewQueuePage() {
  const [params, setParams] = useSearchParamsState();
  const queueId = params.get('queue') ?? '';
  const setQueueId = (id: string) =>
    setParams((p) => {
      if (id) p.set('queue', id);
      else p.delete('queue');
      return p;
    });
  const t = useTriage(queueId);
  const [open, setOpen] = useState<Open>(null);
  const [now, setNow] = useState(() => Date.now());
  const qc = useQueryClient();
  const queues = useQuery(queuesQuery());
  useQuery(reasonCodesQuery()); // read ahead: r then a number rejects at once

  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(i);
  }, []);

  const act = (a: ReviewAction) => {
    const cur = t.current;
    switch (a) {
      case 'next':
        return t.move(1);
      case 'prev':
        return t.move(-1);
      case 'approve':
        return void t.decide({ verdict: 'approve' });
      case 'skip':
        return void t.decide({ verdict: 'skip' }, cur ? [cur] : []);
      case 'escalate':
        return void t.decide({ verdict: 'escalate' }, cur ? [cur] : []);
      case 'select':
        return cur && t.toggle(cur.id);
      case 'undo':
        return void t.undoLast();
      case 'claim':
        return void t.claim();
      case 'reject':
        return cur && setOpen('reject');
      case 'edit':
        return cur && t.selected.size === 0 && setOpen('edit');
      case 'help':
        return setOpen((o) => (o === 'help' ? null : 'help'));
    }
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const a = actionFor(e, e.target, open !== null);
      if (!a) return;
      e.preventDefault();
      act(a);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  const closeDialog = () => {
    setOpen(null);
    t.setError('');
  };
  const count = t.selected.size > 0 ? t.selected.size : 1;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <h1 className={pageTitle}>Review queue</h1>
          <p className="text-sm text-gray-600">
            Items you hold stay yours for 10 minutes after your last decision. Press <kbd className="rounded border px-1 text-xs">?</kbd> for the keys.
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <label className="text-sm">
            <span className="sr-only">Queue</span>
            <select className={input} value={queueId} onChange={(e) => setQueueId(e.target.value)}>
              <option value="">All my queues</option>
              {(queues.data ?? []).filter((q) => q.may_work).map((q) => (
                <option key={q.id} value={q.id}>
                  {q.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className={secondaryButton} onClick={() => void t.claim()} disabled={t.claiming}>
            {t.claiming ? 'Claiming…' : 'Claim more'}
          </button>
          <button type="button" className={secondaryButton} onClick={() => setOpen('help')} aria-label="Keyboard shortcuts">
            ?
          </button>
        </div>
      </div>
      <ReviewMetricsPanel />
      {t.undo && (
        <div role="status" className="flex items-center justify-between gap-3 rounded-md border border-gray-300 bg-gray-900 px-4 py-2 text-sm text-white">
          <span>
            {capitalize(t.undo.outcome)}: {t.undo.label}
          </span>
          <button type="button" className="rounded px-2 py-0.5 font-medium text-accent-200 underline" onClick={() => void t.undoLast()}>
            Undo (u)
          </button>
        </div>
      )}
      {t.notice && (
        <p role="status" className="rounded-md border border-violet-200 bg-violet-50 px-4 py-2 text-sm text-violet-900">
          {t.notice}
        </p>
      )}
      {t.error && !open && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
          {t.error}
        </p>
      )}
      {t.held.isPending || (t.claiming && t.items.length === 0) ? (
        <Loading label="Claiming your next items…" />
      ) : t.held.error ? (
        <ErrorState error={t.held.error} title="Could not load your items" onRetry={() => void t.held.refetch()} />
      ) : t.items.length === 0 ? (
        <Empty>
          {t.claimedNone ? 'Nothing is waiting for review in your queues. New proposals appear here as agents send them.' : 'You hold no items.'}{' '}
          <button type="button" className="text-accent-700 underline" onClick={() => void qc.invalidateQueries({ queryKey: reviewKeys.all }).then(() => t.claim())}>
            Check again
          </button>
        </Empty>
      ) : (
        <div className="grid gap-4 lg:grid-cols-[minmax(16rem,22rem)_1fr]">
          <div className="order-2 space-y-2 lg:order-1">
            <ItemList items={t.items} current={t.current?.id ?? null} selected={t.selected} onOpen={t.setCurrentId} onToggle={t.toggle} now={now} />
            {t.selected.size > 0 && <p className="text-sm text-gray-600">{t.selected.size} selected: a approves them, r rejects them.</p>}
          </div>
          {t.current && (
            <div className="order-1 lg:order-2">
            <ItemDetail
              key={t.current.id}
              held={t.current}
              now={now}
              actions={
                <div className="flex flex-wrap gap-2" aria-label="Decide">
                  <button type="button" className={primaryButton} disabled={t.busy} onClick={() => act('approve')}>
                    {t.selected.size > 0 ? `Approve ${t.selected.size}` : 'Approve'} <kbd className="ml-1.5 text-xs opacity-70">a</kbd>
                  </button>
                  <button type="button" className={secondaryButton} disabled={t.busy || t.selected.size > 0} onClick={() => act('edit')}>
                    Edit <kbd className="ml-1.5 text-xs opacity-70">e</kbd>
                  </button>
                  <button type="button" className={dangerButton} disabled={t.busy} onClick={() => act('reject')}>
                    {t.selected.size > 0 ? `Reject ${t.selected.size}` : 'Reject'} <kbd className="ml-1.5 text-xs opacity-70">r</kbd>
                  </button>
                  <button type="button" className={secondaryButton} disabled={t.busy} onClick={() => act('skip')}>
                    Skip <kbd className="ml-1.5 text-xs opacity-70">s</kbd>
                  </button>
                  <button type="button" className={secondaryButton} disabled={t.busy} onClick={() => act('escalate')}>
                    Escalate <kbd className="ml-1.5 text-xs opacity-70">g</kbd>
                  </button>
                  <button type="button" className={secondaryButton} onClick={() => setOpen('bulk')}>
                    Similar items…
                  </button>
                </div>
              }
            />
            </div>
          )}
        </div>
      )}
      {open === 'reject' && (
        <RejectDialog
          count={count}
          busy={t.busy}
          error={t.error}
          onClose={closeDialog}
          onReject={(code, comment) => void t.decide({ verdict: 'reject', reason_code: code, comment: comment || undefined }).then((ok) => ok && setOpen(null))}
        />
      )}
      {open === 'edit' && t.current && (
        <EditDialog
          item={qc.getQueryData(reviewKeys.item(t.current.id)) ?? t.current}
          busy={t.busy}
          error={t.error}
          onClose={closeDialog}
          onSave={(value, comment) => void t.decide({ verdict: 'edit', value, comment: comment || undefined }).then((ok) => ok && setOpen(null))}
        />
      )}
      {open === 'bulk' && t.current && (
        <BulkDialog
          item={t.current}
          onClose={closeDialog}
          onDone={() => {
            setOpen(null);
            void qc.invalidateQueries({ queryKey: reviewKeys.all });
          }}
        />
      )}
      {open === 'help' && <HelpSheet onClose={closeDialog} />}
    </div>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
