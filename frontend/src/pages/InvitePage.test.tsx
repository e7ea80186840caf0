import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const preview = { tenant_name: 'Acme Corp', email: 'new@example.com', roles: ['reviewer'], expires_at: '2026-03-08T10:00:00Z' };

describe('InvitePage', () => {
  it('says when a link has expired or was revoked', async () => {
    fakeApi({ 'GET /invitations/tok': () => problem(410, { code: 'invite_gone', title: 'Gone' }) });
    renderApp('/invite/tok');
    expect(await screen.findByRole('heading', { name: 'This invite link has expired or was revoked' })).toBeTruthy();
  });

  it('says when a link is unknown', async () => {
    fakeApi({ 'GET /invitations/tok': () => problem(404, { code: 'not_found', title: 'Not found' }) });
    renderApp('/invite/tok');
    expect(await screen.findByRole('heading', { name: 'This invite link is invalid' })).toBeTruthy();
  });

  it('creates an account for a new user and signs them in', async () => {
    const api = fakeApi({
      'GET /invitations/tok': () => ({ ...preview, existing_user: false }),
      'POST /invitations/tok/accept': () => makeSession({ permissions: ['review.work'], csrf_token: 'fresh' }),
    });
    const { user, location } = renderApp('/invite/tok');
    expect(await screen.findByRole('heading', { name: 'Join Acme Corp as reviewer' })).toBeTruthy();
    expect(screen.getByText('new@example.com')).toBeTruthy();
    expect(screen.queryByLabelText('Your password')).toBeNull();

    await user.type(screen.getByLabelText('Your name'), 'Nina New');
    await user.type(screen.getByLabelText('Choose a password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Accept invitation' }));
    expect(await screen.findByText('Use at least 12 characters.')).toBeTruthy();
    expect(api.calls('POST /invitations/tok/accept')).toHaveLength(0);

    await user.type(screen.getByLabelText('Choose a password'), ' and now long enough');
    await user.click(screen.getByRole('button', { name: 'Accept invitation' }));
    await waitFor(() => expect(location()).toBe('/review'));
    expect(api.calls('POST /invitations/tok/accept')[0].body).toEqual({ name: 'Nina New', password: 'short and now long enough' });
  });

  it('asks an existing user only for their password and shows a wrong one', async () => {
    fakeApi({
      'GET /invitations/tok': () => ({ ...preview, existing_user: true }),
      'POST /invitations/tok/accept': () => problem(401, { code: 'invalid_credentials', title: 'Unauthorized', detail: 'Wrong password' }),
    });
    const { user } = renderApp('/invite/tok');
    await user.type(await screen.findByLabelText('Your password'), 'nope');
    expect(screen.queryByLabelText('Your name')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Accept invitation' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong password');
  });
});
