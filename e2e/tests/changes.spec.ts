import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { ChangeLogPage } from '../pages/ChangeLogPage';
import { consoleApi } from '../support/consoleApi';
import { TestAgent, type AgentRecord } from '../support/agentApi';
import { ACME_SANDBOX, ACME_USERS, signInNewContext, signInTo, uniqueName } from '../support/data';


const text = (r: AgentRecord, f: string) => (typeof r.values[f] === 'string' ? (r.values[f] as string) : '');

interface Change { seq: number; id: string; record_id: string; before: unknown; after: unknown; actor_kind: string; reverts: number | null }

test('an approved change reaches the sandbox CRM, shows in the change log, and one click rolls it back', async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(120_000);
  await signInTo(page, ACME_USERS.admin, '/changelog');
  const api = await consoleApi(page);
  const { connections } = await api<{ connections: { id: string; name: string }[] }>('GET', '/connections');
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX)!;

  // an agent of nobody's (so the reviewer may approve it) proposes a stage move
  const name = uniqueName('Apply bot');
  const bin = process.env.COUNTERSIGN_BIN || '../bin/countersign';
  execFileSync(bin, ['agents', 'create', '--tenant', 'acme', '--name', name, '--connection', sandbox.id], { encoding: 'utf8' });
  const key = execFileSync(bin, ['agents', 'create-key', '--tenant', 'acme', '--agent', name, '--name', 'e2e'], { encoding: 'utf8' }).trim();
  const bot = await TestAgent.connect(playwright, baseURL!, key);
  const deal = (await bot.records('deals', ['dealstage'])).find((d) => text(d, 'dealstage') !== 'contractsent')!;
  const before = text(deal, 'dealstage');
  const [proposal] = await bot.propose([{ object: 'deals', record_id: deal.id, field: 'dealstage', expected_old: before, proposed: 'contractsent',
    confidence: 0.9, rationale: 'The contract went out' }]);
  const proposalId = (proposal as { id: string }).id;

  // the reviewer approves it
  const rita = await signInNewContext(browser, ACME_USERS.reviewer);
  const reviewer = await consoleApi(rita.page);
  let itemId = '';
  await expect.poll(async () => {
    const { items } = await reviewer<{ items: { id: string; proposal_id: string }[] }>('POST', '/review/claims', { count: 20 });
    itemId = items.find((i) => i.proposal_id === proposalId)?.id ?? '';
    return itemId;
  }).not.toBe('');
  await reviewer('POST', `/review/items/${itemId}/decisions`, { verdict: 'approve' });
  await reviewer('POST', '/review/claims/release', {});

  // once the undo window is over, the apply job writes it
  const record = async () => (await api<{ values: Record<string, unknown> }>('GET', `/sandbox/${sandbox.id}/records/deals/${deal.id}`)).values.dealstage;
  await expect.poll(async () => (await api<{ status: string }>('GET', `/proposals/${proposalId}`)).status, { timeout: 60_000, intervals: [1000] }).toBe('applied');
  expect(await record()).toBe('contractsent');

  // the change log shows it: before → after, an agent's change a human approved
  const { items } = await api<{ items: Change[] }>('GET', `/changes?record_id=${deal.id}&field=dealstage`);
  const change = items.find((c) => c.after === 'contractsent' && c.reverts === null)!;
  expect(change.actor_kind).toBe('collaborative');
  const log = new ChangeLogPage(rita.page);
  await log.gotoRecord(deal.id, 'dealstage');
  await expect(log.row(change.seq)).toContainText('contractsent');
  await expect(log.row(change.seq)).toContainText(name);
  await rita.page.screenshot({ path: test.info().outputPath('change-log.png'), fullPage: true });

  // one click (and a reason) rolls it back: the CRM holds the old value again
  await log.rollBack(change.seq, 'The deal was not ready');
  await expect(rita.page.getByText(new RegExp(`Change #${change.seq} rolled back`))).toBeVisible();
  await expect.poll(record).toBe(before);
  await expect(log.rows.filter({ hasText: `reverts #${change.seq}` })).toHaveCount(1);
  expect((await api<{ status: string }>('GET', `/proposals/${proposalId}`)).status).toBe('rolled_back');

  // the chain verifies
  await log.verifyButton.click();
  await expect(rita.page.getByText(/Verified \d+ events?/)).toBeVisible();
  await rita.page.screenshot({ path: test.info().outputPath('change-log-rolled-back.png'), fullPage: true });
});
