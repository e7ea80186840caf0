import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/client';
import { useCloseAudit, useMarkAuditItem, type AuditDetail, type AuditItem, type AuditVerdict } from '../../api/reports';
import { formatCount, formatDateTime } from '../../components/format';
import { ErrorState } from '../../components/states';
import { input, primaryButton, secondaryButton, sectionTitle } from '../../components/styles';
import { Badge, cell, headCell, tableFrame } from '../../components/Table';
import { useCan } from '../auth/session';
import { changeLogPath } from '../changes/filters';
import { BeforeAfter } from '../changes/values';

/** The worksheet's keys, in the order the help line lists them. */
export const WORKSHEET_KEYS: readonly { key: string; label: string }[] = [
  { key: 'j', label: 'next change' },
  { key: 'k', label: 'previous change' },
  { key: 'c', label: 'correct' },
  { key: 'i', label: 'incorrect, then type what is wrong and press Enter' },
];

type Action = 'next' | 'prev' | 'correct' | 'incorrect';

/** The worksheet action of a key press, or null: keys typed into a field, with a modifier or under a dialog are not the worksheet's. */
export function worksheetAction(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>, target: EventTarget | null): Action | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return null;
  if (document.querySelector('[role="dialog"]')) return null;
  switch (e.key) {
    case 'j':
    case 'ArrowDown':
      return 'next';
    case 'k':
    case 'ArrowUp':
      return 'prev';
    case 'c':
      return 'correct';
    case 'i':
      return 'incorrect';
    default:
      return null;
  }
}

/**
 * The sampled changes of an audit, marked one by one with the mouse or the
 * keyboard. An open audit is marked by those who may work audits; a closed
 * one (or anyone else's view) is read-only.
 */
