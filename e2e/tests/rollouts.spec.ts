import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { RolloutsPage } from '../pages/RolloutsPage';
import { consoleApi } from '../support/consoleApi';
import { TestAgent, type AgentRecord } from '../support/agentApi';
import { ACME_SANDBOX, ACME_USERS, signIn, uniqueName } from '../support/data';


const city = (r: AgentRecord) => (typeof r.values.city === 'string' ? r.values.city : '');

test('a canary auto-applies to its share of records, the guardrail halts it when people correct it, and its writes are reverted', async ({ page, playwright, baseURL }) => {
  test.setTimeout(240_000);
  await signIn(page, ACME_USERS.admin);
  const api = await consoleApi(page);
  const { connections } = await api<{ connections: { id: string; name: string }[] }>('GET', '/connections');
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX)!;
  const agentName = uniqueName('Canary bot');
  const bin = process.env.COUNTERSIGN_BIN || '../bin/countersign';
  const cli = { encoding: 'utf8' as const, timeout: 30_000 };
  execFileSync(bin, ['agents', 'create', '--tenant', 'acme', '--name', agentName, '--connection', sandbox.id], cli);
  const key = execFileSync(bin, ['agents', 'create-key', '--tenant', 'acme', '--agent', agentName, '--name', 'e2e'], cli).trim();
  const bot = await TestAgent.connect(playwright, baseURL!, key);

  // an admin creates the rollout and starts a half canary (skipping shadow, so with a reason)
  const rollouts = new RolloutsPage(page);
  const name = uniqueName('Company cities');
  const card = rollouts.card(name);
  await test.step('create a rollout and start a 50 % canary', async () => {
    await rollouts.goto();
    await rollouts.create(agentName, name, 'companies.city', '1', '2');
    await rollouts.startCanary(name, '50 %', 'The agent was right 99 % of the time in shadow');
    await expect(card.getByText('Canary · 50 % of records', { exact: true })).toBeVisible();
  });

  // the agent proposes city changes: records in the cohort are auto-applied, the rest wait for review
  // (read as the admin: the agent's own reads may withhold fields other tests re-tagged)
  const { records: page1 } = await api<{ records: AgentRecord[] }>('GET', `/sandbox/${sandbox.id}/records/companies?limit=40`);
  const companies = page1.filter((c) => city(c) !== '').slice(0, 16);
  expect(companies.length).toBeGreaterThanOrEqual(8);
  const results = await bot.propose(companies.map((c, i) => ({ object: 'companies', record_id: c.id, field: 'city', expected_old: city(c),
    proposed: `Canaryville ${i}`, confidence: 0.99, rationale: 'The registry lists a new head office', evidence: [{ url: `https://registry.example/${c.id}` }] })));
  const auto = results.flatMap((r, i) => ('status' in r && r.status === 'auto_approved' ? [{ id: r.id, company: companies[i] }] : []));
  const queued = results.filter((r) => 'status' in r && r.status === 'queued');
  expect(auto.length, 'records in the canary').toBeGreaterThanOrEqual(2);
  expect(queued.length, 'records in the control arm').toBeGreaterThanOrEqual(1);
  await test.step('the canary arm is applied', async () => {
    for (const a of auto) {
      await expect.poll(async () => (await api<{ status: string }>('GET', `/proposals/${a.id}`)).status, { timeout: 60_000, intervals: [1000] }).toBe('applied');
    }
  });
  const record = async (id: string) => (await api<{ values: Record<string, unknown> }>('GET', `/sandbox/${sandbox.id}/records/companies/${id}`)).values.city;
  expect(await record(auto[0].company.id)).toBe(`Canaryville ${companies.indexOf(auto[0].company)}`);

  // people correct two canary writes (rollbacks): the guardrail halts the rollout to shadow within its 30 s round
  await test.step('people roll back two canary writes', async () => {
    const { items } = await api<{ items: { id: string; proposal_id: string | null }[] }>('GET', `/changes?actor_kind=agent&field=city&limit=200`);
    for (const a of auto.slice(0, 2)) {
      const change = items.find((c) => c.proposal_id === a.id)!;
      await api('POST', `/changes/${change.id}/rollback`, { reason: 'wrong head office' });
    }
  });
  await test.step('the guardrail halts the rollout', async () => {
    await expect(async () => {
      await page.reload();
      await expect(card.getByText(/Halted to shadow by the guardrail/)).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 120_000, intervals: [5_000] });
    await expect(card.getByText('Shadow', { exact: true })).toBeVisible();
  });
  await page.screenshot({ path: test.info().outputPath('rollout-halted.png'), fullPage: true });

  // revert the canary's writes since it began: preview first, then the run, to the end
  await test.step('revert the canary writes since it began', async () => {
    await card.getByRole('button', { name: /Revert canary writes since/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Revert canary writes' });
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const remaining = auto.length - 2;
    await expect(dialog.getByText(new RegExp(`${remaining} changes? would be rolled back`))).toBeVisible();
    await page.screenshot({ path: test.info().outputPath('rollout-revert-preview.png') });
    await dialog.getByRole('button', { name: new RegExp(`Roll back ${remaining} changes?`) }).click();
    await expect(dialog.getByText(new RegExp(`Finished: ${remaining} rolled back, 0 conflicts`))).toBeVisible({ timeout: 60_000 });
  });
  for (const a of auto) {
    expect(await record(a.company.id), `company ${a.company.id}`).toBe(city(a.company));
  }
  // new proposals on canary records are reviewed now (shadow)
  const [again] = await bot.propose([{ object: 'companies', record_id: auto[0].company.id, field: 'city', expected_old: city(auto[0].company),
    proposed: 'Shadowville', confidence: 0.99, rationale: 'The registry lists a new head office', evidence: [{ url: 'https://registry.example/x' }] }]);
  expect('status' in again && again.status).toBe('queued');
  await bot.dispose();
});
