import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** The Reports page at /reports: evidence exports with their manifests, and sample audits with their worksheets. */
export class ReportsPage {
  readonly heading: Locator;
  readonly exports: Locator;
  readonly audits: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Reports' });
    this.exports = page.getByRole('region', { name: 'Evidence exports' });
    this.audits = page.getByRole('region', { name: 'Sample audits' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/reports');
    await expect(this.heading).toBeVisible();
  }

  /** Starts an export of a period preset in a format (as the dialog labels them). */
  async startExport(format: string, period: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New export' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New export' });
    await dialog.getByLabel('Format').selectOption({ label: format });
    await dialog.getByLabel('Period').selectOption({ label: period });
    await dialog.getByRole('button', { name: 'Start export' }).click();
    await expect(dialog).toBeHidden();
  }

  /** The newest export's row. */
  newestExport(): Locator {
    return this.exports.getByRole('row').nth(1);
  }

  /** Clicks a link or button and returns the download it starts. */
  async download(trigger: Locator): Promise<Download> {
    const started = this.page.waitForEvent('download');
    await trigger.click();
    return started;
  }

  /** Draws a sample audit of a period preset at a rate in percent; the worksheet opens. */
  async drawAudit(period: string, ratePercent: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New sample audit' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New sample audit' });
    await dialog.getByLabel('Period').selectOption({ label: period });
    await dialog.getByLabel('Sample rate (%)').fill(ratePercent);
    await dialog.getByRole('button', { name: 'Draw sample' }).click();
    await expect(this.page).toHaveURL(/\/reports\/audits\//);
  }
}
