// The review page's state: the held items, the current one, the selection,
// decisions with their 10-second undo, and claiming more when the hand runs out.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage, type DecisionRequest, type ReviewItem } from '../../api/client';
import { claimItems, decideItem, heldQuery, reviewItemQuery, reviewKeys, undoDecision } from '../../api/review';

export interface Undoable {
  itemId: string;
  label: string;
  outcome: string;
  until: number;
}

/** How many items a claim takes. */
export const CLAIM_BATCH = 10;

/** How often held leases (10 minutes) are renewed while the page is open. */
export const LEASE_RENEW_MS = 4 * 60_000;

export function useTriage(queueId: string) {
  const qc = useQueryClient();
  const held = useQuery(heldQuery());
  // With a queue chosen, the page shows (and claims) that queue's items only.
  const items = useMemo(() => (held.data ?? []).filter((i) => !queueId || i.queue_id === queueId), [held.data, queueId]);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [undo, setUndo] = useState<Undoable | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [claiming, setClaiming] = useState(false);
  const [claimedNone, setClaimedNone] = useState(false);
  const [notice, setNotice] = useState('');
  const autoClaimed = useRef<string | null>(null);

  const current = items.find((i) => i.id === currentId) ?? items[0] ?? null;

  const setHeld = useCallback((f: (list: ReviewItem[]) => ReviewItem[]) => qc.setQueryData<ReviewItem[]>(reviewKeys.held, (list) => f(list ?? [])), [qc]);

  /** Claims the next items (count: how many to hold in all; the ones held are renewed). */
  const claim = useCallback(async (count = CLAIM_BATCH) => {
    setClaiming(true);
    setError('');
    try {
      const res = await claimItems({ count, queue_id: queueId || undefined });
      // a claim of one queue renews only that queue's items: the others stay held too
      setHeld((list) => [...res.items, ...list.filter((x) => !res.items.some((r) => r.id === x.id) && queueId !== '' && x.queue_id !== queueId)]);
      setClaimedNone(res.items.length === 0);
      void qc.invalidateQueries({ queryKey: reviewKeys.metrics });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setClaiming(false);
    }
  }, [qc, queueId, setHeld]);

  // A reviewer who opens the page (or a queue) with nothing in hand gets the next items at once.
  useEffect(() => {
    if (held.isSuccess && items.length === 0 && autoClaimed.current !== queueId) {
      autoClaimed.current = queueId;
      void claim();
    }
  }, [held.isSuccess, items.length, claim, queueId]);

  // Leases last 10 minutes: while the page is open with items in hand, they
  // are renewed every 4 (a claim of as many as are held renews them and takes
  // nothing new).
  const heldCount = items.length;
  useEffect(() => {
    if (heldCount === 0) return;
    const i = setInterval(() => {
      if (document.visibilityState === 'visible') void claim(Math.min(20, heldCount));
    }, LEASE_RENEW_MS);
    return () => clearInterval(i);
  }, [heldCount, claim]);

  // The next two items are read ahead, so moving on shows them at once.
  useEffect(() => {
    const at = current ? items.indexOf(current) : -1;
    for (const next of items.slice(at + 1, at + 3)) void qc.prefetchQuery(reviewItemQuery(next.id));
  }, [current, items, qc]);

  // The undo offer disappears when its window closes.
  useEffect(() => {
    if (!undo) return;
    const t = setTimeout(() => setUndo(null), Math.max(0, undo.until - Date.now()));
    return () => clearTimeout(t);
  }, [undo]);

  const move = (delta: number) => {
    if (!current) return;
    const at = items.indexOf(current);
    const next = items[Math.min(items.length - 1, Math.max(0, at + delta))];
    if (next) setCurrentId(next.id);
  };

  /** Decides items (the current one, or all selected); each leaves the list as it is decided. */
  const decide = async (body: DecisionRequest, targets?: ReviewItem[]): Promise<boolean> => {
    const list = targets ?? (selected.size > 0 ? items.filter((i) => selected.has(i.id)) : current ? [current] : []);
    if (list.length === 0 || busy) return false;
    setBusy(true);
    setError('');
    setNotice('');
    const at = current ? items.indexOf(current) : 0;
    let last: Undoable | null = null;
    try {
      for (const it of list) {
        const d = await decideItem(it.id, body);
        setHeld((l) => l.filter((x) => x.id !== it.id));
        setSelected((s) => {
          const n = new Set(s);
          n.delete(it.id);
          return n;
        });
        if (d.undo_until) last = { itemId: it.id, label: `${it.object}.${it.field} on ${it.record_id}`, outcome: d.outcome, until: new Date(d.undo_until).getTime() };
        else if (d.outcome === 'pending') setNotice(`Approval ${it.approvals + 1} of ${it.approvals_required} recorded for ${it.object}.${it.field} on ${it.record_id}: another reviewer must approve it too.`);
        else if (d.outcome === 'escalated') setNotice(`Escalated ${it.object}.${it.field} on ${it.record_id} to the escalation queue.`);
        else if (d.outcome === 'skipped') setNotice(`Skipped ${it.object}.${it.field} on ${it.record_id}: it goes to another reviewer.`);
      }
      setUndo(list.length === 1 ? last : null);
      const remaining = (qc.getQueryData<ReviewItem[]>(reviewKeys.held) ?? []).filter((i) => !queueId || i.queue_id === queueId);
      setCurrentId(remaining[Math.min(at, remaining.length - 1)]?.id ?? null);
      if (remaining.length === 0) void claim();
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'already_decided' && list.length === 1) {
        // superseded by a newer proposal of its agent, or expired: it leaves the list
        const gone = list[0];
        setHeld((l) => l.filter((x) => x.id !== gone.id));
        setNotice(`${gone.object}.${gone.field} on ${gone.record_id} was settled meanwhile (${err.detail}) and left your list.`);
        return false;
      }
      setError(explain(err));
      return false;
    } finally {
      setBusy(false);
      void qc.invalidateQueries({ queryKey: reviewKeys.metrics });
    }
  };

  const undoLast = async () => {
    if (!undo || busy) return;
    setBusy(true);
    try {
      const it = await undoDecision(undo.itemId);
      setHeld((l) => [it, ...l.filter((x) => x.id !== it.id)]);
      qc.setQueryData(reviewKeys.item(it.id), it);
      setCurrentId(it.id);
      setUndo(null);
    } catch (err) {
      setError(explain(err));
      setUndo(null);
    } finally {
      setBusy(false);
    }
  };

  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return { held, items, current, setCurrentId, selected, toggle, move, decide, undo, undoLast, busy, error, setError, notice, claim, claiming, claimedNone };
}

/** An error in words that say what to do next. */
function explain(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'lease_expired' || err.code === 'not_claimed') return `${err.detail} Use “Claim more” to take items again.`;
    const fields = Object.entries(err.fieldErrors);
    if (fields.length > 0) return fields.map(([f, m]) => `${f}: ${m}`).join('; ');
  }
  return errorMessage(err);
}
