import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

const NEW = 'a much longer passphrase';

async function fill(user: ReturnType<typeof renderApp>['user'], current: string, next: string, confirm: string) {
  await user.type(await screen.findByLabelText('Current password'), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.type(screen.getByLabelText('Confirm new password'), confirm);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
}

const errorFor = (label: string) => {
  const input = screen.getByLabelText(label);
  const ids = input.getAttribute('aria-describedby')?.split(' ') ?? [];
  return ids.map((id) => document.getElementById(id)).find((el) => el?.getAttribute('role') === 'alert')?.textContent;
};

describe('AccountPage', () => {
  it('lists the memberships of the user', async () => {
    const beta = { id: 't2', slug: 'beta', name: 'Beta Ltd', roles: ['viewer' as const, 'compliance' as const] };
    fakeApi({ 'GET /session': () => makeSession({ tenants: [makeSession().tenant, beta] }) });
    renderApp('/account');
    expect(await screen.findByText('viewer, compliance')).toBeTruthy();
    expect(screen.getAllByText('ada@example.com').length).toBeGreaterThan(0);
  });

  it('refuses mismatched new passwords without asking the server', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession() });
    const { user } = renderApp('/account');
    await fill(user, 'old password', NEW, NEW + 'x');
    expect(errorFor('Confirm new password')).toBe('The new passwords do not match.');
    expect(api.calls('POST /account/password')).toHaveLength(0);
  });

  it('maps a server field error onto its input', async () => {
    fakeApi({
      'GET /session': () => makeSession(),
      'POST /account/password': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid', errors: [{ field: 'current_password', message: 'Current password is wrong' }] }),
    });
    const { user } = renderApp('/account');
    await fill(user, 'bad guess', NEW, NEW);
    await waitFor(() => expect(errorFor('Current password')).toBe('Current password is wrong'));
    expect(errorFor('New password')).toBeUndefined();
  });

  it('changes the password and says so', async () => {
    const api = fakeApi({ 'GET /session': () => makeSession(), 'POST /account/password': () => undefined });
    const { user } = renderApp('/account');
    await fill(user, 'old password', NEW, NEW);
    expect(await screen.findByText('Password changed')).toBeTruthy();
    expect(api.calls('POST /account/password')[0].body).toEqual({ current_password: 'old password', new_password: NEW });
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('');
  });
});
