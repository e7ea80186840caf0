/** A JSON value from an audit entry's detail as short readable text. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(renderValue).join(', ') : '(none)';
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${humanKey(k)}: ${renderValue(v)}`)
      .join('; ');
  }
  return String(value);
}

/** `new_password` → `new password`. */
export function humanKey(key: string): string {
  return key.replace(/[_.]/g, ' ');
}

/** One line of an audit detail, e.g. roles: viewer → admin, viewer. */
export interface DetailLine {
  label: string;
  before?: string;
  after?: string;
  value?: string;
}

/**
 * Splits an audit detail into readable lines. `before`/`after` objects are paired
 * key by key (`{before:{roles:[…]}, after:{roles:[…]}}` → one "roles" line);
 * scalar `before`/`after` become one "change" line; other keys are shown as they are.
 */
export function detailLines(detail: Record<string, unknown>): DetailLine[] {
  const { before, after, ...rest } = detail;
  const lines: DetailLine[] = [];
  if (before !== undefined || after !== undefined) {
    if (isPlainObject(before) || isPlainObject(after)) {
      const b = isPlainObject(before) ? before : {};
      const a = isPlainObject(after) ? after : {};
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        lines.push({ label: humanKey(key), before: renderValue(b[key]), after: renderValue(a[key]) });
      }
    } else {
      lines.push({ label: 'change', before: renderValue(before), after: renderValue(after) });
    }
  }
  for (const [key, value] of Object.entries(rest)) lines.push({ label: humanKey(key), value: renderValue(value) });
  return lines;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
