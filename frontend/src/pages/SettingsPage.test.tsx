import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const tenant = { id: 't1', slug: 'acme', name: 'Acme Corp', created_at: '2026-01-01T00:00:00Z' };

describe('SettingsPage', () => {
  it('renames the tenant for settings.manage', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /tenant': () => tenant,
      'PATCH /tenant': (_r, body) => ({ ...tenant, ...(body as object) }),
    });
    const { user } = renderApp('/settings');
    const input = await screen.findByLabelText('Tenant name');
    expect(screen.getByText('acme')).toBeTruthy();
    await user.clear(input);
    await user.type(input, 'Acme Europe');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(api.calls('PATCH /tenant')[0]?.body).toEqual({ name: 'Acme Europe' }));
    expect(await screen.findByText('Saved.')).toBeTruthy();
  });

  it('shows the tenant read-only with settings.read only', async () => {
    fakeApi({ 'GET /session': () => makeSession({ permissions: ['settings.read'] }), 'GET /tenant': () => tenant });
    renderApp('/settings');
    expect(await screen.findByText('acme')).toBeTruthy();
    expect(screen.queryByLabelText('Tenant name')).toBeNull();
  });
});
