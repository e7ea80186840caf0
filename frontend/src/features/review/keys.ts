// Keyboard triage: which key does what on the review page.

export type ReviewAction = 'next' | 'prev' | 'approve' | 'edit' | 'reject' | 'skip' | 'select' | 'undo' | 'help' | 'escalate' | 'claim';

/** The keys, in the order the help sheet lists them. */
export const KEYMAP: readonly { key: string; action: ReviewAction; label: string }[] = [
  { key: 'j', action: 'next', label: 'Next item' },
  { key: 'k', action: 'prev', label: 'Previous item' },
  { key: 'a', action: 'approve', label: 'Approve (the selected items, when some are selected)' },
  { key: 'e', action: 'edit', label: 'Edit the value, then approve' },
  { key: 'r', action: 'reject', label: 'Reject: pick a reason by its number' },
  { key: 's', action: 'skip', label: 'Skip: leave it to another reviewer' },
  { key: 'x', action: 'select', label: 'Select or unselect the item' },
  { key: 'u', action: 'undo', label: 'Undo the last decision (within 10 seconds)' },
  { key: 'g', action: 'escalate', label: 'Escalate to the queue’s escalation queue' },
  { key: 'c', action: 'claim', label: 'Claim more items' },
  { key: '?', action: 'help', label: 'Show or hide this sheet' },
];

const byKey = new Map(KEYMAP.map((k) => [k.key, k.action]));

/**
 * The action of a key press, or null: keys typed into a field, pressed with a
 * modifier (browser shortcuts) or while a dialog is open are not triage keys.
 */
export function actionFor(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>, target: EventTarget | null, dialogOpen: boolean): ReviewAction | null {
  if (dialogOpen || e.ctrlKey || e.metaKey || e.altKey) return null;
  if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return null;
  if (e.key === 'ArrowDown') return 'next';
  if (e.key === 'ArrowUp') return 'prev';
  return byKey.get(e.key) ?? null;
}
