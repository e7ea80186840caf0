import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const entry = (seq: number, action: string, target: string, detail: object = {}) => ({
  seq, at: '2026-03-01T10:00:00Z', action, actor_email: 'ada@example.com', target, detail,
});

describe('ReportsPage', () => {
  it('lists the audit trail and loads older entries with next_before', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /audit': (req) =>
        new URL(req.url).searchParams.get('before') === '41'
          ? { entries: [entry(41, 'invite.created', 'old@example.com')] }
          : { entries: [entry(42, 'member.roles_changed', 'rex@example.com', { before: { roles: ['viewer'] }, after: { roles: ['admin'] } })], next_before: 41 },
    });
    const { user } = renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Admin audit trail' })).toBeTruthy();
    expect(await screen.findByText('member.roles_changed')).toBeTruthy();
    expect(screen.getByText('viewer')).toBeTruthy();
    expect(screen.getByText('admin')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('old@example.com')).toBeTruthy();
    expect(api.calls('GET /audit')[1].search).toContain('before=41');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
    expect(screen.getByText('rex@example.com')).toBeTruthy();
  });

  it('hides the audit trail without audit.read but keeps the exports note', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession({ permissions: ['reports.read'] }) });
    renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Audit report exports' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Admin audit trail' })).toBeNull();
    expect(api.calls('GET /audit')).toHaveLength(0);
  });
});
