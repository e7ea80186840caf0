import { expect, test, type Page } from '@playwright/test';
import { ConnectionsPage } from '../pages/ConnectionsPage';
import { FieldsPage } from '../pages/FieldsPage';
import { SandboxPage } from '../pages/SandboxPage';
import { ACME_SANDBOX, ACME_USERS, signIn, uniqueName } from '../support/data';

test('an admin adds a sandbox connection, syncs it and sees what the sync found', async ({ page }) => {
  await signIn(page, ACME_USERS.admin);
  const connections = new ConnectionsPage(page);
  await connections.goto();
  const name = uniqueName('E2E sandbox');
  const card = await connections.add({ name, provider: 'sandbox' });
  await expect(card).toContainText('Sandbox');

  // The sandbox syncs in well under a second. Answer the run's status polls a
  // little late (like a slow network) so the progress shown meanwhile stays on
  // screen long enough to be seen.
  await page.route('**/api/v1/sync-runs/*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  await connections.syncNow(name);
  await expect(connections.syncProgress(name)).toBeVisible();
  await expect(connections.liveSync(name)).toContainText(/Waiting to start…|Syncing/);

  // Then the summary: what is new, and how many fields wait for a decision.
  const summary = await connections.syncSummary(name);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await expect(connections.syncProgress(name)).toHaveCount(0);
  await expect(connections.status(name, 'ok')).toBeVisible();
  await expect(connections.fact(name, 'Fields')).toHaveText(/^[1-9][\d,]*$/);
  const fields = Number((await connections.fact(name, 'Fields').innerText()).replace(/,/g, ''));
  // The sync saw every field of the CRM (the card counts those not archived there).
  const seen = summary.new + summary.changed + summary.restored + summary.unchanged;
  expect(seen).toBeGreaterThanOrEqual(fields);
  expect(summary.archived).toBe(0);
  // Nobody has decided anything on a brand-new connection.
  expect(summary.needsDecision).toBe(fields);
  await expect(connections.fact(name, 'Decisions')).toHaveText(`${fields} need a decision`);

  // All of them came in as new: with the first sync (queued when the connection
  // was added), or with this one if it was still that run.
  const runs = await connections.recentRuns(name);
  await expect(runs.getByRole('row').filter({ hasText: `${seen} new · 0 changed` })).toHaveCount(1);
  await expect(runs.getByRole('row').filter({ hasText: 'succeeded' })).not.toHaveCount(0);
  await expect(runs.getByRole('row').filter({ hasText: 'failed' })).toHaveCount(0);

  // The decision count leads to exactly those fields in the catalog.
  await connections.liveSync(name).getByRole('link', { name: `${fields} fields need a sensitivity decision`, exact: true }).click();
  const catalog = new FieldsPage(page);
  await expect(page).toHaveURL(/\/fields\?.*needs_decision=true/);
  await catalog.expectSettled();
  await expect(catalog.connection.locator('option:checked')).toHaveText(name);
  await expect(catalog.needsDecision).toBeChecked();
  await expect(catalog.pager).toContainText(`of ${fields}`);
});

test('an admin bulk-edits ten undecided fields and each one’s policy history shows it', async ({ page }) => {
  await signIn(page, ACME_USERS.admin);
  const catalog = new FieldsPage(page);
  await catalog.goto();
  await catalog.filterConnection(ACME_SANDBOX);
  await catalog.filterNeedsDecision();
  await expect(catalog.rows.filter({ hasNot: page.getByText('Needs decision', { exact: true }) })).toHaveCount(0);

  const chosen = await catalog.firstRows(10);
  await catalog.select(chosen);
  const sensitivity = 'high';
  await catalog.bulkSensitivity.selectOption(sensitivity);
  await catalog.pickBulkTags('Add tags', ['pii']);
  await catalog.applyBulk(10);

  // Decided now, so they leave the "Needs decision" view.
  for (const f of chosen) await expect(catalog.row(f.label, f.object)).toHaveCount(0);

  // The tag filter finds all ten, now high and tagged pii.
  await catalog.filterNeedsDecision(false);
  await catalog.filterTag('pii');
  for (const f of chosen) {
    const row = catalog.row(f.label, f.object);
    await expect(row).not.toContainText('Needs decision');
    const now = await catalog.readRow(row);
    expect(now.sensitivity, `${f.object}.${f.label}`).toBe(sensitivity);
    expect(now.tags, `${f.object}.${f.label}`).toContain('pii');
    expect(now.mode, `${f.object}.${f.label}: mode kept`).toBe(f.mode);
  }

  // One of them (one whose sensitivity changed, if any) tells the story in its history.
  const probe = chosen.find((f) => f.sensitivity !== sensitivity) ?? chosen[0];
  const drawer = await catalog.openField(probe.label, probe.object);
  const latest = drawer.latestChange();
  await expect(latest).toContainText(ACME_USERS.admin);
  await expect(latest).toContainText('via bulk edit');
  if (probe.sensitivity !== sensitivity) {
    await expect(drawer.change(latest, 'sensitivity')).toHaveText(new RegExp(`^${probe.sensitivity}\\s*→\\s*changed to\\s*${sensitivity}$`));
  } else {
    await expect(drawer.change(latest, 'sensitivity')).toHaveCount(0);
  }
  const before = probe.tags.length ? [...probe.tags].sort().join(', ') : '(none)';
  const after = [...new Set([...probe.tags, 'pii'])].sort().join(', ');
  if (before !== after) {
    await expect(drawer.change(latest, 'tags')).toHaveText(new RegExp(`^${escapeRegExp(before)}\\s*→\\s*changed to\\s*${escapeRegExp(after)}$`));
  }
  await expect(drawer.change(latest, 'decided')).toHaveText(/^no\s*→\s*changed to\s*yes$/);
  // The earlier entry is the default the sync applied.
  await expect(drawer.historyEntries.last()).toContainText('via default at sync');
  // The editor holds the new policy.
  await expect(drawer.policyForm.getByLabel('Sensitivity', { exact: true })).toHaveValue(sensitivity);
  await expect(drawer.policyForm.getByRole('group', { name: 'Tags', exact: true }).getByRole('checkbox', { name: 'pii', exact: true })).toBeChecked();
});

test('a reviewer sees the catalog and the connections read-only', async ({ page }) => {
  await signIn(page, ACME_USERS.reviewer);
  const catalog = new FieldsPage(page);
  await catalog.goto();
  await expect(catalog.rows.first()).toBeVisible();
  await expect(catalog.selectAll).toHaveCount(0);
  await expect(catalog.table.getByRole('checkbox')).toHaveCount(0);
  await expect(catalog.bulkBar).toHaveCount(0);
  await expect(catalog.importButton).toHaveCount(0);

  // Filtering still works for them.
  await catalog.filterConnection(ACME_SANDBOX);
  await catalog.filterObject('deals');
  await expect(catalog.rows.filter({ hasNot: page.getByRole('cell', { name: 'deals', exact: true }) })).toHaveCount(0);

  // A field's drawer shows the policy as facts, without an editor.
  const [field] = await catalog.firstRows(1);
  const drawer = await catalog.openField(field.label, field.object);
  await expect(drawer.dialog.getByText('Confidence threshold', { exact: true })).toBeVisible();
  await expect(drawer.dialog.getByText('CRM metadata', { exact: true })).toBeVisible();
  await expect(drawer.saveButton).toHaveCount(0);
  await expect(drawer.policyForm).toHaveCount(0);
  await expect(drawer.dialog.getByRole('combobox')).toHaveCount(0);
  await expect(drawer.dialog.getByRole('checkbox')).toHaveCount(0);
  await drawer.close();

  const connections = new ConnectionsPage(page);
  await connections.tab.click();
  await expect(page).toHaveURL(/\/fields\/connections$/);
  await expect(connections.card(ACME_SANDBOX)).toBeVisible();
  await expect(connections.fact(ACME_SANDBOX, 'Fields')).toHaveText(/^[1-9]/);
  await expect(connections.addButton).toHaveCount(0);
  await expect(connections.addForm).toHaveCount(0);
  for (const action of ['Sync now', 'Test connection', 'Replace credentials', 'Edit settings']) {
    await expect(page.getByRole('button', { name: action, exact: true })).toHaveCount(0);
  }
  await expect(page.getByRole('link', { name: 'Open sandbox CRM', exact: true })).toHaveCount(0);
});

/** The HubSpot token the admin types; no page may show it (or its middle) again. */
const HUBSPOT_TOKEN = 'pat-na1-e2e-secret-token-9f3c';
const TOKEN_PART = 'e2e-secret-token';

/** The page shows the secret nowhere: not in its text, its markup or an input's value. */
async function expectNoSecret(page: Page): Promise<void> {
  await expect(page.locator('body')).not.toContainText(TOKEN_PART);
  expect(await page.content(), 'the page markup').not.toContain(TOKEN_PART);
  const values = await page.locator('input, textarea, select').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values.join('\n'), 'the values of inputs').not.toContain(TOKEN_PART);
}

