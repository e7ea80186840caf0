import { expect, test } from '@playwright/test';
import { AccountPage } from '../pages/AccountPage';
import { LoginPage } from '../pages/LoginPage';
import { ACME_USERS, inviteAndAccept, signIn } from '../support/data';

test('a member changes their password and signs in with the new one', async ({ page, browser }) => {
  // A fresh member, so the seeded demo passwords stay as they are.
  await signIn(page, ACME_USERS.admin);
  const member = await inviteAndAccept(browser, page, ['viewer'], 'password');

  await member.shell.accountLink.click();
  await expect(member.page).toHaveURL(/\/account$/);
  const newPassword = 'changed-password-' + Date.now();
  await new AccountPage(member.page).changePassword(member.password, newPassword);

  await member.shell.signOut();
  const login = new LoginPage(member.page);
  await login.submitCredentials(member.email, member.password);
  await expect(login.error()).toBeVisible();
  await login.expectStillOnLogin();

  await signIn(member.page, member.email, newPassword);
  await member.shell.expectRoleNav('viewer');
  await member.context.close();
});
