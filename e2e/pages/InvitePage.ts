import { expect, type Locator, type Page } from '@playwright/test';

/** The invitation page at /invite/<token>, as seen by the invitee. */
export class InvitePage {
  readonly name: Locator;
  readonly password: Locator;
  readonly accept: Locator;

  constructor(readonly page: Page) {
    this.name = page.getByLabel('Your name', { exact: true });
    this.password = page.getByLabel('Choose a password', { exact: true });
    this.accept = page.getByRole('button', { name: 'Accept invitation', exact: true });
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.accept).toBeVisible();
  }

  async expectInvitation(tenantName: string, email: string): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(tenantName);
    await expect(this.page.getByText(email, { exact: true })).toBeVisible();
  }

  /** Accepts as a new user; waits until the app has left the invitation page. */
  async acceptAsNewUser(name: string, password: string): Promise<void> {
    await this.name.fill(name);
    await this.password.fill(password);
    await this.accept.click();
    await expect(this.page).not.toHaveURL(/\/invite\//);
  }
}
