import { useEffect, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { primaryButton, secondaryButton } from './styles';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * What every modal surface does: focus moves in on open and back out on close,
 * Esc closes, Tab stays inside.
 */
function useModal(panel: RefObject<HTMLDivElement | null>, onClose: () => void) {
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    panel.current?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault();
        close.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (opener?.isConnected) opener.focus();
    };
  }, [panel]);

  return (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab' || !panel.current) return;
    const items = [...panel.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || document.activeElement === panel.current)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
}

interface SurfaceProps {
  /** The accessible name of the dialog. */
  label: string;
  /** The visible heading; defaults to the label. */
  title?: ReactNode;
  /** A line under the title. */
  subtitle?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
}

function Header({ label, title, subtitle, onClose }: Omit<SurfaceProps, 'children' | 'footer'>) {
  return (
    <div className="flex items-start justify-between gap-4 border-b border-gray-200 px-5 py-4">
      <div className="min-w-0">
        <h2 className="truncate text-base font-semibold text-gray-900">{title ?? label}</h2>
        {subtitle && <div className="mt-0.5 text-sm text-gray-500">{subtitle}</div>}
      </div>
      <button
        type="button"
        onClick={onClose}
        aria-label="Close"
        className="-m-1 rounded-md p-1 text-gray-500 hover:bg-gray-100 hover:text-gray-800 focus-visible:outline-2 focus-visible:outline-accent-600"
      >
        <span aria-hidden className="block size-5 text-lg leading-5">×</span>
      </button>
    </div>
  );
}

/** A centred modal dialog. */
export function Modal({ wide, ...props }: SurfaceProps & { wide?: boolean }) {
  const panel = useRef<HTMLDivElement>(null);
  const onKeyDown = useModal(panel, props.onClose);
  return (
    <div className="fixed inset-0 z-40 flex items-start justify-center overflow-y-auto bg-gray-900/40 px-4 py-10">
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-label={props.label}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        className={`w-full ${wide ? 'max-w-4xl' : 'max-w-lg'} rounded-lg bg-white shadow-xl outline-none`}
      >
        <Header {...props} />
        <div className="space-y-4 px-5 py-4">{props.children}</div>
        {props.footer && <div className="flex justify-end gap-2 border-t border-gray-200 px-5 py-3">{props.footer}</div>}
      </div>
    </div>
  );
}

/** A panel sliding in from the right edge, over a dimmed page. */
export function Drawer(props: SurfaceProps) {
  const panel = useRef<HTMLDivElement>(null);
  const onKeyDown = useModal(panel, props.onClose);
  return (
    <div className="fixed inset-0 z-40 flex justify-end">
      <div aria-hidden className="absolute inset-0 bg-gray-900/30" onClick={props.onClose} />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-label={props.label}
        tabIndex={-1}
        onKeyDown={onKeyDown}
        className="relative flex h-full w-full max-w-2xl flex-col bg-white shadow-xl outline-none"
      >
        <Header {...props} />
        <div className="flex-1 space-y-6 overflow-y-auto px-5 py-4">{props.children}</div>
        {props.footer && <div className="border-t border-gray-200 px-5 py-3">{props.footer}</div>}
      </div>
    </div>
  );
}

/** A dialog form's last row: Cancel, and the submit button (its label while the request runs, disabled). */
export function FormActions({ onCancel, pending, pendingLabel, children }: { onCancel: () => void; pending: boolean; pendingLabel: string; children: ReactNode }) {
  return (
    <div className="flex justify-end gap-2 border-t border-gray-200 pt-3">
      <button type="button" className={secondaryButton} onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className={primaryButton} disabled={pending}>
        {pending ? pendingLabel : children}
      </button>
    </div>
  );
}
