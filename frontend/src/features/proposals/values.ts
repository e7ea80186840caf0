// How a proposal's JSON values read on screen.

/** A JSON scalar (or anything) as text; null, undefined and "" read as "empty". */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'empty';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Whether a value reads as "empty" (shown greyed). */
export function isEmptyValue(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

/** The text cut to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A confidence in 0..1 as a whole percentage: 0.914 → "91%". */
export function formatConfidence(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

/** A snake_case code in words: "email_domain_change" → "email domain change". */
export function humanize(code: string): string {
  return code.replaceAll('_', ' ');
}
