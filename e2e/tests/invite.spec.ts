import { expect, test } from '@playwright/test';
import { InvitePage } from '../pages/InvitePage';
import { MembersPage } from '../pages/MembersPage';
import { Shell } from '../pages/Shell';
import { ACME, ACME_USERS, signIn, uniqueEmail } from '../support/data';

test('admin invites a viewer, the invitee joins, and a role change reaches them', async ({ page, browser }) => {
  // Admin: invite a new person as viewer.
  await signIn(page, ACME_USERS.admin);
  const members = new MembersPage(page);
  await members.goto();
  const email = uniqueEmail('journey');
  const link = await members.invite(email, ['viewer']);
  expect(new URL(link).pathname).toMatch(/^\/invite\/[^/]+$/);

  // "Copy" puts exactly the shown link on the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await members.copyButton.click();
  await expect(page.getByRole('button', { name: 'Copied', exact: true })).toBeVisible();
  const shown = await members.inviteLink.inputValue();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shown);

  // The invitation is listed as pending.
  await expect(members.pendingInvite(email)).toHaveCount(1);
  await expect(members.pendingInvite(email)).toContainText('viewer');

  // Invitee: a different browser with no session opens the link.
  const context = await browser.newContext();
  const memberPage = await context.newPage();
  const invite = new InvitePage(memberPage);
  await invite.goto(link);
  await invite.expectInvitation(ACME.name, email);
  await invite.acceptAsNewUser('Journey Viewer', 'journey-password-123');
  const memberShell = new Shell(memberPage);
  await memberShell.expectRoleNav('viewer');
  await memberShell.expectCurrentTenant(ACME.name);

  // Admin: the new member shows up; make them a reviewer instead of a viewer.
  await members.goto();
  await expect(members.row(email)).toHaveCount(1);
  await expect(members.row(email)).toContainText('Journey Viewer');
  await expect(members.row(email)).toContainText('active');
  await expect(members.pendingInvite(email)).toHaveCount(0);
  await expect(members.roleCheckbox(email, 'viewer')).toBeChecked();
  await members.setRoles(email, ['reviewer']);
  await page.reload();
  await expect(members.roleCheckbox(email, 'reviewer')).toBeChecked();
  await expect(members.roleCheckbox(email, 'viewer')).not.toBeChecked();

  // Invitee: after a reload the navigation is the reviewer's.
  await memberPage.reload();
  await memberShell.expectRoleNav('reviewer');
  await context.close();
});

test('compliance sees admin actions in the audit trail', async ({ page, browser }) => {
  await signIn(page, ACME_USERS.admin);
  const members = new MembersPage(page);
  await members.goto();
  const email = uniqueEmail('audited');
  await members.invite(email, ['viewer']);

  const context = await browser.newContext();
  const compliancePage = await context.newPage();
  const shell = await signIn(compliancePage, ACME_USERS.compliance);
  await shell.goTo('Reports');
  await expect(compliancePage).toHaveURL(/\/reports$/);
  await expect(compliancePage.getByRole('heading', { name: 'Admin audit trail' })).toBeVisible();
  // The entry for this very invite: its action and the invited email, by the admin.
  const entry = compliancePage
    .getByRole('table', { name: 'Admin audit trail', exact: true })
    .getByRole('row')
    .filter({ hasText: 'member.invited' })
    .filter({ hasText: email });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(ACME_USERS.admin);

  // Narrowed to members and invites by the admin: the invite stays, sign-ins go.
  const trail = compliancePage.getByRole('table', { name: 'Admin audit trail', exact: true });
  await compliancePage.getByRole('searchbox', { name: 'Actor' }).fill(ACME_USERS.admin);
  await compliancePage.getByRole('combobox', { name: 'Action' }).selectOption('member.');
  await compliancePage.getByRole('button', { name: 'Apply filters' }).click();
  await expect(trail.getByRole('row').filter({ hasText: 'auth.signed_in' })).toHaveCount(0);
  await expect(entry).toHaveCount(1);
  await context.close();
});
