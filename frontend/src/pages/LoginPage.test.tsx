import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { renderApp } from '../test/renderApp';

async function signIn(user: ReturnType<typeof renderApp>['user'], email: string, password: string) {
  await user.type(screen.getByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  it('puts a server field error under the matching input', async () => {
    fakeApi({
      'POST /auth/login': () =>
        problem(400, { code: 'validation_failed', title: 'Invalid request', errors: [{ field: 'email', message: 'Enter a valid email address' }] }),
    });
    const { user } = renderApp('/login');
    await signIn(user, 'not-an-email', 'whatever');

    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const described = document.getElementById(email.getAttribute('aria-describedby')!.split(' ')[0]);
    expect(described?.textContent).toBe('Enter a valid email address');
    expect(described?.getAttribute('role')).toBe('alert');
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
  });

  it('shows the problem detail on 401', async () => {
    fakeApi({
      'POST /auth/login': () => problem(401, { code: 'invalid_credentials', title: 'Unauthorized', detail: 'Invalid email or password' }),
    });
    const { user, location } = renderApp('/login');
    await signIn(user, 'ada@example.com', 'wrong password');
    expect((await screen.findByRole('alert')).textContent).toBe('Invalid email or password');
    expect(location()).toBe('/login');
  });

  it('shows the lockout detail on 429', async () => {
    fakeApi({
      'POST /auth/login': () => problem(429, { code: 'locked_out', title: 'Too many attempts', detail: 'Too many failed sign-ins; try again in 15 minutes.' }),
    });
    const { user } = renderApp('/login');
    await signIn(user, 'ada@example.com', 'x');
    expect((await screen.findByRole('alert')).textContent).toContain('try again in 15 minutes');
  });

  it('sends the credentials and returns to `next`', async () => {
    const session = makeSession();
    const api = fakeApi({ 'POST /auth/login': () => session, 'GET /members': () => ({ members: [] }), 'GET /invites': () => ({ invites: [] }) });
    const { user, location } = renderApp('/login?next=%2Fmembers');
    await signIn(user, ' ada@example.com ', 'correct horse battery');
    await waitFor(() => expect(location()).toBe('/members'));
    expect(api.calls('POST /auth/login')[0].body).toEqual({ email: 'ada@example.com', password: 'correct horse battery' });
    expect(await screen.findByRole('heading', { name: 'Members' })).toBeTruthy();
  });

  it('goes to the first page the user may see without `next`', async () => {
    fakeApi({ 'POST /auth/login': () => makeSession({ permissions: ['changelog.read', 'fields.read'] }) });
    const { user, location } = renderApp('/login');
    await signIn(user, 'vic@example.com', 'correct horse battery');
    await waitFor(() => expect(location()).toBe('/fields'));
  });
});
