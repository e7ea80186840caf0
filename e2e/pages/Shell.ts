import { expect, type Locator, type Page } from '@playwright/test';

/** The navigation each seeded role should see, in display order. */
export const NAV = {
  admin: ['Review queue', 'Proposals', 'Fields', 'Agents', 'Change log', 'Rollouts', 'Insights', 'Reports', 'Members', 'Settings'],
  reviewer: ['Review queue', 'Proposals', 'Fields', 'Change log'],
  compliance: ['Proposals', 'Fields', 'Agents', 'Change log', 'Rollouts', 'Insights', 'Reports'],
  viewer: ['Fields', 'Change log'],
} as const;

export type RoleName = keyof typeof NAV;

/** The signed-in application frame: header and main navigation. */
export class Shell {
  readonly nav: Locator;
  readonly navLinks: Locator;
  readonly header: Locator;
  readonly tenantSelect: Locator;
  readonly accountLink: Locator;
  readonly signOutButton: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main', exact: true });
    this.navLinks = this.nav.getByRole('link');
    this.header = page.getByRole('banner');
    this.tenantSelect = page.getByRole('combobox', { name: 'Tenant', exact: true });
    this.accountLink = page.getByRole('link', { name: 'Account', exact: true });
    this.signOutButton = page.getByRole('button', { name: 'Sign out', exact: true });
  }

  /** Asserts the Main nav holds exactly these links, in this order. */
  async expectNav(links: readonly string[]): Promise<void> {
    await expect(this.nav).toBeVisible();
    await expect(this.navLinks).toHaveText([...links]);
  }

  async expectRoleNav(role: RoleName): Promise<void> {
    await this.expectNav(NAV[role]);
  }

  async goTo(linkName: string): Promise<void> {
    await this.nav.getByRole('link', { name: linkName, exact: true }).click();
  }

  /** The tenant the header shows as current. */
  async expectCurrentTenant(name: string): Promise<void> {
    if (await this.tenantSelect.count()) {
      await expect(this.tenantSelect.locator('option:checked')).toHaveText(name);
    } else {
      await expect(this.header.getByText(name, { exact: true })).toBeVisible();
    }
  }

  async switchTenant(name: string): Promise<void> {
    await this.tenantSelect.selectOption({ label: name });
    await expect(this.tenantSelect.locator('option:checked')).toHaveText(name);
  }

  async signOut(): Promise<void> {
    await this.signOutButton.click();
    await expect(this.page).toHaveURL(/\/login(\?|$)/);
  }
}
