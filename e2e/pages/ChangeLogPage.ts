import { expect, type Locator, type Page } from '@playwright/test';

/** The change log at /changelog: every write to a CRM, its verification and rollback. */
export class ChangeLogPage {
  readonly heading: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly verifyButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Change log' });
    this.table = page.getByRole('table');
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('cell') });
    this.verifyButton = page.getByRole('button', { name: 'Verify chain', exact: true });
  }

  async gotoRecord(recordId: string, field: string): Promise<void> {
    await this.page.goto(`/changelog?record_id=${encodeURIComponent(recordId)}&field=${encodeURIComponent(field)}`);
    await expect(this.heading).toBeVisible();
  }

  row(seq: number): Locator {
    return this.rows.filter({ hasText: `#${seq}` });
  }

  /** Rolls a change back from its row, giving a reason. */
  async rollBack(seq: number, reason: string): Promise<void> {
    await this.page.getByRole('button', { name: `Roll back change #${seq}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `Roll back change #${seq}` });
    await dialog.getByLabel(/^Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await expect(dialog).toBeHidden();
  }
}
