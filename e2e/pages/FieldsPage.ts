import { expect, type Locator, type Page } from '@playwright/test';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A catalog row as the table shows it. */
export interface FieldRow {
  object: string;
  /** The field's label (its link), e.g. "Deal Stage". */
  label: string;
  sensitivity: string;
  mode: string;
  /** The policy's tags, in the table's order. */
  tags: string[];
}

/** The Catalog tab of the Fields page at /fields: filters, table, bulk bar and field drawer. */
export class FieldsPage {
  readonly heading: Locator;
  readonly tab: Locator;
  readonly filters: Locator;
  readonly search: Locator;
  readonly connection: Locator;
  readonly object: Locator;
  readonly sensitivity: Locator;
  readonly mode: Locator;
  readonly tag: Locator;
  readonly crmSensitivity: Locator;
  readonly needsDecision: Locator;
  readonly showArchived: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly pager: Locator;
  readonly selectAll: Locator;
  readonly bulkBar: Locator;
  readonly bulkSensitivity: Locator;
  readonly bulkMode: Locator;
  readonly bulkConfirm: Locator;
  readonly importButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Fields', level: 1, exact: true });
    this.tab = page.getByRole('navigation', { name: 'Fields sections', exact: true }).getByRole('link', { name: 'Catalog', exact: true });
    this.filters = page.getByRole('search', { name: 'Filter fields', exact: true });
    this.search = this.filters.getByLabel('Search fields', { exact: true });
    this.connection = this.filters.getByLabel('Connection', { exact: true });
    this.object = this.filters.getByLabel('Object', { exact: true });
    this.sensitivity = this.filters.getByLabel('Sensitivity', { exact: true });
    this.mode = this.filters.getByLabel('Mode', { exact: true });
    this.tag = this.filters.getByLabel('Tag', { exact: true });
    this.crmSensitivity = this.filters.getByLabel('CRM sensitivity', { exact: true });
    this.needsDecision = this.filters.getByRole('checkbox', { name: 'Needs decision', exact: true });
    this.showArchived = this.filters.getByRole('checkbox', { name: 'Show archived', exact: true });
    this.table = page.getByRole('table', { name: 'Field catalog', exact: true });
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('cell') });
    this.pager = page.getByRole('navigation', { name: 'Pages', exact: true });
    this.selectAll = this.table.getByRole('checkbox', { name: 'Select all fields on this page', exact: true });
    this.bulkBar = page.getByRole('form', { name: 'Bulk edit', exact: true });
    this.bulkSensitivity = this.bulkBar.getByLabel('Sensitivity', { exact: true });
    this.bulkMode = this.bulkBar.getByLabel('Mode', { exact: true });
    this.bulkConfirm = this.bulkBar.getByRole('checkbox', { name: 'Mark as decided', exact: true });
    this.importButton = page.getByRole('button', { name: 'Import YAML', exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto('/fields');
    await expect(this.heading).toBeVisible();
    await this.expectSettled();
  }

  /** The table is on screen and holds the current view's data (not the previous one's). */
  async expectSettled(): Promise<void> {
    await expect(this.table).toBeVisible({ timeout: 10_000 });
    await expect(this.pager).toContainText(/Showing \d/);
    await expect(this.pager).not.toContainText('Loading…');
  }

  /**
   * Changes a filter and waits until the table shows its result: the URL carries the
   * parameter and the catalog answered for it.
   */
  private async applyFilter(param: string, value: string | null, change: () => Promise<void>): Promise<void> {
    const answered = this.page.waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/v1/fields' && url.searchParams.get(param) === value && r.request().method() === 'GET';
    });
    await change();
    await answered;
    await this.expectSettled();
  }

  async filterConnection(name: string): Promise<void> {
    const id = await this.connection.locator('option').filter({ hasText: new RegExp(`^${escapeRegExp(name)}$`) }).getAttribute('value');
    expect(id, `the Connection filter offers “${name}”`).toBeTruthy();
    await this.applyFilter('connection_id', id, () => this.connection.selectOption({ label: name }).then(() => undefined));
  }

  async filterObject(object: string): Promise<void> {
    await this.applyFilter('object', object, () => this.object.fill(object));
  }

  async filterTag(tag: string): Promise<void> {
    await this.applyFilter('tag', tag, () => this.tag.selectOption(tag).then(() => undefined));
  }

  async filterSensitivity(sensitivity: string): Promise<void> {
    await this.applyFilter('sensitivity', sensitivity, () => this.sensitivity.selectOption(sensitivity).then(() => undefined));
  }

  async filterNeedsDecision(on = true): Promise<void> {
    // The box reflects the URL, which updates a moment after the click: click, then check.
    if ((await this.needsDecision.isChecked()) === on) return;
    await this.applyFilter('needs_decision', on ? 'true' : null, () => this.needsDecision.click());
    if (on) await expect(this.needsDecision).toBeChecked();
    else await expect(this.needsDecision).not.toBeChecked();
  }

  /** A row of the table, by the field's label and object. */
  row(label: string, object: string): Locator {
    return this.rows
      .filter({ has: this.page.getByRole('link', { name: label, exact: true }) })
      .filter({ has: this.page.getByRole('cell', { name: object, exact: true }) });
  }

  rowCheckbox(label: string, object: string): Locator {
    return this.table.getByRole('checkbox', { name: `Select ${label} (${object})`, exact: true });
  }

  /** The first `n` rows of the table, as text. */
  async firstRows(n: number): Promise<FieldRow[]> {
    await expect(this.rows.nth(n - 1)).toBeVisible();
    const out: FieldRow[] = [];
    for (let i = 0; i < n; i++) out.push(await this.readRow(this.rows.nth(i)));
    return out;
  }

  /** One row of the table, as text. */
  async readRow(row: Locator): Promise<FieldRow> {
    await expect(row).toHaveCount(1);
    // Admins see a selection checkbox as the first cell.
    const offset = (await row.getByRole('checkbox').count()) > 0 ? 1 : 0;
    const cell = (column: number) => row.getByRole('cell').nth(column + offset);
    const text = async (column: number) => (await cell(column).innerText()).trim();
    return {
      object: await text(0),
      label: (await cell(1).getByRole('link').innerText()).trim(),
      sensitivity: await text(4),
      mode: await text(5),
      tags: (await cell(6).locator('span span').allInnerTexts()).map((t) => t.trim()),
    };
  }

  async select(fields: readonly Pick<FieldRow, 'label' | 'object'>[]): Promise<void> {
    for (const f of fields) await this.rowCheckbox(f.label, f.object).check();
    await expect(this.bulkBar).toBeVisible();
    await expect(this.bulkBar).toContainText(`${fields.length} selected`);
  }

  /** Ticks tags in one of the bulk bar's tag pickers ("Add tags" or "Remove tags"). */
  async pickBulkTags(picker: 'Add tags' | 'Remove tags', tags: readonly string[]): Promise<void> {
    await this.bulkBar.getByRole('button', { name: picker, exact: true }).click();
    const group = this.bulkBar.getByRole('group', { name: picker, exact: true });
    await expect(group).toBeVisible();
    for (const t of tags) await group.getByRole('checkbox', { name: t, exact: true }).check();
    await this.bulkBar.getByRole('button', { name: 'Done', exact: true }).click();
    await expect(this.bulkBar.getByRole('button', { name: `${picker}: ${tags.join(', ')}`, exact: true })).toBeVisible();
  }

  /** Presses "Apply to N fields" and waits for the notice. */
  async applyBulk(count: number): Promise<void> {
    await this.bulkBar.getByRole('button', { name: `Apply to ${count} ${count === 1 ? 'field' : 'fields'}`, exact: true }).click();
    await expect(this.notice(`Updated ${count} ${count === 1 ? 'field' : 'fields'}`)).toBeVisible();
    await expect(this.bulkBar).toHaveCount(0);
  }

  /** A success notice of the catalog. */
  notice(text: string): Locator {
    return this.page.getByRole('status').filter({ hasText: text });
  }

  /** Opens a field's drawer from its row; returns the drawer (a dialog named after the field). */
  async openField(label: string, object: string): Promise<FieldDrawer> {
    await this.row(label, object).getByRole('link', { name: label, exact: true }).click();
    const drawer = new FieldDrawer(this.page, label);
    await expect(drawer.dialog).toBeVisible();
    await expect(drawer.dialog).toContainText(`${object} ·`);
    await expect(drawer.policyHistory.or(drawer.dialog.getByText('No policy changes yet.'))).toBeVisible();
    return drawer;
  }
}

