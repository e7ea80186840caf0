import { expect, test } from '@playwright/test';
import { Shell, type RoleName } from '../pages/Shell';
import { ACME, ACME_USERS, GLOBEX, signIn } from '../support/data';

test.describe('navigation follows the role', () => {
  for (const role of Object.keys(ACME_USERS) as RoleName[]) {
    test(`${role} of acme sees exactly the ${role} navigation`, async ({ page }) => {
      const shell = await signIn(page, ACME_USERS[role]);
      await shell.expectCurrentTenant(ACME.name);
      await shell.expectRoleNav(role);
      await expect(shell.accountLink).toBeVisible();
      await expect(shell.signOutButton).toBeVisible();
    });
  }
});

test('admin switches tenant and the navigation follows the role there', async ({ page }) => {
  const shell = await signIn(page, ACME_USERS.admin);
  await shell.expectCurrentTenant(ACME.name);
  await shell.expectRoleNav('admin');

  // admin@acme.test belongs to two tenants, so the header offers both.
  await expect(shell.tenantSelect).toBeVisible();
  await expect(shell.tenantSelect.locator('option')).toHaveText([ACME.name, GLOBEX.name]);

  await shell.switchTenant(GLOBEX.name);
  await shell.expectRoleNav('viewer');
  await shell.expectCurrentTenant(GLOBEX.name);

  // The switch is held by the session, not just the page.
  await page.reload();
  await new Shell(page).expectRoleNav('viewer');
  await shell.expectCurrentTenant(GLOBEX.name);

  await shell.switchTenant(ACME.name);
  await shell.expectRoleNav('admin');
  await shell.expectCurrentTenant(ACME.name);
});
