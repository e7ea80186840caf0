import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, errorMessage, ROLES, SENSITIVITIES, type ReviewQueue, type ReviewQueueInput } from '../../api/client';
import { createQueue, queuesQuery, reasonCodesQuery, reviewKeys, setReasonCodes, updateQueue } from '../../api/review';
import { Modal } from '../../components/Dialog';
import { FormError, FormField } from '../../components/FormField';
import { ErrorState, Loading, Success } from '../../components/states';
import { Table, cell } from '../../components/Table';
import { card, dangerButton, input, primaryButton, secondaryButton, sectionTitle } from '../../components/styles';

const list = (v?: string[]) => (v && v.length ? v.join(', ') : '');
const split = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const hours = (m: number) => (m % 60 === 0 ? `${m / 60} h` : `${m} min`);

/** Admin: the review queues in match order, each editable, and the rejection reasons. */
export function QueueSettings() {
  const queues = useQuery(queuesQuery());
  const [editing, setEditing] = useState<ReviewQueue | 'new' | null>(null);
  return (
    <section aria-labelledby="queues-title" className={`${card} space-y-3`}>
      <div className="flex items-center justify-between gap-3">
        <div>
          <h2 id="queues-title" className={sectionTitle}>Review queues</h2>
          <p className="text-sm text-gray-600">A proposal that needs review goes to the first queue whose rules fit; a breached item moves to its queue’s escalation queue.</p>
        </div>
        <button type="button" className={secondaryButton} onClick={() => setEditing('new')}>
          Add queue
        </button>
      </div>
      {queues.isPending ? (
        <Loading label="Loading queues…" />
      ) : queues.error ? (
        <ErrorState error={queues.error} title="Could not load the queues" onRetry={() => void queues.refetch()} />
      ) : (
        <Table caption="Review queues" headers={['Order', 'Queue', 'Who works it', 'Takes', 'SLA (critical / high / medium / low)', 'Escalates to', '']}>
          {queues.data.map((q) => (
            <tr key={q.id}>
              <td className={cell}>{q.position}</td>
              <td className={`${cell} font-medium text-gray-900`}>{q.name}</td>
              <td className={cell}>{q.allowed_roles.join(', ')}</td>
              <td className={cell}>{q.accepts_new ? rulesText(q) : 'escalations only'}</td>
              <td className={cell}>
                {[q.sla_minutes.critical, q.sla_minutes.high, q.sla_minutes.medium, q.sla_minutes.low].map(hours).join(' / ')}
                {q.expire_after_double_sla ? '' : ' · never expires'}
              </td>
              <td className={cell}>{queues.data.find((o) => o.id === q.escalate_to)?.name ?? '—'}</td>
              <td className={cell}>
                <button type="button" className="text-accent-700 underline" onClick={() => setEditing(q)} aria-label={`Edit ${q.name}`}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </Table>
      )}
      {editing && <QueueDialog queue={editing === 'new' ? null : editing} all={queues.data ?? []} onClose={() => setEditing(null)} />}
      <ReasonCodes />
    </section>
  );
}

function rulesText(q: ReviewQueue): string {
  const m = q.match;
  const parts = [
    m.tags?.length && `tags ${list(m.tags)}`,
    m.sensitivities?.length && `${list(m.sensitivities)} fields`,
    m.objects?.length && `objects ${list(m.objects)}`,
    m.fields?.length && `fields ${list(m.fields)}`,
    m.routes?.length && `routes ${list(m.routes)}`,
    m.agents?.length && `${m.agents.length} agent(s)`,
  ].filter(Boolean);
  return parts.length ? parts.join('; ') : 'everything';
}

function QueueDialog({ queue, all, onClose }: { queue: ReviewQueue | null; all: ReviewQueue[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState(queue?.name ?? '');
  const [roles, setRoles] = useState<string[]>(queue?.allowed_roles ?? ['admin', 'reviewer']);
  const [tags, setTags] = useState(list(queue?.match.tags));
  const [objects, setObjects] = useState(list(queue?.match.objects));
  const [fields, setFields] = useState(list(queue?.match.fields));
  const [sens, setSens] = useState<string[]>(queue?.match.sensitivities ?? []);
  const [acceptsNew, setAcceptsNew] = useState(queue?.accepts_new ?? true);
  const [sla, setSla] = useState<Record<string, number>>({ ...(queue?.sla_minutes ?? { critical: 240, high: 480, medium: 1440, low: 2880 }) });
  const [escalateTo, setEscalateTo] = useState(queue?.escalate_to ?? '');
  const [expire, setExpire] = useState(queue?.expire_after_double_sla ?? true);
  const save = useMutation({
    mutationFn: (body: ReviewQueueInput) => (queue ? updateQueue(queue.id, body) : createQueue(body)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: reviewKeys.queues });
      onClose();
    },
  });
  const errs = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({
      name,
      allowed_roles: roles,
      accepts_new: acceptsNew,
      match: { tags: split(tags), objects: split(objects), fields: split(fields), sensitivities: sens as ReviewQueue['match']['sensitivities'] },
      sla_minutes: sla,
      escalate_to: escalateTo,
      expire_after_double_sla: expire,
    });
  };
  const toggle = (set: (f: (v: string[]) => string[]) => void, v: string) => set((cur) => (cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v]));
  const other = Object.keys(errs).filter((k) => !['name', 'escalate_to'].includes(k) && !k.startsWith('sla_minutes.'));
  return (
    <Modal label={queue ? `Edit queue ${queue.name}` : 'New queue'} onClose={onClose} wide>
      <form onSubmit={submit} noValidate className="space-y-4">
        <FormError message={save.error && !Object.keys(errs).length ? errorMessage(save.error) : other.map((k) => `${k}: ${errs[k]}`).join('; ') || undefined} />
        <FormField label="Name" required value={name} onChange={(e) => setName(e.target.value)} error={errs.name} />
        <fieldset>
          <legend className="text-sm font-medium text-gray-700">Who may claim from it</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {ROLES.map((r) => (
              <label key={r} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" checked={roles.includes(r)} onChange={() => toggle(setRoles, r)} /> {r}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={acceptsNew} onChange={(e) => setAcceptsNew(e.target.checked)} /> Takes new proposals (off: only escalations arrive here)
        </label>
        <div className="grid gap-3 sm:grid-cols-3">
          <FormField label="Impact tags (comma-separated)" value={tags} onChange={(e) => setTags(e.target.value)} hint="e.g. pii, identifier" />
          <FormField label="Objects" value={objects} onChange={(e) => setObjects(e.target.value)} hint="e.g. deals" />
          <FormField label="Fields" value={fields} onChange={(e) => setFields(e.target.value)} hint="e.g. deals.amount" />
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-gray-700">Sensitivities (none ticked: any)</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {SENSITIVITIES.map((s) => (
              <label key={s} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" checked={sens.includes(s)} onChange={() => toggle(setSens, s)} /> {s}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          <legend className="col-span-full text-sm font-medium text-gray-700">SLA in minutes</legend>
          {(['critical', 'high', 'medium', 'low'] as const).map((s) => (
            <FormField key={s} label={`SLA ${s}`} type="number" min={1} value={String(sla[s] ?? '')} onChange={(e) => setSla((c) => ({ ...c, [s]: Number(e.target.value) }))} error={errs[`sla_minutes.${s}`]} />
          ))}
        </fieldset>
        <label className="block text-sm">
          <span className="text-gray-700">Breached items move to</span>
          <select className={`${input} mt-1`} value={escalateTo} onChange={(e) => setEscalateTo(e.target.value)} aria-invalid={!!errs.escalate_to}>
            <option value="">Nowhere (they stay, marked breached)</option>
            {all.filter((o) => o.id !== queue?.id).map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
          {errs.escalate_to && <span className="mt-1 block text-red-700">{errs.escalate_to}</span>}
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={expire} onChange={(e) => setExpire(e.target.checked)} /> High and critical items expire as rejected at twice their SLA
        </label>
        <div className="flex justify-end gap-2">
          <button type="button" className={secondaryButton} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={primaryButton} disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save queue'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** The reasons a reviewer picks when rejecting, in the order of their number keys. */
function ReasonCodes() {
  const qc = useQueryClient();
  const reasons = useQuery(reasonCodesQuery());
  const [rows, setRows] = useState<{ code: string; label: string }[] | null>(null);
  const current = rows ?? (reasons.data ?? []).filter((r) => !r.archived).map(({ code, label }) => ({ code, label }));
  const save = useMutation({
    mutationFn: () => setReasonCodes(current),
    onSuccess: (res) => {
      qc.setQueryData(reviewKeys.reasons, res.reason_codes);
      setRows(null);
    },
  });
  const errs = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const edit = (i: number, k: 'code' | 'label', v: string) => setRows(current.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <div className="space-y-2 border-t border-gray-200 pt-3">
      <h3 className="text-sm font-semibold text-gray-900">Rejection reasons</h3>
      {save.isSuccess && !rows && <Success>Saved.</Success>}
      <FormError message={save.error && !Object.keys(errs).length ? errorMessage(save.error) : Object.entries(errs).map(([f, m]) => `${f}: ${m}`).join('; ') || undefined} />
      <ol className="max-w-3xl space-y-2">
        {current.map((r, i) => (
          <li key={i} className="grid grid-cols-[1.5rem_minmax(6rem,12rem)_minmax(8rem,1fr)_auto] items-center gap-2">
            <span className="text-sm text-gray-500">{i + 1}</span>
            <input aria-label={`Reason ${i + 1} code`} className={`${input} font-mono`} value={r.code} onChange={(e) => edit(i, 'code', e.target.value)} />
            <input aria-label={`Reason ${i + 1} label`} className={input} value={r.label} onChange={(e) => edit(i, 'label', e.target.value)} />
            <button type="button" className={dangerButton} onClick={() => setRows(current.filter((_, j) => j !== i))} aria-label={`Remove reason ${i + 1}`}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <div className="flex gap-2">
        <button type="button" className={secondaryButton} onClick={() => setRows([...current, { code: '', label: '' }])}>
          Add reason
        </button>
        <button type="button" className={primaryButton} disabled={!rows || save.isPending} onClick={() => save.mutate()}>
          Save reasons
        </button>
      </div>
      <p className="text-xs text-gray-500">Removed reasons are archived: decisions that named them keep them.</p>
    </div>
  );
}
