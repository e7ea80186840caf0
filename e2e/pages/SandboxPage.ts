import { expect, type Locator, type Page } from '@playwright/test';

/** The built-in sandbox CRM of a connection at /fields/connections/<id>/sandbox. */
export class SandboxPage {
  readonly heading: Locator;
  readonly objects: Locator;
  readonly editor: Locator;
  readonly saveButton: Locator;
  readonly history: Locator;
  readonly historyRows: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: /^Sandbox CRM/ });
    this.objects = page.getByRole('navigation', { name: 'Objects', exact: true });
    this.editor = page.getByRole('form', { name: 'Record values', exact: true });
    this.saveButton = this.editor.getByRole('button', { name: 'Save as a CRM user', exact: true });
    this.history = page.getByRole('table', { name: 'Record history', exact: true });
    this.historyRows = this.history.getByRole('row').filter({ has: page.getByRole('cell') });
  }

  async expectConnection(name: string): Promise<void> {
    await expect(this.heading).toHaveText(`Sandbox CRM — ${name}`);
  }

  async openObject(object: string): Promise<void> {
    await this.objects.getByRole('link', { name: object, exact: true }).click();
    await expect(this.objects.getByRole('link', { name: object, exact: true })).toHaveAttribute('aria-current', 'page');
  }

  records(object: string): Locator {
    return this.page.getByRole('list', { name: `${object} records`, exact: true }).getByRole('link');
  }

  /** Opens the nth record of the object's list; returns its title as the list shows it. */
  async openRecord(object: string, index = 0): Promise<string> {
    const link = this.records(object).nth(index);
    await expect(link).toBeVisible();
    const title = (await link.locator('span').first().innerText()).trim();
    await link.click();
    await expect(link).toHaveAttribute('aria-current', 'true');
    await expect(this.page.getByRole('region', { name: title, exact: true })).toBeVisible();
    await expect(this.editor).toBeVisible();
    return title;
  }

  /** A value's input in the record editor, by the field's label. */
  input(label: string): Locator {
    return this.editor.getByLabel(label, { exact: true });
  }

  /** Saves the edited values and waits for the confirmation. */
  async save(values: number): Promise<void> {
    await this.saveButton.click();
    await expect(this.editor.getByRole('status')).toHaveText(`Saved ${values} ${values === 1 ? 'value' : 'values'} as a CRM user.`);
  }
}
