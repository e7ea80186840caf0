import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage, type BulkReviewResult, type ReasonCode, type ReviewItem } from '../../api/client';
import { bulkReview, reasonCodesQuery } from '../../api/review';
import { Modal } from '../../components/Dialog';
import { dangerButton, input, primaryButton, secondaryButton } from '../../components/styles';
import { formatValue } from '../proposals/values';
import { KEYMAP } from './keys';

/** Pick a reason by its number (it submits at once) or click it; a comment is optional. */
export function RejectDialog({ count, onReject, onClose, busy, error }: {
  count: number;
  onReject: (code: string, comment: string) => void;
  onClose: () => void;
  busy: boolean;
  error?: string;
}) {
  const reasons = useQuery(reasonCodesQuery());
  const [comment, setComment] = useState('');
  const active = (reasons.data ?? []).filter((r) => !r.archived);
  // The dialog's panel has the focus, so the number keys are heard on the document.
  const pick = useRef({ active, comment, onReject });
  useEffect(() => {
    pick.current = { active, comment, onReject };
  });
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.target instanceof HTMLTextAreaElement || e.ctrlKey || e.metaKey || e.altKey) return;
      const { active, comment, onReject } = pick.current;
      const n = Number(e.key);
      if (Number.isInteger(n) && n >= 1 && n <= active.length) {
        e.preventDefault();
        onReject(active[n - 1].code, comment);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Modal label="Reject" title={count > 1 ? `Reject ${count} items` : 'Reject'} subtitle="Press a reason's number, or click it." onClose={onClose}>
      <div className="space-y-3">
        {reasons.isPending && <p className="text-sm text-gray-500">Loading reasons…</p>}
        <ol className="space-y-1">
          {active.map((r: ReasonCode, i) => (
            <li key={r.code}>
              <button type="button" disabled={busy} className={`${secondaryButton} w-full justify-start gap-3`} onClick={() => onReject(r.code, comment)}>
                <kbd className="rounded border border-gray-300 bg-gray-50 px-1.5 text-xs">{i + 1}</kbd>
                {r.label}
              </button>
            </li>
          ))}
        </ol>
        <label className="block text-sm">
          <span className="text-gray-700">Comment for the agent (optional)</span>
          <textarea className={`${input} mt-1`} rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      </div>
    </Modal>
  );
}

