import type { ReactNode } from 'react';
import { card } from './styles';

/** The centred card used by the pages outside the authenticated shell. */
export function AuthScreen({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="flex min-h-screen items-center justify-center bg-gray-50 px-4">
      <div className="w-full max-w-sm">
        <p className="mb-6 text-center text-lg font-semibold tracking-tight text-gray-900">Countersign</p>
        <div className={card}>
          <h1 className="mb-4 text-lg font-semibold text-gray-900">{title}</h1>
          {children}
        </div>
      </div>
    </div>
  );
}
