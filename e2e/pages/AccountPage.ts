import { expect, type Locator, type Page } from '@playwright/test';

/** The account page at /account. */
export class AccountPage {
  readonly current: Locator;
  readonly next: Locator;
  readonly confirm: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.current = page.getByLabel('Current password', { exact: true });
    this.next = page.getByLabel('New password', { exact: true });
    this.confirm = page.getByLabel('Confirm new password', { exact: true });
    this.submit = page.getByRole('button', { name: 'Change password', exact: true });
  }

  async changePassword(current: string, next: string): Promise<void> {
    await this.current.fill(current);
    await this.next.fill(next);
    await this.confirm.fill(next);
    await this.submit.click();
    await expect(this.page.getByText('Password changed')).toBeVisible();
  }
}
