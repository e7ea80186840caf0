import { expect, type Locator, type Page } from '@playwright/test';

/** The column of a proposal row that shows its route and status badges (time·agent, record·field, old→new, confidence, route·status, flags). */
const ROUTE_STATUS_COLUMN = 4;

/** Every agent's proposals at /proposals: filters, table and the detail drawer. */
export class ProposalsPage {
  readonly heading: Locator;
  readonly filters: Locator;
  readonly agent: Locator;
  readonly table: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Proposals', level: 1, exact: true });
    this.filters = page.getByRole('search', { name: 'Filter proposals', exact: true });
    this.agent = this.filters.getByLabel('Agent', { exact: true });
    this.table = page.getByRole('table', { name: 'Proposals', exact: true });
    this.rows = this.table.getByRole('row').filter({ has: page.getByRole('cell') });
  }

  async goto(): Promise<void> {
    await this.page.goto('/proposals');
    await expect(this.heading).toBeVisible();
    await expect(this.filters).toBeVisible();
  }

  /** Narrows the list to one agent and waits until the table shows that agent's proposals. */
  async filterAgent(name: string): Promise<void> {
    await expect(this.agent.locator('option').filter({ hasText: name })).toHaveCount(1);
    const id = await this.agent.locator('option').filter({ hasText: name }).getAttribute('value');
    expect(id, `the Agent filter offers “${name}”`).toBeTruthy();
    const answered = this.page.waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/v1/proposals' && url.searchParams.get('agent_id') === id && r.request().method() === 'GET';
    });
    await this.agent.selectOption({ label: name });
    await answered;
    await expect(this.page).toHaveURL(new RegExp(`[?&]agent_id=${id}(&|$)`));
    await expect(this.agent.locator('option:checked')).toHaveText(name);
    await expect(this.table).toBeVisible();
    // The previous page stays on screen (dimmed) while the filtered one loads: wait for rows of this agent only.
    await expect(this.rows.filter({ hasNot: this.page.getByText(name, { exact: true }) })).toHaveCount(0);
  }

  /** The row of the proposal for this record field (the field under its record, e.g. "dealstage"). */
  row(field: string): Locator {
    return this.rows.filter({ has: this.page.getByText(field, { exact: true }) });
  }

  /** The route and status badges of a row, in that order (e.g. "review", "queued"). */
  routeAndStatus(row: Locator): Locator {
    return row.getByRole('cell').nth(ROUTE_STATUS_COLUMN).locator(':scope > span > span');
  }

  /** Opens a row's detail drawer through the link in its first cell. */
  async open(field: string): Promise<ProposalDrawer> {
    const row = this.row(field);
    await expect(row).toHaveCount(1);
    await row.getByRole('cell').first().getByRole('link').click();
    await expect(this.page).toHaveURL(/\/proposals\/[^/?#]+/);
    const drawer = new ProposalDrawer(this.page);
    await drawer.expectLoaded(field);
    return drawer;
  }
}

/** A proposal's detail drawer at /proposals/<id>. */
export class ProposalDrawer {
  readonly dialog: Locator;
  readonly route: Locator;
  readonly reasons: Locator;
  readonly flags: Locator;
  readonly history: Locator;
  readonly historyEntries: Locator;
  readonly closeButton: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog');
    this.route = this.dialog.getByRole('region', { name: 'Route', exact: true });
    this.reasons = this.route.getByRole('list', { name: 'Reasons', exact: true }).getByRole('listitem');
    this.flags = this.dialog.getByRole('region', { name: 'Flags', exact: true });
    this.history = this.dialog.getByRole('list', { name: 'Status history', exact: true });
    this.historyEntries = this.history.getByRole('listitem');
    this.closeButton = this.dialog.getByRole('button', { name: 'Close', exact: true });
  }

  /** The drawer is open on a proposal for this field ("<object> · <record> — <field>"). */
  async expectLoaded(field: string): Promise<void> {
    await expect(this.dialog).toHaveAccessibleName(new RegExp(` — ${field}$`));
    await expect(this.route).toBeVisible();
  }

  /** A flag of the "Flags" section, by its words ("email domain change"). */
  flag(words: string): Locator {
    return this.flags.getByRole('listitem').filter({ has: this.page.getByText(words, { exact: true }) });
  }

  async close(): Promise<void> {
    await this.closeButton.click();
    await expect(this.dialog).toHaveCount(0);
    await expect(this.page).toHaveURL(/\/proposals(\?|$)/);
  }
}
