import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ReportsPage } from '../pages/ReportsPage';
import { consoleApi } from '../support/consoleApi';
import { TestAgent, type AgentRecord } from '../support/agentApi';
import { ACME_SANDBOX, ACME_USERS, signIn, signInNewContext, signInTo, uniqueName } from '../support/data';

const text = (r: AgentRecord, f: string) => (typeof r.values[f] === 'string' ? (r.values[f] as string) : '');

test('compliance exports the month, downloads the file and its manifest, verifies them offline, and works a sample audit', async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(150_000);
  const bin = process.env.COUNTERSIGN_BIN || '../bin/countersign';

  // an agent's three stage moves are approved and applied this month
  const adminPage = await (await browser.newContext()).newPage();
  await signInTo(adminPage, ACME_USERS.admin, '/changelog');
  const api = await consoleApi(adminPage);
  const { connections } = await api<{ connections: { id: string; name: string }[] }>('GET', '/connections');
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX)!;
  const name = uniqueName('Audit bot');
  execFileSync(bin, ['agents', 'create', '--tenant', 'acme', '--name', name, '--connection', sandbox.id], { encoding: 'utf8' });
  const key = execFileSync(bin, ['agents', 'create-key', '--tenant', 'acme', '--agent', name, '--name', 'e2e'], { encoding: 'utf8' }).trim();
  const bot = await TestAgent.connect(playwright, baseURL!, key);
  const deals = (await bot.records('deals', ['dealstage'])).filter((d) => text(d, 'dealstage') !== 'closedlost').slice(0, 3);
  const proposed = await bot.propose(deals.map((d) => ({ object: 'deals', record_id: d.id, field: 'dealstage', expected_old: text(d, 'dealstage'),
    proposed: 'closedlost', confidence: 0.9, rationale: 'The buyer signed with a competitor' })));
  const ids = proposed.map((p) => (p as { id: string }).id);
  const rita = await signInNewContext(browser, ACME_USERS.reviewer);
  const reviewer = await consoleApi(rita.page);
  await expect.poll(async () => {
    const { items } = await reviewer<{ items: { id: string; proposal_id: string }[] }>('POST', '/review/claims', { count: 20 });
    for (const it of items.filter((i) => ids.includes(i.proposal_id))) await reviewer('POST', `/review/items/${it.id}/decisions`, { verdict: 'approve' });
    await reviewer('POST', '/review/claims/release', {});
    const statuses = await Promise.all(ids.map(async (id) => (await api<{ status: string }>('GET', `/proposals/${id}`)).status));
    return statuses.every((s) => s !== 'queued');
  }, { timeout: 30_000 }).toBe(true);
  await expect.poll(async () => {
    const statuses = await Promise.all(ids.map(async (id) => (await api<{ status: string }>('GET', `/proposals/${id}`)).status));
    return statuses.filter((s) => s === 'applied').length;
  }, { timeout: 60_000, intervals: [1000] }).toBe(3);

  // compliance exports this month as CSV and watches it finish
  await signIn(page, ACME_USERS.compliance);
  const reports = new ReportsPage(page);
  await reports.goto();
  await reports.startExport('CSV', 'This month');
  const row = reports.newestExport();
  await expect(row).toContainText('CSV');
  await expect(row.getByText('done')).toBeVisible({ timeout: 60_000 });
  const { items } = await (await consoleApi(page))<{ items: { id: string; rows: number; sha256: string }[] }>('GET', '/exports');
  const exported = items[0];
  expect(exported.rows).toBeGreaterThanOrEqual(3);
  await expect(row).toContainText(exported.sha256.slice(0, 8));

  // the file and its manifest download, and verify-export checks them offline
  const file = await reports.download(row.getByRole('link', { name: /^Download the CSV export/ }));
  const filePath = test.info().outputPath(file.suggestedFilename());
  await file.saveAs(filePath);
  expect(file.suggestedFilename()).toMatch(/^countersign-changes-\d{8}-\d{8}\.csv$/);
  await row.getByRole('button', { name: /^Manifest of the CSV export/ }).click();
  const drawer = page.getByRole('dialog', { name: 'Export manifest' });
  await expect(drawer).toContainText(exported.sha256);
  await expect(drawer).toContainText('countersign verify-export');
  await page.screenshot({ path: test.info().outputPath('export-manifest.png'), fullPage: true });
  const manifest = await reports.download(drawer.getByRole('link', { name: 'Download manifest' }));
  const manifestPath = test.info().outputPath('manifest.json');
  await manifest.saveAs(manifestPath);
  const publicKey = (await (await consoleApi(page))<{ public_key: string }>('GET', '/changes/public-key')).public_key;
  const keyPath = test.info().outputPath('public-key.txt');
  writeFileSync(keyPath, publicKey);
  const out = execFileSync(bin, ['verify-export', filePath, manifestPath, '--public-key', keyPath], { encoding: 'utf8', env: {} });
  expect(out.trim()).toBe(`verified ${exported.rows} rows`);
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();

  // a 2 % sample audit of the month: one change is found incorrect from the keyboard, the rest correct, and it closes
  await reports.drawAudit('This month', '2');
  await expect(page.getByRole('heading', { level: 1, name: /Sample audit/ })).toBeVisible();
  const sheet = page.getByRole('table', { name: 'Sampled changes of the audit' });
  const marks = sheet.getByRole('button', { name: /^Correct: change #/ });
  const sampled = await marks.count();
  expect(sampled).toBeGreaterThanOrEqual(1);
  await sheet.getByRole('row').nth(1).click();
  await page.keyboard.press('i');
  const note = sheet.getByRole('textbox', { name: /^Note on change #/ }).first();
  await expect(note).toBeFocused();
  await note.fill('The deal was still open in the CRM');
  await note.press('Enter');
  await expect(sheet.getByRole('row').nth(1)).toContainText('incorrect');
  for (let i = 1; i < sampled; i++) await marks.nth(i).click();
  await expect(page.getByText(`${sampled} of ${sampled} checked`)).toBeVisible();
  await page.getByRole('button', { name: 'Close audit' }).click();
  await expect(page.getByText('closed', { exact: true }).first()).toBeVisible();
  await expect(sheet.getByRole('button', { name: /^Correct: change #/ })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('audit-closed.png'), fullPage: true });
});
