const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A timestamp from the API in the reader's locale and time zone. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const shortDateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** A timestamp in few characters, for dense tables: "Mar 5, 10:00 AM". */
export function formatShortDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : shortDateTime.format(d);
}

const count = new Intl.NumberFormat('en-US');

/** A count with thousands separators: 1,234. */
export function formatCount(n: number): string {
  return count.format(n);
}

/** A sync interval in words: 0 → "Manual only", 60 → "Every 1 h". */
export function formatInterval(minutes: number): string {
  if (minutes <= 0) return 'Manual only';
  if (minutes > 1440 && minutes % 1440 === 0) return `Every ${minutes / 1440} d`;
  if (minutes % 60 === 0) return `Every ${minutes / 60} h`;
  return `Every ${minutes} min`;
}