export function Worksheet({ audit }: { audit: AuditDetail }) {
  const canWork = useCan('audits.work');
  const canReadLog = useCan('changelog.read');
  const editable = canWork && !audit.closed_at;
  const markItem = useMarkAuditItem(audit.id);
  const [focused, setFocused] = useState(0);
  const [drafts, setDrafts] = useState<Record<number, string>>({});
  const [intents, setIntents] = useState<Record<number, AuditVerdict>>({});
  const [errors, setErrors] = useState<Record<number, unknown>>({});
  const rows = useRef(new Map<number, HTMLTableRowElement>());
  const notes = useRef(new Map<number, HTMLInputElement>());
  // What was last sent per row ("verdict|note"), so a blur does not send it again.
  const sent = useRef(new Map<number, string>());
  const items = audit.items;

  const draftOf = (item: AuditItem) => drafts[item.change_seq] ?? item.note;

  const mark = (item: AuditItem, verdict: AuditVerdict) => {
    const seq = item.change_seq;
    const note = draftOf(item).trim();
    setIntents((m) => ({ ...m, [seq]: verdict }));
    sent.current.set(seq, `${verdict}|${note}`);
    markItem.mutateAsync({ seq, mark: { verdict, note: note || undefined } }).then(
      () => setErrors((m) => Object.fromEntries(Object.entries(m).filter(([k]) => Number(k) !== seq))),
      (err: unknown) => setErrors((m) => ({ ...m, [seq]: err })),
    );
  };

  /** A note left (blur or Enter) is saved with the row's verdict, once there is one. */
  const saveNote = (item: AuditItem) => {
    const verdict = intents[item.change_seq] ?? item.verdict;
    if (!verdict) return;
    const note = draftOf(item).trim();
    if (sent.current.get(item.change_seq) === `${verdict}|${note}`) return;
    if (verdict === item.verdict && note === item.note) return;
    mark(item, verdict);
  };

  const focusRow = (index: number) => {
    const i = Math.max(0, Math.min(items.length - 1, index));
    setFocused(i);
    const row = rows.current.get(items[i]?.change_seq);
    row?.focus();
    row?.scrollIntoView?.({ block: 'nearest' });
  };

  const onKey = useRef<(e: KeyboardEvent) => void>(() => {});
  useEffect(() => {
    onKey.current = (e: KeyboardEvent) => {
      const action = worksheetAction(e, e.target);
      const item = items[focused];
      if (!action || !item) return;
      e.preventDefault();
      if (action === 'next') focusRow(focused + 1);
      else if (action === 'prev') focusRow(focused - 1);
      else if (action === 'correct') mark(item, 'correct');
      else {
        mark(item, 'incorrect');
        notes.current.get(item.change_seq)?.focus();
      }
    };
  });
  useEffect(() => {
    if (!editable) return;
    const listener = (e: KeyboardEvent) => onKey.current(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, [editable]);

  const headers = ['Change', 'Record and field', 'Before → after', 'Agent', 'Verdict', 'Note'];
  return (
    <section aria-labelledby="worksheet-title" className="space-y-3">
      <div className="space-y-1">
        <h2 id="worksheet-title" className={sectionTitle}>Sampled changes</h2>
        {editable ? (
          <p className="text-sm text-gray-600">
            Check each change against the record and its evidence, then mark it. An incorrect finding needs a note saying what is wrong; a note is
            saved with the verdict, and again when you leave it.{' '}
            <span className="text-gray-500">
              Keys:{' '}
              {WORKSHEET_KEYS.map((k, i) => (
                <span key={k.key}>
                  {i > 0 && ' · '}
                  <kbd className="rounded border border-gray-300 bg-gray-50 px-1 font-mono text-xs">{k.key}</kbd> {k.label}
                </span>
              ))}
              .
            </span>
          </p>
        ) : (
          <p className="text-sm text-gray-600">
            {audit.closed_at ? 'The audit is closed: its findings are final.' : 'Read-only: marking changes needs permission to work audits.'}
          </p>
        )}
      </div>
      <div className={tableFrame}>
        <table className="min-w-full divide-y divide-gray-200 text-sm">
          <caption className="sr-only">Sampled changes of the audit</caption>
          <thead className="bg-gray-50">
            <tr>
              {(editable ? [...headers, 'Mark'] : headers).map((h) => (
                <th key={h} scope="col" className={headCell}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {items.map((item, index) => {
              const seq = item.change_seq;
              const error = errors[seq];
              const noteError = error instanceof ApiError ? error.fieldErrors.note : undefined;
              const otherError = error && !noteError ? errorMessage(error) : undefined;
              const current = editable && index === focused;
              return (
                <tr
                  key={seq}
                  ref={(el) => {
                    if (el) rows.current.set(seq, el);
                    else rows.current.delete(seq);
                  }}
                  tabIndex={editable ? -1 : undefined}
                  aria-current={current ? 'true' : undefined}
                  onClick={editable ? () => setFocused(index) : undefined}
                  className={`outline-none ${current ? 'bg-accent-50 ring-2 ring-accent-600 ring-inset' : ''}`}
                >
                  <td className={`${cell} whitespace-nowrap`}>
                    {canReadLog ? (
                      <Link to={changeLogPath(item.record_id, item.field)} className="font-medium text-accent-700 hover:underline" aria-label={`Change #${seq} in the change log`}>
                        #{seq}
                      </Link>
                    ) : (
                      `#${seq}`
                    )}
                    <div className="text-xs text-gray-500">
                      <time dateTime={item.at}>{formatDateTime(item.at)}</time>
                    </div>
                  </td>
                  <td className={cell}>
                    <div className="whitespace-nowrap">
                      {item.object} / {item.record_id}
                    </div>
                    <div className="font-mono text-xs text-gray-600">{item.field}</div>
                  </td>
                  <td className={`${cell} min-w-44`}>
                    <BeforeAfter before={item.before} after={item.after} />
                  </td>
                  <td className={cell}>
                    <div>{item.agent_name ?? <span className="text-gray-500">{item.actor_kind}</span>}</div>
                    <div className="text-xs text-gray-500">{item.sensitivity ? `${item.sensitivity} sensitivity` : 'sensitivity not recorded'}</div>
                  </td>
                  <td className={cell}>
                    <VerdictBadge verdict={item.verdict} />
                    {item.checked_by_name && <div className="mt-0.5 text-xs text-gray-500">{item.checked_by_name}</div>}
                  </td>
                  <td className={`${cell} min-w-48`}>
                    {editable ? (
                      <NoteInput
                        seq={seq}
                        value={draftOf(item)}
                        error={noteError}
                        inputRef={(el) => {
                          if (el) notes.current.set(seq, el);
                          else notes.current.delete(seq);
                        }}
                        onFocus={() => setFocused(index)}
                        onChange={(v) => setDrafts((d) => ({ ...d, [seq]: v }))}
                        onBlur={() => saveNote(item)}
                        onEnter={() => rows.current.get(seq)?.focus()}
                      />
                    ) : (
                      item.note || <span className="text-gray-400">—</span>
                    )}
                    {otherError && (
                      <p role="alert" className="mt-1 text-sm text-red-700">
                        {otherError}
                      </p>
                    )}
                  </td>
                  {editable && (
                    <td className={cell}>
                      <div className="flex flex-col gap-1.5">
                        <button
                          type="button"
                          className={`${secondaryButton} ${item.verdict === 'correct' ? 'ring-2 ring-green-600' : ''}`}
                          aria-pressed={item.verdict === 'correct'}
                          aria-label={`Correct: change #${seq}`}
                          onClick={() => {
                            setFocused(index);
                            mark(item, 'correct');
                          }}
                        >
                          Correct
                        </button>
                        <button
                          type="button"
                          className={`${secondaryButton} ${item.verdict === 'incorrect' ? 'ring-2 ring-red-600' : ''}`}
                          aria-pressed={item.verdict === 'incorrect'}
                          aria-label={`Incorrect: change #${seq}`}
                          onClick={() => {
                            setFocused(index);
                            mark(item, 'incorrect');
                            notes.current.get(seq)?.focus();
                          }}
                        >
                          Incorrect
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {canWork && !audit.closed_at && <CloseAudit audit={audit} />}
    </section>
  );
}

function VerdictBadge({ verdict }: { verdict: AuditItem['verdict'] }) {
  if (verdict === 'correct') return <Badge tone="green">correct</Badge>;
  if (verdict === 'incorrect') return <Badge tone="red">incorrect</Badge>;
  return <Badge tone="gray">not checked</Badge>;
}

interface NoteInputProps {
  seq: number;
  value: string;
  error?: string;
  inputRef: (el: HTMLInputElement | null) => void;
  onFocus: () => void;
  onChange: (value: string) => void;
  onBlur: () => void;
  onEnter: () => void;
}

function NoteInput({ seq, value, error, inputRef, onFocus, onChange, onBlur, onEnter }: NoteInputProps) {
  const errorId = `note-${seq}-error`;
  return (
    <>
      <input
        ref={inputRef}
        className={input}
        aria-label={`Note on change #${seq}`}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        maxLength={2000}
        value={value}
        onFocus={onFocus}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        onKeyDown={(e: ReactKeyboardEvent<HTMLInputElement>) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onEnter();
          }
        }}
      />
      {error && (
        <p id={errorId} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      )}
    </>
  );
}

/** Closes the audit once every change is marked; the server's refusal (409) is shown as it says it. */
function CloseAudit({ audit }: { audit: AuditDetail }) {
  const close = useCloseAudit(audit.id);
  const unmarked = audit.items.filter((i) => !i.verdict).length;
  return (
    <div className="space-y-2 rounded-lg border border-gray-200 bg-white p-4">
      <p className="text-sm text-gray-700">
        Closing makes the findings final. Each change marked incorrect then counts as a correction of the agent that made it in the rollout
        metrics, like a reviewer’s correction.
        {unmarked > 0 && ` ${formatCount(unmarked)} ${unmarked === 1 ? 'change is' : 'changes are'} not marked yet.`}
      </p>
      {close.error && <ErrorState error={close.error} title="The audit was not closed" />}
      <button type="button" className={primaryButton} disabled={unmarked > 0 || close.isPending} onClick={() => close.mutate()}>
        {close.isPending ? 'Closing…' : 'Close audit'}
      </button>
    </div>
  );
}
