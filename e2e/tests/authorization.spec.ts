import { expect, test } from '@playwright/test';
import { ACME_USERS, signIn } from '../support/data';

test('a viewer cannot reach member management, in the UI or through the API', async ({ page }) => {
  const shell = await signIn(page, ACME_USERS.viewer);
  await shell.expectRoleNav('viewer');

  // UI: typing the address shows a no-access state, not the members table.
  await page.goto('/members');
  await expect(page.getByRole('heading', { name: /don.t have access/i })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Members' })).toHaveCount(0);
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Send invite' })).toHaveCount(0);
  await shell.expectRoleNav('viewer');

  // API: the same session, with a valid CSRF token, is refused.
  const session = await page.request.get('/api/v1/session');
  expect(session.status()).toBe(200);
  const { csrf_token: csrf } = (await session.json()) as { csrf_token: string };
  expect(csrf).toBeTruthy();

  const res = await page.request.post('/api/v1/invites', {
    data: { email: 'x@y.test', roles: ['viewer'] },
    headers: { 'X-CSRF-Token': csrf },
  });
  expect(res.status()).toBe(403);
  expect(res.headers()['content-type']).toContain('application/problem+json');
  const problem = (await res.json()) as { code?: string; status?: number };
  expect(problem.code).toBe('forbidden');
  expect(problem.status).toBe(403);
});
