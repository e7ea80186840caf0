import { expect, type Locator, type Page } from '@playwright/test';

export interface NewAgent {
  name: string;
  /** The connection's name, as the "Connection" select offers it. */
  connection: string;
  description?: string;
}

/** The agents list at /agents, with the admin's "New agent" form. */
export class AgentsPage {
  readonly heading: Locator;
  readonly newAgentButton: Locator;
  readonly form: Locator;
  readonly name: Locator;
  readonly connection: Locator;
  readonly description: Locator;
  readonly createButton: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Agents', level: 1, exact: true });
    this.newAgentButton = page.getByRole('button', { name: 'New agent', exact: true });
    this.form = page.getByRole('form', { name: 'New agent', exact: true });
    this.name = this.form.getByLabel('Name', { exact: true });
    this.connection = this.form.getByLabel('Connection', { exact: true });
    this.description = this.form.getByLabel('Description', { exact: true });
    this.createButton = this.form.getByRole('button', { name: 'Create agent', exact: true });
    this.table = page.getByRole('table', { name: 'Agents', exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto('/agents');
    await expect(this.heading).toBeVisible();
    // Either the list (with a "New agent" button) or, with no agents yet, the form itself.
    await expect(this.table.or(this.form)).toBeVisible();
  }

  /** Fills and submits the "New agent" form; the app then opens the new agent's page. */
  async create(agent: NewAgent): Promise<AgentPage> {
    if (!(await this.form.isVisible())) await this.newAgentButton.click();
    await expect(this.form).toBeVisible();
    await this.name.fill(agent.name);
    await this.connection.selectOption({ label: agent.connection });
    if (agent.description) await this.description.fill(agent.description);
    await this.createButton.click();
    await expect(this.page).toHaveURL(/\/agents\/[^/?#]+$/);
    const detail = new AgentPage(this.page, agent.name);
    await detail.expectLoaded();
    return detail;
  }

  /** The link (in the agents table) to an agent's page. */
  link(name: string): Locator {
    return this.table.getByRole('link', { name, exact: true });
  }

  async open(name: string): Promise<AgentPage> {
    await this.link(name).click();
    await expect(this.page).toHaveURL(/\/agents\/[^/?#]+$/);
    const detail = new AgentPage(this.page, name);
    await detail.expectLoaded();
    return detail;
  }
}

/** One agent's page at /agents/<id>: activity, API keys, scopes and settings. */
export class AgentPage {
  readonly heading: Locator;
  readonly keys: Locator;
  readonly createKeyButton: Locator;
  readonly createKeyDialog: Locator;
  readonly keyName: Locator;
  /** The one-time "API key created" dialog and its parts. */
  readonly secretDialog: Locator;
  readonly secretInput: Locator;
  readonly secretWarning: Locator;
  readonly doneButton: Locator;
  readonly keysTable: Locator;
  readonly keyRows: Locator;
  readonly proposalsLink: Locator;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    this.heading = page.getByRole('heading', { name, level: 1, exact: true });
    this.keys = page.getByRole('region', { name: 'API keys', exact: true });
    this.createKeyButton = this.keys.getByRole('button', { name: 'Create key', exact: true });
    this.createKeyDialog = page.getByRole('dialog', { name: `Create a key for ${name}`, exact: true });
    this.keyName = this.createKeyDialog.getByLabel('Key name (optional)', { exact: true });
    this.secretDialog = page.getByRole('dialog', { name: 'API key created', exact: true });
    this.secretInput = this.secretDialog.getByLabel('New API key', { exact: true });
    this.secretWarning = this.secretDialog.getByRole('alert');
    this.doneButton = this.secretDialog.getByRole('button', { name: 'Done', exact: true });
    this.keysTable = this.keys.getByRole('table', { name: 'API keys', exact: true });
    this.keyRows = this.keysTable.getByRole('row').filter({ has: page.getByRole('cell') });
    this.proposalsLink = page.getByRole('link', { name: 'View its proposals', exact: true });
  }

  async expectLoaded(): Promise<void> {
    await expect(this.heading).toBeVisible();
    await expect(this.keys).toBeVisible();
  }

  /** Opens "Create key", names the key and submits; leaves the one-time secret dialog open. */
  async startCreateKey(keyName = ''): Promise<void> {
    await this.createKeyButton.click();
    await expect(this.createKeyDialog).toBeVisible();
    if (keyName) await this.keyName.fill(keyName);
    await this.createKeyDialog.getByRole('button', { name: 'Create key', exact: true }).click();
    await expect(this.secretDialog).toBeVisible();
  }

  /** Adds a scope row for object.field (operation set) and saves the scopes. */
  async addScope(object: string, field: string): Promise<void> {
    const scopes = this.page.getByRole('list', { name: 'Scopes', exact: true });
    const before = await scopes.getByRole('listitem').count();
    await this.page.getByRole('button', { name: 'Add scope', exact: true }).click();
    const row = scopes.getByRole('listitem', { name: `Scope ${before + 1}`, exact: true });
    await row.getByLabel('Object', { exact: true }).fill(object);
    await row.getByLabel('Field', { exact: true }).fill(field);
    await this.page.getByRole('button', { name: 'Save scopes', exact: true }).click();
    await expect(this.page.getByText('Scopes saved.', { exact: true })).toBeVisible();
  }

  /** The key cell ("cs_agent_abc123…") of a key row. */
  keyCell(row: Locator): Locator {
    return row.getByRole('cell').nth(1);
  }
}
