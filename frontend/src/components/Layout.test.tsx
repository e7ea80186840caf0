import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const acme = { id: 't1', slug: 'acme', name: 'Acme Corp', roles: ['admin' as const] };
const beta = { id: 't2', slug: 'beta', name: 'Beta Ltd', roles: ['viewer' as const] };

const navLabels = () =>
  within(screen.getByRole('navigation', { name: 'Main' }))
    .getAllByRole('link')
    .map((a) => a.textContent);

describe('authenticated shell', () => {
  it('shows exactly the nav items the permissions allow and redirects / to the first', async () => {
    fakeApi({ 'GET /session': () => makeSession({ roles: ['reviewer'], permissions: ['review.work', 'changelog.read', 'fields.read', 'proposals.read'] }) });
    const { location } = renderApp('/');
    await screen.findByRole('navigation', { name: 'Main' });
    expect(navLabels()).toEqual(['Review queue', 'Proposals', 'Fields', 'Change log']);
    await waitFor(() => expect(location()).toBe('/review'));
    expect(await screen.findByRole('heading', { name: 'Review queue' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Claim more' })).toBeTruthy();
  });

  it('shows the tenant, the user and their roles, without a switcher for one tenant', async () => {
    fakeApi({ 'GET /session': () => makeSession() });
    renderApp('/account');
    await screen.findByRole('navigation', { name: 'Main' });
    const header = screen.getByRole('banner');
    expect(within(header).getByText('Acme Corp')).toBeTruthy();
    expect(within(header).getByText('Ada Admin')).toBeTruthy();
    expect(within(header).getByText(/admin/)).toBeTruthy();
    expect(within(header).queryByRole('combobox', { name: 'Tenant' })).toBeNull();
  });

  it('refuses a page the permissions do not cover, without calling its API', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession({ permissions: ['fields.read'] }) });
    renderApp('/members');
    expect(await screen.findByRole('heading', { name: "You don't have access to this page" })).toBeTruthy();
    expect(api.calls('GET /members')).toHaveLength(0);
  });

  it('sends a signed-out visitor to /login with the page as next', async () => {
    fakeApi({ 'GET /session': () => problem(401, { code: 'unauthenticated', title: 'Unauthorized' }) });
    const { location } = renderApp('/settings');
    await waitFor(() => expect(location()).toBe('/login?next=%2Fsettings'));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('sends the user to /login when another query answers 401', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'GET /tenant': () => problem(401, { code: 'unauthenticated', title: 'Unauthorized' }),
    });
    const { location } = renderApp('/settings');
    await waitFor(() => expect(location()).toBe('/login?next=%2Fsettings'));
  });

  it('switches tenant, then lands on the first page allowed there', async () => {
    const api = fakeApi({
      'GET /session': () => makeSession({ tenants: [acme, beta] }),
      'GET /members': () => ({ members: [] }),
      'GET /invites': () => ({ invites: [] }),
      'PUT /session/tenant': () =>
        makeSession({ tenants: [acme, beta], tenant: beta, roles: ['viewer'], permissions: ['changelog.read'], csrf_token: 'csrf-beta' }),
    });
    const { user, location } = renderApp('/members');
    const select = await screen.findByRole('combobox', { name: 'Tenant' });
    await user.selectOptions(select, 'Beta Ltd');

    await waitFor(() => expect(location()).toBe('/changelog'));
    expect(api.calls('PUT /session/tenant')[0].body).toEqual({ tenant: 'beta' });
    expect(api.calls('PUT /session/tenant')[0].headers.get('X-CSRF-Token')).toBe('csrf-123');
    await waitFor(() => expect(navLabels()).toEqual(['Change log']));
    expect(within(screen.getByRole('banner')).getByText('Beta Ltd', { selector: 'span' })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Change log' })).toBeTruthy();
  });

  it('signs out and returns to the login page', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession(), 'POST /auth/logout': () => undefined });
    const { user, location } = renderApp('/account');
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(location()).toBe('/login'));
    expect(api.calls('POST /auth/logout')[0].headers.get('X-CSRF-Token')).toBe('csrf-123');
  });
});
