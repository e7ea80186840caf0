// Shared Tailwind class lists, so every button and input looks the same.

export const primaryButton =
  'inline-flex items-center justify-center rounded-md bg-accent-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm hover:bg-accent-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent-600 disabled:cursor-not-allowed disabled:opacity-50';

export const secondaryButton =
  'inline-flex items-center justify-center rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-700 shadow-sm hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent-600 disabled:cursor-not-allowed disabled:opacity-50';

export const dangerButton =
  'inline-flex items-center justify-center rounded-md border border-red-300 bg-white px-3 py-1.5 text-sm font-medium text-red-700 shadow-sm hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 disabled:cursor-not-allowed disabled:opacity-50';

export const input =
  'block w-full rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm text-gray-900 shadow-sm placeholder:text-gray-400 focus:border-accent-600 focus:outline-none focus:ring-1 focus:ring-accent-600 aria-[invalid=true]:border-red-500 read-only:bg-gray-50';

export const card = 'rounded-lg border border-gray-200 bg-white p-5 shadow-sm';

export const sectionTitle = 'text-base font-semibold text-gray-900';

export const pageTitle = 'text-xl font-semibold text-gray-900';
