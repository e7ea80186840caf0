import { expect, test, type Page } from '@playwright/test';
import { AgentsPage } from '../pages/AgentsPage';
import { ProposalsPage } from '../pages/ProposalsPage';
import { AGENT_API, TestAgent, type AgentRecord, type ProposalItem, type ProposalResult } from '../support/agentApi';
import { ACME_SANDBOX, ACME_USERS, signIn, uniqueName } from '../support/data';

const KEY_PREFIX = 'cs_agent_';

/** The page shows the secret nowhere: not in its text, its markup or an input's value. */
async function expectNoSecret(page: Page, secret: string): Promise<void> {
  await expect(page.locator('body')).not.toContainText(secret);
  expect(await page.content(), 'the page markup').not.toContain(secret);
  const values = await page.locator('input, textarea, select').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(values.join('\n'), 'the values of inputs').not.toContain(secret);
}

const text = (r: AgentRecord, field: string) => (typeof r.values[field] === 'string' ? (r.values[field] as string) : '');

/** A result that is a stored proposal (not an item error). */
function stored(r: ProposalResult | undefined): Extract<ProposalResult, { id: string }> {
  expect(r?.error, 'the item was stored, not refused').toBeUndefined();
  expect(r?.id).toBeTruthy();
  return r as Extract<ProposalResult, { id: string }>;
}

