// How a sandbox record's JSON values become form inputs and back. Drafts are
// the inputs' strings; comparing drafts (not parsed values) decides what changed,
// so an untouched field is never sent.
import type { Field, FieldOption } from '../../api/client';

export type InputKind = 'text' | 'textarea' | 'number' | 'bool' | 'enum' | 'date' | 'json';

/** One input of the record editor. */
export interface EditorField {
  name: string;
  label: string;
  kind: InputKind;
  options: FieldOption[];
  readOnly: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function kindFor(field: Pick<Field, 'type' | 'options'> | undefined, value: unknown): InputKind {
  if (value !== null && typeof value === 'object') return 'json';
  // Owners and other references may come with options too.
  if (field?.options.length && field.type !== 'bool') return 'enum';
  switch (field?.type) {
    case 'bool':
      return 'bool';
    case 'number':
    case 'currency':
      return 'number';
    case 'date':
      return value === null || value === undefined || value === '' || (typeof value === 'string' && DATE.test(value)) ? 'date' : 'text';
    case 'text':
      return 'textarea';
  }
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  return 'text';
}

/**
 * The record's inputs: every catalog field of the object (in catalog order),
 * then any value the catalog does not know. Archived fields show only when set.
 */
export function editorFields(values: Record<string, unknown>, catalog: readonly Field[]): EditorField[] {
  const known = new Set(catalog.map((f) => f.name));
  const fromCatalog = catalog
    .filter((f) => !f.archived || values[f.name] != null)
    .map((f) => ({ name: f.name, label: f.label || f.name, kind: kindFor(f, values[f.name]), options: f.options, readOnly: f.read_only }));
  const extra = Object.keys(values)
    .filter((k) => !known.has(k))
    .sort()
    .map((k) => ({ name: k, label: k, kind: kindFor(undefined, values[k]), options: [], readOnly: k === 'id' }));
  return [...fromCatalog, ...extra].map((f) => (f.kind === 'json' ? { ...f, readOnly: true } : f));
}

/** A JSON value as the string an input holds. */
export function toDraft(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An input's string as the JSON value to send; empty clears (null). */
export function fromDraft(draft: string, kind: InputKind): { value: unknown; error?: string } {
  if (draft.trim() === '') return { value: null };
  if (kind === 'number') {
    const n = Number(draft);
    return Number.isFinite(n) ? { value: n } : { value: null, error: 'Enter a number.' };
  }
  if (kind === 'bool') return { value: draft === 'true' };
  return { value: draft };
}

/** Only the values the person changed, ready for PATCH, and any input that cannot be sent as typed. */
export function changedValues(fields: readonly EditorField[], original: Record<string, unknown>, drafts: Record<string, string>) {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    if (f.readOnly) continue;
    const draft = drafts[f.name] ?? toDraft(original[f.name]);
    if (draft === toDraft(original[f.name])) continue;
    const { value, error } = fromDraft(draft, f.kind);
    if (error) errors[f.name] = error;
    else values[f.name] = value;
  }
  return { values, errors };
}

const TITLE_KEYS = ['name', 'dealname', 'subject', 'title', 'email', 'domain'];

/** A readable name for a record in a list. */
export function recordTitle(values: Record<string, unknown>, id: string): string {
  const person = [values.firstname, values.lastname].filter((v) => typeof v === 'string' && v).join(' ');
  if (person) return person;
  for (const key of TITLE_KEYS) {
    const v = values[key];
    if (typeof v === 'string' && v.trim()) return v;
  }
  return id;
}
