import { expect, type Locator, type Page } from '@playwright/test';

/** The Rollouts page at /rollouts: rollouts, their stages, the guardrail, and reverting a canary's writes. */
export class RolloutsPage {
  readonly heading: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Rollouts' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/rollouts');
    await expect(this.heading).toBeVisible();
  }

  card(name: string): Locator {
    return this.page.getByRole('article', { name });
  }

  /** Creates a rollout for an agent and one field, with its guardrail; the history drawer it opens is closed. */
  async create(agent: string, name: string, field: string, thresholdPercent: string, minSample: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Create rollout' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Create rollout' });
    await dialog.getByLabel('Agent').selectOption({ label: agent });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('listbox', { name: 'Fields' }).selectOption(field);
    await dialog.getByLabel(/Guardrail threshold/).fill(thresholdPercent);
    await dialog.getByLabel(/Minimum sample/).fill(minSample);
    await dialog.getByRole('button', { name: 'Create rollout' }).click();
    await expect(dialog).toBeHidden();
    // the new rollout's history opens once it is created: wait for it before closing it (an Escape pressed before it
    // opened left it open over the page, and the next click waited behind it)
    const history = this.page.getByRole('dialog', { name: 'Rollout' });
    await expect(history.getByRole('heading', { name })).toBeVisible();
    await history.getByRole('button', { name: 'Close' }).click();
    await expect(history).toBeHidden();
    await expect(this.card(name)).toBeVisible();
  }

  /** Moves a rollout to a canary at a preset share, with a reason (off → canary skips shadow). */
  async startCanary(name: string, share: string, reason: string): Promise<void> {
    await this.card(name).getByRole('button', { name: 'Change stage…' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Change stage' });
    await dialog.getByLabel('Stage').selectOption('canary');
    await dialog.getByRole('button', { name: share, exact: true }).click();
    await dialog.getByLabel(/^Reason/).fill(reason);
    await dialog.getByRole('button', { name: `Move to canary at ${share}` }).click();
    await expect(dialog).toBeHidden();
  }
}