test('an admin adds a HubSpot connection and its token is never shown again', async ({ page }) => {
  await signIn(page, ACME_USERS.admin);
  const connections = new ConnectionsPage(page);
  await connections.goto();

  // Everything the API answers from now on, for a leak the UI might not display.
  const leaks: string[] = [];
  const reads: Promise<void>[] = [];
  page.on('response', (r) => {
    if (!new URL(r.url()).pathname.startsWith('/api/')) return;
    reads.push(r.text().catch(() => '').then((body) => {
      if (body.includes(TOKEN_PART)) leaks.push(`${r.request().method()} ${r.url()}`);
    }));
  });

  const name = uniqueName('E2E HubSpot');
  // A closed local port fails at once, whatever the CI network does with calls to HubSpot.
  await connections.add({ name, provider: 'hubspot', baseUrl: 'http://127.0.0.1:9',
    credentials: { 'Private app access token': HUBSPOT_TOKEN } });
  const credentials = connections.fact(name, 'Credentials');
  await expect(credentials).toContainText('Private app access token');
  await expect(credentials).toContainText(/•+9f3c/);
  await expectNoSecret(page);

  // Its first sync cannot reach that address: it fails, without the token in the error.
  await expect(connections.status(name, 'error')).toBeVisible({ timeout: 25_000 });
  await expectNoSecret(page);

  // Testing the connection fails too, still without the token.
  await connections.button(name, 'Test connection').click();
  await expect(connections.card(name).getByText(/^Connection (failed|OK)/)).toBeVisible({ timeout: 25_000 });
  await expectNoSecret(page);

  // Replacing the credentials starts from empty inputs.
  await connections.button(name, 'Replace credentials').click();
  const replace = page.getByRole('form', { name: `Replace credentials of ${name}`, exact: true });
  await expect(replace.getByLabel('Private app access token', { exact: true })).toHaveValue('');
  await replace.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(replace).toHaveCount(0);

  // After a reload, only the mask.
  await page.reload();
  await expect(connections.card(name)).toBeVisible();
  await expect(connections.fact(name, 'Credentials')).toContainText(/•+9f3c/);
  await expectNoSecret(page);

  // Nor in the catalog, which names the connection.
  const catalog = new FieldsPage(page);
  await catalog.tab.click();
  await expect(catalog.connection.locator('option').filter({ hasText: name })).toHaveCount(1);
  await expectNoSecret(page);

  await Promise.all(reads);
  expect(leaks, 'API responses that contain the token').toEqual([]);
});

