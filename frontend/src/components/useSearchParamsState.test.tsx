import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useSearchParamsState } from './useSearchParamsState';

function TwoFilters() {
  const [params, update] = useSearchParamsState();
  const { search } = useLocation();
  return (
    <>
      <button
        onClick={() => {
          // two filters settling before the page renders again, as two debounced inputs do
          update((p) => (p.set('object', 'contacts'), p));
          update((p) => (p.set('field', 'email'), p));
        }}
      >
        settle
      </button>
      <output aria-label="search">{search}</output>
      <output aria-label="object">{params.get('object') ?? ''}</output>
    </>
  );
}

describe('useSearchParamsState', () => {
  it('keeps both of two updates made before the next render', async () => {
    const router = createMemoryRouter([{ path: '/', element: <TwoFilters /> }], { initialEntries: ['/?status=queued'] });
    render(<RouterProvider router={router} />);
    await userEvent.click(screen.getByRole('button', { name: 'settle' }));
    expect(await screen.findByText('?status=queued&object=contacts&field=email')).toBeTruthy();
    expect(screen.getByLabelText('object').textContent).toBe('contacts');
  });
});
