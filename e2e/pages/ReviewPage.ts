import { expect, type Locator, type Page } from '@playwright/test';

/** The reviewer's workbench at /review: held items, the current item, one-key decisions. */
export class ReviewPage {
  readonly heading: Locator;
  readonly items: Locator;
  readonly current: Locator;
  readonly undoBar: Locator;
  readonly notice: Locator;
  readonly rejectDialog: Locator;
  readonly editDialog: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Review queue', level: 1, exact: true });
    this.items = page.getByRole('list', { name: 'Your items, most urgent first' }).getByRole('listitem');
    this.current = page.getByRole('article');
    this.undoBar = page.getByRole('status').filter({ hasText: 'Undo (u)' });
    this.notice = page.getByRole('status').filter({ hasText: /Approval \d of \d|Escalated|Skipped/ });
    this.rejectDialog = page.getByRole('dialog', { name: 'Reject', exact: true });
    this.editDialog = page.getByRole('dialog', { name: 'Edit and approve', exact: true });
  }

  /** Opens one queue: what the reviewer holds of it, claiming its next items when they hold none. */
  async gotoQueue(queueId: string): Promise<void> {
    await this.page.goto(`/review?queue=${queueId}`);
    await expect(this.heading).toBeVisible();
    await expect(this.current).toBeVisible({ timeout: 15_000 });
  }

  /** The record the current item is about. */
  async currentRecord(): Promise<string> {
    const name = (await this.current.getAttribute('aria-label')) ?? '';
    const m = /on record (\S+)$/.exec(name);
    expect(m, `the current item names its record: "${name}"`).toBeTruthy();
    return m![1];
  }

  /** Presses a key on the page (not in a field) and waits for the current item to change or the list to shrink. */
  async press(key: string): Promise<void> {
    await this.page.locator('body').press(key);
  }
}
