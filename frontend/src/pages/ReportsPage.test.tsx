import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const entry = (seq: number, action: string, target: string, detail: object = {}) => ({
  seq, at: '2026-03-01T10:00:00Z', action, actor_email: 'ada@example.com', target, detail,
});

describe('ReportsPage', () => {
  it('lists the audit trail and loads older entries with the cursor', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /audit': (req) =>
        new URL(req.url).searchParams.get('cursor') === 'c41'
          ? { entries: [entry(41, 'invite.created', 'old@example.com')] }
          : { entries: [entry(42, 'member.roles_changed', 'rex@example.com', { before: { roles: ['viewer'] }, after: { roles: ['admin'] } })], next_cursor: 'c41' },
    });
    const { user } = renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Admin audit trail' })).toBeTruthy();
    expect(await screen.findByText('member.roles_changed')).toBeTruthy();
    expect(screen.getByText('viewer')).toBeTruthy();
    expect(screen.getByText('admin')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('old@example.com')).toBeTruthy();
    expect(api.calls('GET /audit')[1].search).toContain('cursor=c41');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull());
    expect(screen.getByText('rex@example.com')).toBeTruthy();
  });

  it('sends the filters with the request and with the next page, and says when nothing matches', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /audit': (req) => {
        const q = new URL(req.url).searchParams;
        if (!q.get('actor')) return { entries: [entry(50, 'auth.signed_in', 'ada@example.com')] };
        if (q.get('actor') === 'nobody') return { entries: [] };
        return q.get('cursor') === 'next'
          ? { entries: [entry(7, 'policy.changed', 'deals.stage')] }
          : { entries: [entry(9, 'policy.changed', 'deals.amount')], next_cursor: 'next' };
      },
    });
    const { user } = renderApp('/reports');
    expect(await screen.findByText('auth.signed_in')).toBeTruthy();

    await user.type(screen.getByRole('searchbox', { name: 'Actor' }), 'ada');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Action' }), 'policy.');
    await user.type(screen.getByLabelText('From'), '2026-03-01');
    await user.type(screen.getByLabelText('To'), '2026-03-02');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('deals.amount')).toBeTruthy();
    const first = new URLSearchParams(api.calls('GET /audit')[1].search);
    expect(first.get('actor')).toBe('ada');
    expect(first.get('action')).toBe('policy.');
    expect(first.get('from')).toBe(new Date('2026-03-01T00:00:00').toISOString());
    expect(first.get('to')).toBe(new Date('2026-03-03T00:00:00').toISOString());
    expect(first.get('cursor')).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('deals.stage')).toBeTruthy();
    const second = new URLSearchParams(api.calls('GET /audit')[2].search);
    expect(second.get('cursor')).toBe('next');
    expect(second.get('actor')).toBe('ada');
    expect(second.get('action')).toBe('policy.');

    await user.clear(screen.getByRole('searchbox', { name: 'Actor' }));
    await user.type(screen.getByRole('searchbox', { name: 'Actor' }), 'nobody');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByText('No audit entries match these filters.')).toBeTruthy();
  });

  it('hides the audit trail without audit.read but keeps the exports note', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession({ permissions: ['reports.read'] }) });
    renderApp('/reports');
    expect(await screen.findByRole('heading', { name: 'Audit report exports' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Admin audit trail' })).toBeNull();
    expect(api.calls('GET /audit')).toHaveLength(0);
  });
});