test('an agent gets a key, its batch is routed by policy, the admin sees why and the agent hears back', async ({ page, playwright, baseURL }) => {
  // 1. The admin adds an agent and gives it a key, shown exactly once.
  await signIn(page, ACME_USERS.admin);
  const agents = new AgentsPage(page);
  await agents.goto();
  const name = uniqueName('E2E agent');
  await agents.create({ name, connection: ACME_SANDBOX, description: 'Enrichment bot driven by the e2e suite' });
  await agents.goto();
  await expect(agents.link(name)).toBeVisible();
  const agent = await agents.open(name);
  await expect(agent.keysTable).toHaveCount(0);
  await expect(agent.keys).toContainText('No keys yet');

  await agent.startCreateKey('e2e');
  await expect(agent.secretWarning).toHaveText('Copy it now: it will not be shown again');
  await expect(agent.secretInput).not.toBeEditable();
  const secret = await agent.secretInput.inputValue();
  expect(secret.startsWith(KEY_PREFIX), `the secret "${secret.slice(0, 12)}…" starts with ${KEY_PREFIX}`).toBe(true);
  expect(secret.length).toBeGreaterThan(KEY_PREFIX.length + 20);
  const prefix = secret.slice(0, KEY_PREFIX.length + 6);
  await expect(agent.secretDialog).toContainText(`${prefix}…`);
  await agent.doneButton.click();
  await expect(agent.secretDialog).toHaveCount(0);

  // Afterwards only its prefix is listed, now and after a reload.
  const expectOnlyPrefix = async () => {
    await expect(agent.keyRows).toHaveCount(1);
    await expect(agent.keyCell(agent.keyRows.first())).toHaveText(`${prefix}…`);
    await expect(agent.keyRows.first()).toContainText('active');
    await expectNoSecret(page, secret);
  };
  await expectOnlyPrefix();
  await page.reload();
  await agent.expectLoaded();
  await expectOnlyPrefix();

  // Personal data is read only by an agent whose scope names it: this one rewrites an email and reads consent.
  await agent.addScope('contacts', 'email');
  await agent.addScope('contacts', 'marketing_consent');

  // 2. The agent, with nothing but its key, reads the CRM through Countersign and proposes one batch.
  const bot = await TestAgent.connect(playwright, baseURL!, secret);
  try {
    const contacts = await bot.records('contacts', ['email', 'marketing_consent', 'utm_source']);
    const deals = await bot.records('deals', ['dealstage']);
    const stageOptions = (await bot.fields()).find((f) => f.object === 'deals' && f.name === 'dealstage')?.options.map((o) => o.value) ?? [];
    expect(stageOptions.length, 'deals.dealstage has options').toBeGreaterThan(1);

    const utmContact = contacts.find((c) => text(c, 'utm_source') !== '' && text(c, 'utm_source') !== 'linkedin');
    expect(utmContact, 'a contact with a UTM source').toBeDefined();
    const emailContact = contacts.find(
      (c) => c.id !== utmContact!.id && text(c, 'marketing_consent') === 'granted' && /^[^@\s]+@[^@\s]+$/.test(text(c, 'email')) && !text(c, 'email').endsWith('@gmail.com'),
    );
    expect(emailContact, 'a contact with consent granted and a work email').toBeDefined();
    const deal = deals.find((d) => stageOptions.includes(text(d, 'dealstage')));
    expect(deal, 'a deal in a known stage').toBeDefined();
    const fromStage = text(deal!, 'dealstage');
    const toStage = stageOptions.find((s) => s !== fromStage)!;
    const oldEmail = text(emailContact!, 'email');
    const newEmail = `${oldEmail.split('@')[0]}@gmail.com`;
    const oldDomain = oldEmail.split('@')[1].toLowerCase();

    const run = `e2e-${Date.now()}`;
    const batch: ProposalItem[] = [
      {
        object: 'contacts', record_id: utmContact!.id, field: 'utm_source', operation: 'set',
        expected_old: utmContact!.values.utm_source, proposed: 'linkedin', confidence: 0.99,
        rationale: 'The contact clicked a LinkedIn ad last week.', run_id: run,
      },
      {
        object: 'deals', record_id: deal!.id, field: 'dealstage', operation: 'set',
        expected_old: fromStage, proposed: toStage, confidence: 0.9,
        rationale: 'Meeting notes show the next step was agreed on the last call.',
        evidence: [{ url: 'https://calendar.example.com/event/88', title: 'Follow-up call' }], run_id: run,
      },
      {
        object: 'deals', record_id: deal!.id, field: 'dealstage', operation: 'set',
        expected_old: fromStage, proposed: 'won-ish', confidence: 0.7, rationale: 'Sounds like they are nearly there.', run_id: run,
      },
      {
        object: 'contacts', record_id: emailContact!.id, field: 'email', operation: 'set',
        expected_old: oldEmail, proposed: newEmail, confidence: 0.97,
        rationale: 'Bounce from the work address; a personal address appears in the signature.', run_id: run,
      },
    ];
    const results = await bot.propose(batch);
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3]);

    // The UTM overwrite is blocked, for attribution.
    const utm = stored(results[0]);
    expect([utm.route, utm.status]).toEqual(['blocked', 'blocked']);
    expect(utm.reasons.join('\n')).toMatch(/attribution/);
    // The stage move waits for a reviewer.
    const stage = stored(results[1]);
    expect([stage.route, stage.status]).toEqual(['review', 'queued']);
    // The made-up stage is refused, naming the item's field; nothing is stored for it.
    expect(results[2].id).toBeUndefined();
    expect(results[2].error).toMatchObject({ code: 'invalid_value', field: 'proposals[2].proposed' });
    expect(results[2].error!.message).toContain('won-ish');
    // The email-domain change goes to review, and says why.
    const email = stored(results[3]);
    expect([email.route, email.status]).toEqual(['review', 'queued']);
    const domainReason = `Email domain of contacts.email would change from ${oldDomain} to gmail.com`;
    expect(email.reasons).toContain(domainReason);

    // 3. The admin sees the three stored proposals of this agent, each with its route — not the refused one.
    const proposals = new ProposalsPage(page);
    await proposals.goto();
    await proposals.filterAgent(name);
    await expect(proposals.rows).toHaveCount(3);
    await expect(proposals.routeAndStatus(proposals.row('utm_source'))).toHaveText(['blocked', 'blocked']);
    await expect(proposals.row('dealstage')).toHaveCount(1);
    await expect(proposals.routeAndStatus(proposals.row('dealstage'))).toHaveText(['review', 'queued']);
    await expect(proposals.row('dealstage')).toContainText(toStage);
    await expect(proposals.routeAndStatus(proposals.row('email'))).toHaveText(['review', 'queued']);
    await expect(proposals.table).not.toContainText('won-ish');

    // The email-domain change: every reason, the flag, and how it got where it is.
    let drawer = await proposals.open('email');
    await expect(drawer.dialog).toHaveAccessibleName(`contacts · ${emailContact!.id} — email`);
    await expect(drawer.route).toContainText('review');
    await expect(drawer.reasons).toHaveText(email.reasons);
    await expect(drawer.reasons.filter({ hasText: domainReason })).toHaveCount(1);
    await expect(drawer.flag('email domain change')).toContainText(domainReason);
    await expect(drawer.historyEntries).toHaveCount(1);
    await expect(drawer.historyEntries.first()).toContainText(/received\s*→\s*queued/);
    await drawer.close();
    await expect(proposals.rows).toHaveCount(3);

    // The blocked UTM overwrite: its attribution reason.
    drawer = await proposals.open('utm_source');
    await expect(drawer.route).toContainText('blocked');
    await expect(drawer.reasons).toHaveText(utm.reasons);
    await expect(drawer.reasons.filter({ hasText: /Field contacts\.utm_source is blocked for agents: .*attribution/ })).toHaveCount(1);
    await expect(drawer.historyEntries.first()).toContainText(/received\s*→\s*blocked/);
    await drawer.close();

    // 4. The agent reads its feedback: the UTM proposal was blocked, with the same reasons.
    const feedback = await bot.feedback();
    const blocked = feedback.filter((e) => e.proposal_id === utm.id);
    expect(blocked.map((e) => e.outcome)).toEqual(['blocked']);
    expect(blocked[0].detail.reasons).toEqual(utm.reasons);
    // Nobody has decided the other two yet.
    expect(feedback.filter((e) => e.proposal_id === stage.id || e.proposal_id === email.id)).toEqual([]);
  } finally {
    await bot.dispose();
  }
});

