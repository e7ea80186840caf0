import { expect, test } from '@playwright/test';
import { LoginPage } from '../pages/LoginPage';
import { MembersPage } from '../pages/MembersPage';
import { ACME_USERS, inviteAndAccept, signIn } from '../support/data';

test('a wrong password shows an error and stays on the sign-in page', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await login.submitCredentials(ACME_USERS.admin, 'not-the-password');
  await expect(login.error()).toBeVisible();
  await login.expectStillOnLogin();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

test('a disabled member can no longer sign in', async ({ page, browser }) => {
  await signIn(page, ACME_USERS.admin);
  const invitee = await inviteAndAccept(browser, page, ['viewer'], 'disabled');
  await invitee.shell.expectRoleNav('viewer');

  const members = new MembersPage(page);
  await members.goto();
  await members.disable(invitee.email);
  // The admin sees the change after a reload too.
  await page.reload();
  await expect(members.row(invitee.email).getByRole('button', { name: 'Enable', exact: true })).toBeVisible();
  await expect(members.row(invitee.email)).toContainText('disabled');

  // The member's open session ends: the next page load is the sign-in page.
  await invitee.page.reload();
  await new LoginPage(invitee.page).expectStillOnLogin();
  await invitee.context.close();

  const context = await browser.newContext();
  const memberPage = await context.newPage();
  const login = new LoginPage(memberPage);
  await login.goto();
  await login.submitCredentials(invitee.email, invitee.password);
  // Refused with a message (wording is the app's: e.g. "not an active member").
  await expect(login.alert).toBeVisible();
  await expect(login.alert).not.toHaveText('');
  await login.expectStillOnLogin();
  await expect(memberPage.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await context.close();
});