test('an admin edits a deal’s stage as a CRM user and the record history shows it', async ({ page }) => {
  await signIn(page, ACME_USERS.admin);
  const connections = new ConnectionsPage(page);
  await connections.goto();
  await connections.openSandbox(ACME_SANDBOX);
  const sandbox = new SandboxPage(page);
  await sandbox.expectConnection(ACME_SANDBOX);
  await sandbox.openObject('deals');
  await sandbox.openRecord('deals');

  // Move the deal to another stage than the one it is in.
  const stage = sandbox.input('Deal Stage');
  await expect(stage).toBeEnabled();
  const current = await stage.inputValue();
  const options = await stage
    .locator('option')
    .evaluateAll((els) => els.map((o) => ({ value: (o as HTMLOptionElement).value, label: (o.textContent ?? '').trim() })));
  const next = options.find((o) => o.value !== '' && o.value !== current && !o.label.endsWith('(not an option)'));
  expect(next, 'another stage to move to').toBeDefined();
  await stage.selectOption(next!.value);
  await sandbox.save(1);
  await expect(stage).toHaveValue(next!.value);

  // The newest history entry is this edit: the stage, its new value, by a human (the admin).
  const expectLatestIsThisEdit = async () => {
    const cells = sandbox.historyRows.first().getByRole('cell');
    await expect(cells.nth(0)).toContainText('Deal Stage');
    await expect(cells.nth(0)).toContainText('dealstage');
    await expect(cells.nth(1)).toContainText(next!.label);
    await expect(cells.nth(3)).toHaveText('human');
    await expect(cells.nth(4)).toHaveText(ACME_USERS.admin);
  };
  await expectLatestIsThisEdit();

  // The CRM kept it.
  await page.reload();
  await expect(sandbox.input('Deal Stage')).toHaveValue(next!.value);
  await expectLatestIsThisEdit();
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
