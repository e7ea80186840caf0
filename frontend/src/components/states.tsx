import { useId, type ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { card, pageTitle, secondaryButton } from './styles';

/** Shown while something loads. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p role="status" className="flex items-center gap-2 py-6 text-sm text-gray-500">
      <span aria-hidden className="size-3 animate-spin rounded-full border-2 border-gray-300 border-t-accent-600" />
      {label}
    </p>
  );
}

/** Shown for a list with nothing in it. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-md border border-dashed border-gray-300 px-4 py-6 text-center text-sm text-gray-500">{children}</p>;
}

/** Shown when loading failed, with a way to try again. */
export function ErrorState({ error, onRetry, title = 'Could not load this' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <p className="font-medium">{title}</p>
      <p className="mt-1">{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className={`${secondaryButton} mt-3`} onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** An honest placeholder for a capability that is not built yet. */
export function NotAvailableYet({ title, children }: { title: string; children?: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={card}>
      <h2 id={id} className="text-base font-semibold text-gray-900">{title}</h2>
      <p className="mt-2 text-sm text-gray-600">Not available yet — this capability arrives in a later release.</p>
      {children}
    </section>
  );
}

/** A whole page for a capability that is not built yet. */
export function NotAvailableYetPage({ title }: { title: string }) {
  return (
    <div className="space-y-4">
      <h1 className={pageTitle}>{title}</h1>
      <p className="rounded-md border border-gray-200 bg-white px-4 py-6 text-sm text-gray-600">
        Not available yet — this capability arrives in a later release.
      </p>
    </div>
  );
}

/** Shown on a page the session's permissions do not cover. */
export function NoAccess() {
  return (
    <div className="space-y-2">
      <h1 className={pageTitle}>You don't have access to this page</h1>
      <p className="text-sm text-gray-600">Ask an admin of this tenant if you need it.</p>
    </div>
  );
}

/** A success note, announced politely. */
export function Success({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-800">
      {children}
    </p>
  );
}
