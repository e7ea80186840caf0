import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Member } from '../api/client';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const ada: Member = { id: 'm1', user_id: 'u1', email: 'ada@example.com', name: 'Ada Admin', roles: ['admin'], status: 'active', created_at: '2026-01-01T00:00:00Z' };
const rex: Member = { id: 'm2', user_id: 'u2', email: 'rex@example.com', name: 'Rex Reviewer', roles: ['reviewer'], status: 'active', created_at: '2026-01-02T00:00:00Z' };

const rowOf = (email: string) => screen.getByText(email).closest('tr') as HTMLElement;

describe('MembersPage', () => {
  it('invites someone and shows the one-time link', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => ({ members: [ada] }),
      'GET /invites': () => ({ invites: [] }),
      'POST /invites': (_req, body) =>
        Response.json(
          { id: 'i1', ...(body as object), created_at: '2026-03-01T10:00:00Z', expires_at: '2026-03-08T10:00:00Z', invited_by: 'ada@example.com', status: 'pending', url: 'https://cs.example/invite/tok-abc' },
          { status: 201 },
        ),
    });
    const { user } = renderApp('/members');
    expect(await screen.findByText('No pending invites.')).toBeTruthy();

    const form = screen.getByRole('form', { name: 'Invite member' });
    await user.type(within(form).getByLabelText('Email'), 'new@example.com');
    const roles = within(form).getByRole('group', { name: 'Roles' });
    await user.click(within(roles).getByLabelText('reviewer'));
    await user.click(within(roles).getByLabelText('compliance'));
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));

    const link = (await screen.findByLabelText('Invite link')) as HTMLInputElement;
    expect(link.value).toBe('https://cs.example/invite/tok-abc');
    expect(link.readOnly).toBe(true);
    expect(screen.getByRole('button', { name: 'Copy' })).toBeTruthy();
    expect(screen.getByText(/shown only once/)).toBeTruthy();

    const sent = api.calls('POST /invites')[0];
    expect(sent.body).toEqual({ email: 'new@example.com', roles: ['reviewer', 'compliance'] });
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-123');
    // The pending list is refreshed after the invite.
    await waitFor(() => expect(api.calls('GET /invites').length).toBe(2));
  });

  it('puts a field error from the invite under the Email input', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => ({ members: [ada] }),
      'GET /invites': () => ({ invites: [] }),
      'POST /invites': () => problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'email', message: 'Not an email address' }] }),
    });
    const { user } = renderApp('/members');
    const form = await screen.findByRole('form', { name: 'Invite member' });
    await user.type(within(form).getByLabelText('Email'), 'nope');
    await user.click(within(form).getByLabelText('viewer'));
    await user.click(within(form).getByRole('button', { name: 'Send invite' }));
    const email = within(form).getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(email.getAttribute('aria-describedby')!)?.textContent).toBe('Not an email address');
    expect(screen.queryByLabelText('Invite link')).toBeNull();
  });

  it('shows a 409 from disabling the last admin inline in that row', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => ({ members: [ada, rex] }),
      'GET /invites': () => ({ invites: [] }),
      'PATCH /members/m1': () => problem(409, { code: 'last_admin', title: 'Conflict', detail: 'A tenant needs at least one active admin.' }),
    });
    const { user } = renderApp('/members');
    await screen.findByText('ada@example.com');
    await user.click(within(rowOf('ada@example.com')).getByRole('button', { name: 'Disable' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Disable ada@example.com?' })).getByRole('button', { name: 'Disable member' }));

    expect((await within(rowOf('ada@example.com')).findByRole('alert')).textContent).toBe('A tenant needs at least one active admin.');
    expect(within(rowOf('rex@example.com')).queryByRole('alert')).toBeNull();
    expect(api.calls('PATCH /members/m1')[0].body).toEqual({ status: 'disabled' });
  });

  it('asks before disabling a member, naming them, and Cancel or Esc changes nothing', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => ({ members: [ada, rex] }),
      'GET /invites': () => ({ invites: [] }),
      'PATCH /members/m2': () => ({ ...rex, status: 'disabled' }),
    });
    const { user } = renderApp('/members');
    await screen.findByText('rex@example.com');
    const disable = () => user.click(within(rowOf('rex@example.com')).getByRole('button', { name: 'Disable' }));

    await disable();
    const dialog = await screen.findByRole('dialog', { name: 'Disable rex@example.com?' });
    expect(dialog.textContent).toContain('Rex Reviewer (rex@example.com) will be signed out at once');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await disable();
    await screen.findByRole('dialog', { name: 'Disable rex@example.com?' });
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.calls('PATCH /members/m2')).toHaveLength(0);

    await disable();
    await user.click(within(await screen.findByRole('dialog', { name: 'Disable rex@example.com?' })).getByRole('button', { name: 'Disable member' }));
    await waitFor(() => expect(api.calls('PATCH /members/m2')).toHaveLength(1));
    expect(api.calls('PATCH /members/m2')[0].body).toEqual({ status: 'disabled' });
  });

  it('saves changed roles for one member', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => ({ members: [ada, rex] }),
      'GET /invites': () => ({ invites: [] }),
      'PATCH /members/m2': () => ({ ...rex, roles: ['reviewer', 'viewer'] }),
    });
    const { user } = renderApp('/members');
    await screen.findByText('rex@example.com');
    const row = rowOf('rex@example.com');
    const save = within(row).getByRole('button', { name: 'Save roles' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    await user.click(within(row).getByLabelText('viewer'));
    await user.click(save);
    await waitFor(() => expect(api.calls('PATCH /members/m2')).toHaveLength(1));
    expect(api.calls('PATCH /members/m2')[0].body).toEqual({ roles: ['reviewer', 'viewer'] });
  });

  it('is read-only without members.manage', async () => {
    fakeApi({
      'GET /session': () => makeSession({ roles: ['compliance'], permissions: ['members.read', 'reports.read'] }),
      'GET /members': () => ({ members: [ada, rex] }),
      'GET /invites': () => ({
        invites: [{ id: 'i1', email: 'pending@example.com', roles: ['viewer'], created_at: '2026-03-01T10:00:00Z', expires_at: '2026-03-08T10:00:00Z', invited_by: 'ada@example.com', status: 'pending' }],
      }),
    });
    renderApp('/members');
    await screen.findByText('rex@example.com');
    expect(screen.getByText('pending@example.com')).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Invite member' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Save roles' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke' })).toBeNull();
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('offers a retry when the member list fails to load', async () => {
    let fail = true;
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /members': () => (fail ? problem(503, { code: 'unavailable', title: 'Service unavailable', detail: 'Database is down' }) : { members: [rex] }),
      'GET /invites': () => ({ invites: [] }),
    });
    const { user } = renderApp('/members');
    expect(await screen.findByText('Database is down', {}, { timeout: 3000 })).toBeTruthy();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('rex@example.com')).toBeTruthy();
  });
});