/** The field drawer: policy, CRM metadata, policy and definition histories. */
export class FieldDrawer {
  readonly dialog: Locator;
  readonly policyForm: Locator;
  readonly saveButton: Locator;
  readonly policyHistory: Locator;
  readonly historyEntries: Locator;
  readonly closeButton: Locator;

  constructor(readonly page: Page, readonly label: string) {
    this.dialog = page.getByRole('dialog', { name: label, exact: true });
    this.policyForm = this.dialog.getByRole('form', { name: 'Policy', exact: true });
    this.saveButton = this.dialog.getByRole('button', { name: 'Save policy', exact: true });
    this.policyHistory = this.dialog.getByRole('list', { name: 'Policy history', exact: true });
    this.historyEntries = this.policyHistory.getByRole('listitem');
    this.closeButton = this.dialog.getByRole('button', { name: 'Close', exact: true });
  }

  /** The newest entry of the policy history. */
  latestChange(): Locator {
    return this.historyEntries.first();
  }

  /**
   * One attribute of a history entry, e.g. "sensitivity": its value reads
   * "<before> → <after>" (the arrow is visual; screen readers hear "changed to").
   */
  change(entry: Locator, attribute: string): Locator {
    return entry
      .locator('div:has(> dt)')
      .filter({ has: this.page.locator('dt', { hasText: new RegExp(`^${escapeRegExp(attribute)}:$`) }) })
      .locator('dd');
  }

  async close(): Promise<void> {
    await this.closeButton.click();
    await expect(this.dialog).toHaveCount(0);
  }
}
