import { formatCount } from './format';
import { secondaryButton } from './styles';

interface Props {
  offset: number;
  pageSize: number;
  /** Rows on this page. */
  count: number;
  total: number;
  onOffset: (offset: number) => void;
  /** The next page is loading. */
  busy?: boolean;
  /** Buttons only (a second pager under a long table). */
  buttonsOnly?: boolean;
}

/** "Showing 1–100 of 1,234" with Previous/Next for offset paging. */
export function Pager({ offset, pageSize, count, total, onOffset, busy, buttonsOnly }: Props) {
  const first = count === 0 ? 0 : offset + 1;
  return (
    <nav aria-label={buttonsOnly ? 'Pages, bottom' : 'Pages'} className={`flex items-center gap-4 text-sm text-gray-600 ${buttonsOnly ? 'justify-end' : 'justify-between'}`}>
      {!buttonsOnly && (
        <p aria-live="polite">
          Showing {formatCount(first)}–{formatCount(offset + count)} of {formatCount(total)}
          {busy && <span className="ml-2 text-gray-400">Loading…</span>}
        </p>
      )}
      <div className="flex gap-2">
        <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - pageSize))}>
          Previous
        </button>
        <button type="button" className={secondaryButton} disabled={offset + count >= total} onClick={() => onOffset(offset + pageSize)}>
          Next
        </button>
      </div>
    </nav>
  );
}

/** The URL query on another page. */
export function withOffset(params: URLSearchParams, offset: number): URLSearchParams {
  const next = new URLSearchParams(params);
  if (offset > 0) next.set('offset', String(offset));
  else next.delete('offset');
  return next;
}