test('a viewer has no proposals: no navigation entry and a no-access page', async ({ page }) => {
  const shell = await signIn(page, ACME_USERS.viewer);
  await shell.expectRoleNav('viewer');
  await expect(shell.nav.getByRole('link', { name: 'Proposals', exact: true })).toHaveCount(0);

  await page.goto('/proposals');
  await expect(page.getByRole('heading', { name: /don.t have access/i })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Proposals', level: 1, exact: true })).toHaveCount(0);
  await expect(page.getByRole('table')).toHaveCount(0);
  await expect(page.getByRole('search', { name: 'Filter proposals' })).toHaveCount(0);
});

test('the agent API refuses a wrong key with a 401 problem', async ({ playwright, baseURL }) => {
  const wrong = await TestAgent.connect(playwright, baseURL!, `${KEY_PREFIX}${'x'.repeat(40)}`);
  try {
    for (const path of ['/fields', '/records/contacts?limit=1', '/feedback']) {
      const res = await wrong.request.get(`${AGENT_API}${path}`);
      expect(res.status(), path).toBe(401);
      expect(res.headers()['content-type'], path).toContain('application/problem+json');
      const problem = (await res.json()) as { code?: string; status?: number; detail?: string };
      expect(problem, path).toMatchObject({ code: 'invalid_key', status: 401 });
      // It tells the agent how to authenticate, and nothing about the tenant's data.
      expect(problem.detail).toContain('Authorization: Bearer');
    }
    const post = await wrong.request.post(`${AGENT_API}/proposals`, {
      data: { proposals: [{ object: 'contacts', record_id: '1', field: 'utm_source', proposed: 'x', confidence: 1 }] },
    });
    expect(post.status()).toBe(401);
    expect(post.headers()['content-type']).toContain('application/problem+json');
  } finally {
    await wrong.dispose();
  }
});