/** Edit the value before approving: checked by the field's type on the server, shown as a change from the CRM's value. */
export function EditDialog({ item, onSave, onClose, busy, error }: {
  item: ReviewItem;
  onSave: (value: string, comment: string) => void;
  onClose: () => void;
  busy: boolean;
  error?: string;
}) {
  const [value, setValue] = useState(item.proposed === null || item.proposed === undefined ? '' : String(item.proposed));
  const [comment, setComment] = useState('');
  // The value has the focus (the modal focuses its panel first, then this runs).
  const field = useRef<HTMLInputElement & HTMLSelectElement>(null);
  useEffect(() => field.current?.focus(), []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave(value, comment);
  };
  const options = item.field_options ?? [];
  return (
    <Modal label="Edit and approve" subtitle={`${item.object}.${item.field} on ${item.record_id}`} onClose={onClose}>
      <form onSubmit={submit} className="space-y-3">
        <label className="block text-sm">
          <span className="text-gray-700">New value{item.field_type ? ` (${item.field_type})` : ''}</span>
          {options.length > 0 ? (
            <select ref={field} className={`${input} mt-1`} value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={!!error}>
              {!options.includes(value) && <option value={value}>{value || 'empty'}</option>}
              {options.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <input ref={field} className={`${input} mt-1`} value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={!!error} />
          )}
        </label>
        <p className="text-sm text-gray-600">
          <span className="font-mono text-red-700 line-through">{formatValue(item.current ?? item.expected_old)}</span> →{' '}
          <span className="font-mono text-green-700">{formatValue(value)}</span>
        </p>
        <label className="block text-sm">
          <span className="text-gray-700">Comment for the agent (optional)</span>
          <input className={`${input} mt-1`} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} />
        </label>
        {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={primaryButton} disabled={busy}>
            Save and approve
          </button>
        </div>
      </form>
    </Modal>
  );
}

type Same = 'agent' | 'field' | 'proposed' | 'reasons';
const SAME_LABELS: Record<Same, string> = { agent: 'Same agent', field: 'Same field', proposed: 'Same proposed value', reasons: 'Same routing rule' };

/** Select the pending items like this one, see how many, then approve or reject them together. */
export function BulkDialog({ item, onDone, onClose }: { item: ReviewItem; onDone: (r: BulkReviewResult, verdict: string) => void; onClose: () => void }) {
  const [same, setSame] = useState<Same[]>(['agent', 'field', 'proposed']);
  const [reason, setReason] = useState('');
  const reasons = useQuery(reasonCodesQuery());
  const preview = useQuery({
    queryKey: ['review', 'bulk-preview', item.id, same],
    queryFn: () => bulkReview({ item_id: item.id, same, preview: true }),
    enabled: same.length > 0,
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const run = async (verdict: 'approve' | 'reject') => {
    setBusy(true);
    setError('');
    try {
      onDone(await bulkReview({ item_id: item.id, same, verdict, reason_code: verdict === 'reject' ? reason : undefined }), verdict);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const matched = same.length === 0 ? 0 : preview.data?.matched;
  return (
    <Modal label="Decide similar items" subtitle={`Like ${item.object}.${item.field} → ${formatValue(item.proposed)} by ${item.agent_name}`} onClose={onClose}>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium text-gray-700">Items that share</legend>
        {(Object.keys(SAME_LABELS) as Same[]).map((s) => (
          <label key={s} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={same.includes(s)} onChange={() => setSame((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]))} />
            {SAME_LABELS[s]}
          </label>
        ))}
      </fieldset>
      <p role="status" className="text-sm text-gray-800">
        {same.length === 0
          ? 'Pick at least one thing the items share.'
          : preview.isPending
            ? 'Counting…'
            : preview.error
              ? errorMessage(preview.error)
              : `${matched} pending item${matched === 1 ? '' : 's'} match (at most 500 at once; items another reviewer holds are left alone).`}
      </p>
      <label className="block text-sm">
        <span className="text-gray-700">Reason, to reject</span>
        <select className={`${input} mt-1`} value={reason} onChange={(e) => setReason(e.target.value)}>
          <option value="">Choose a reason…</option>
          {(reasons.data ?? []).filter((r) => !r.archived).map((r) => (
            <option key={r.code} value={r.code}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <div className="flex justify-end gap-2">
        <button type="button" className={dangerButton} disabled={busy || !matched || !reason} onClick={() => void run('reject')}>
          Reject {matched ?? ''}
        </button>
        <button type="button" className={primaryButton} disabled={busy || !matched} onClick={() => void run('approve')}>
          Approve {matched ?? ''}
        </button>
      </div>
    </Modal>
  );
}

/** The keyboard sheet (?). */
export function HelpSheet({ onClose }: { onClose: () => void }) {
  return (
    <Modal label="Keyboard shortcuts" onClose={onClose}>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
        {KEYMAP.map((k) => (
          <div key={k.key} className="contents">
            <dt>
              <kbd className="rounded border border-gray-300 bg-gray-50 px-1.5 font-mono text-xs">{k.key}</kbd>
            </dt>
            <dd className="text-gray-700">{k.label}</dd>
          </div>
        ))}
        <div className="contents">
          <dt>
            <kbd className="rounded border border-gray-300 bg-gray-50 px-1.5 font-mono text-xs">1–9</kbd>
          </dt>
          <dd className="text-gray-700">In the reject dialog: the reason with that number</dd>
        </div>
      </dl>
    </Modal>
  );
}
