import { expect, type Locator, type Page } from '@playwright/test';

/** The provider choices of the "Add connection" form, by their option labels. */
export const PROVIDERS = {
  sandbox: 'Sandbox (built-in demo CRM)',
  hubspot: 'HubSpot',
  salesforce: 'Salesforce',
  pipedrive: 'Pipedrive',
} as const;

export type ProviderName = keyof typeof PROVIDERS;

export interface NewConnection {
  name: string;
  provider: ProviderName;
  /** Credential inputs by their label, e.g. { 'Private app access token': '…' }. */
  credentials?: Record<string, string>;
  /** The optional API base URL. */
  baseUrl?: string;
}

/**
 * The summary a finished sync shows:
 * "12 new · 3 changed · 0 archived · 0 restored · 200 unchanged — 9 fields need a sensitivity decision".
 */
export const SYNC_SUMMARY =
  /(\d[\d,]*) new · (\d[\d,]*) changed · (\d[\d,]*) archived · (\d[\d,]*) restored · (\d[\d,]*) unchanged — (?:(\d[\d,]*) fields? needs? a sensitivity decision|every field has a decision)/;

export interface SyncSummary {
  new: number;
  changed: number;
  archived: number;
  restored: number;
  unchanged: number;
  needsDecision: number;
}

const toNumber = (s: string | undefined) => (s === undefined ? 0 : Number(s.replace(/,/g, '')));

/** Reads a sync summary line as numbers. */
export function parseSyncSummary(text: string): SyncSummary {
  const m = SYNC_SUMMARY.exec(text);
  if (!m) throw new Error(`not a sync summary: ${text}`);
  return {
    new: toNumber(m[1]),
    changed: toNumber(m[2]),
    archived: toNumber(m[3]),
    restored: toNumber(m[4]),
    unchanged: toNumber(m[5]),
    needsDecision: toNumber(m[6]),
  };
}

/** The Connections tab of the Fields page at /fields/connections. */
export class ConnectionsPage {
  readonly heading: Locator;
  readonly tab: Locator;
  readonly list: Locator;
  readonly addButton: Locator;
  readonly addForm: Locator;
  readonly addName: Locator;
  readonly addProvider: Locator;
  readonly saveButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Fields', level: 1, exact: true });
    this.tab = page.getByRole('navigation', { name: 'Fields sections', exact: true }).getByRole('link', { name: 'Connections', exact: true });
    this.list = page.getByRole('region', { name: 'Connections', exact: true });
    this.addButton = page.getByRole('button', { name: 'Add connection', exact: true });
    this.addForm = page.getByRole('form', { name: 'Add connection', exact: true });
    this.addName = this.addForm.getByLabel('Name', { exact: true });
    this.addProvider = this.addForm.getByLabel('Provider', { exact: true });
    this.saveButton = this.addForm.getByRole('button', { name: 'Save connection', exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto('/fields/connections');
    await expect(this.heading).toBeVisible();
    await expect(this.list).toBeVisible();
  }

  /** A connection's card, named by the connection. */
  card(name: string): Locator {
    return this.list.getByRole('article', { name, exact: true });
  }

  /** One fact of a card ("Fields", "Decisions", "Credentials", …): its value. */
  fact(name: string, label: string): Locator {
    return this.card(name)
      .locator('div:has(> dt)')
      .filter({ has: this.page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
      .locator('dd');
  }

  /** The status badge next to the provider: new, ok or error. */
  status(name: string, status: 'new' | 'ok' | 'error'): Locator {
    return this.card(name).locator('header').getByText(status, { exact: true });
  }

  /** The live sync of a card: progress while it runs, then its summary. */
  liveSync(name: string): Locator {
    return this.card(name).getByRole('status', { name: 'Sync', exact: true });
  }

  syncProgress(name: string): Locator {
    return this.card(name).getByRole('progressbar', { name: 'Sync progress', exact: true });
  }

  button(name: string, label: string): Locator {
    return this.card(name).getByRole('button', { name: label, exact: true });
  }

  /** Adds a connection through the "Add connection" form and waits for the confirmation. */
  async add(connection: NewConnection): Promise<Locator> {
    if (!(await this.addForm.isVisible())) await this.addButton.click();
    await expect(this.addForm).toBeVisible();
    await this.addName.fill(connection.name);
    await this.addProvider.selectOption({ label: PROVIDERS[connection.provider] });
    for (const [label, value] of Object.entries(connection.credentials ?? {})) {
      await this.addForm.getByLabel(label, { exact: true }).fill(value);
    }
    if (connection.baseUrl) await this.addForm.getByLabel('API base URL (optional)').fill(connection.baseUrl);
    await this.saveButton.click();
    await expect(this.page.getByRole('status').filter({ hasText: `Connection “${connection.name}” added.` })).toBeVisible();
    await expect(this.addForm).toHaveCount(0);
    const card = this.card(connection.name);
    await expect(card).toBeVisible();
    return card;
  }

  async syncNow(name: string): Promise<void> {
    await this.button(name, 'Sync now').click();
  }

  /** Waits for the card's live sync to end with a summary, and returns it as numbers. */
  async syncSummary(name: string, timeout = 20_000): Promise<SyncSummary> {
    const live = this.liveSync(name);
    await expect(live).toContainText(SYNC_SUMMARY, { timeout });
    return parseSyncSummary((await live.textContent()) ?? '');
  }

  /** The card's "Recent runs" table, opened. */
  async recentRuns(name: string): Promise<Locator> {
    const card = this.card(name);
    const toggle = card.getByRole('button', { name: 'Show recent runs', exact: true });
    if (await toggle.isVisible()) await toggle.click();
    const table = card.getByRole('table', { name: 'Recent runs', exact: true });
    await expect(table).toBeVisible();
    return table;
  }

  /** Opens the built-in sandbox CRM of a sandbox connection. */
  async openSandbox(name: string): Promise<void> {
    await this.card(name).getByRole('link', { name: 'Open sandbox CRM', exact: true }).click();
    await expect(this.page).toHaveURL(/\/fields\/connections\/[^/]+\/sandbox/);
  }
}
