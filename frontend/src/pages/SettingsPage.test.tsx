import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
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

  it('edits a review queue and names a refused setting', async () => {
    const queue = {
      id: 'q1', name: 'Pipeline changes', position: 2, allowed_roles: ['admin', 'reviewer'], match: { tags: ['pipeline'] }, accepts_new: true,
      sla_minutes: { critical: 240, high: 480, medium: 1440, low: 2880 }, expire_after_double_sla: true, may_work: true, escalate_to: 'q9',
    };
    const esc = { ...queue, id: 'q9', name: 'Escalations', position: 4, allowed_roles: ['admin'], match: {}, accepts_new: false, escalate_to: undefined };
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /tenant': () => tenant,
      'GET /review/queues': () => ({ queues: [queue, esc] }),
      'GET /review/reason-codes': () => ({ reason_codes: [{ code: 'wrong_value', label: 'Wrong value', archived: false }] }),
      'PATCH /review/queues/q1': () => problem(400, { code: 'validation_failed', errors: [{ field: 'sla_minutes.high', message: 'must be between 1 minute and 30 days (43200)' }] }),
    });
    const { user } = renderApp('/settings');
    const table = await screen.findByRole('table', { name: 'Review queues' });
    expect(within(table).getByRole('row', { name: /Pipeline changes/ }).textContent).toContain('tags pipeline');
    expect(within(table).getByRole('row', { name: /^4 Escalations/ }).textContent).toContain('escalations only');
    await user.click(screen.getByRole('button', { name: 'Edit Pipeline changes' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit queue Pipeline changes' });
    const high = within(dialog).getByLabelText('SLA high');
    await user.clear(high);
    await user.type(high, '0');
    await user.click(within(dialog).getByRole('button', { name: 'Save queue' }));
    expect(await within(dialog).findByText('must be between 1 minute and 30 days (43200)')).toBeTruthy();
    expect(api.calls('PATCH /review/queues/q1')[0]?.body).toMatchObject({ sla_minutes: { high: 0, critical: 240 }, escalate_to: 'q9', match: { tags: ['pipeline'] } });
  });
});
