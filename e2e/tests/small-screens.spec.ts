import { expect, test, type Page } from '@playwright/test';
import { TestAgent } from '../support/agentApi';
import { ACME_SANDBOX, ACME_USERS, signIn, uniqueName } from '../support/data';

// The Proposals page is used on a laptop (1280 px) and on a phone (390 px):
// nothing may make the page scroll sideways, and a proposal's detail opens.
// The test brings its own agent and proposals, so it does not depend on
// which specs ran before it.

async function seedProposals(page: Page, playwright: Parameters<typeof TestAgent.connect>[0], baseURL: string): Promise<string> {
  const { csrf_token: csrf } = (await (await page.request.get('/api/v1/session')).json()) as { csrf_token: string };
  const headers = { 'X-CSRF-Token': csrf };
  // other specs may have added connections: name the sandbox
  const { connections } = (await (await page.request.get('/api/v1/connections')).json()) as { connections: { id: string; name: string }[] };
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX);
  expect(sandbox, `the tenant has the connection ${ACME_SANDBOX}`).toBeDefined();
  const created = await page.request.post('/api/v1/agents', { data: { name: uniqueName('Small screens'), connection_id: sandbox!.id }, headers });
  expect(created.status(), await created.text()).toBe(201);
  const agent = (await created.json()) as { id: string };
  const key = await page.request.post(`/api/v1/agents/${agent.id}/keys`, { data: { name: 'e2e' }, headers });
  expect(key.status(), await key.text()).toBe(201);
  const bot = await TestAgent.connect(playwright, baseURL, ((await key.json()) as { secret: string }).secret);
  try {
    const deals = await bot.records('deals', ['dealname'], 3);
    const results = await bot.propose(
      deals.map((d, i) => ({
        object: 'deals', record_id: d.id, field: 'dealname', operation: 'set' as const, expected_old: d.values.dealname ?? null,
        proposed: `A rather long renamed deal that would stretch a narrow column ${i}`, confidence: 0.8,
        rationale: 'The account team renamed the opportunity after the kickoff call, as the meeting notes say.',
      })),
    );
    expect(results.every((r) => 'id' in r), JSON.stringify(results)).toBe(true);
  } finally {
    await bot.dispose();
  }
  return agent.id;
}

for (const { width, height } of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
  test(`proposals fit a ${width} px screen and open their detail`, async ({ page, playwright, baseURL }, testInfo) => {
    await signIn(page, ACME_USERS.admin); // at the default size, where the navigation is a sidebar
    const agentId = await seedProposals(page, playwright, baseURL!);
    await page.setViewportSize({ width, height });

    await page.goto(`/proposals?agent_id=${agentId}`);
    await expect(page.getByText(/Showing 1–3 of 3/)).toBeVisible();
    const sideways = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
    expect(sideways, 'the page scrolls sideways by this many pixels').toBeLessThanOrEqual(0);
    await page.screenshot({ path: testInfo.outputPath(`proposals-${width}.png`), fullPage: true });

    // the first proposal's detail: a row's link on a laptop, the whole card on a phone
    const open = width < 768 ? page.getByRole('list', { name: 'Proposals' }).getByRole('link').first() : page.getByRole('row').nth(1).getByRole('link').first();
    await open.click();
    const detail = page.getByRole('dialog');
    await expect(detail).toBeVisible();
    await expect(detail).toContainText('The account team renamed the opportunity');
    await page.screenshot({ path: testInfo.outputPath(`proposal-detail-${width}.png`) });

    if (width < 768) {
      // the navigation folds into a menu that opens and leads somewhere
      await page.keyboard.press('Escape');
      await expect(detail).toBeHidden();
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Fields' }).click();
      await expect(page).toHaveURL(/\/fields/);
    }
  });
}
