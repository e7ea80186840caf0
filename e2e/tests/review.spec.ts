import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { ReviewPage } from '../pages/ReviewPage';
import { TestAgent, type AgentRecord, type ProposalResult } from '../support/agentApi';
import { LoginPage } from '../pages/LoginPage';
import { ACME_SANDBOX, ACME_USERS, DEMO_PASSWORD, inviteAndAccept, signIn, signInNewContext, uniqueName } from '../support/data';

/** Console API calls as the signed-in user of page (with its CSRF token). */
async function consoleApi(page: Page) {
  const { csrf_token: csrf } = (await (await page.request.get('/api/v1/session')).json()) as { csrf_token: string };
  return async <T>(method: string, path: string, data?: unknown): Promise<T> => {
    const res = await page.request.fetch(`/api/v1${path}`, { method, data, headers: { 'X-CSRF-Token': csrf } });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  };
}

/**
 * An agent created from the CLI, as scripts do: it belongs to no member, so
 * every reviewer (and the admin) may approve its proposals.
 */
function cliAgent(name: string, connectionId: string): string {
  const bin = process.env.COUNTERSIGN_BIN || '../bin/countersign';
  execFileSync(bin, ['agents', 'create', '--tenant', 'acme', '--name', name, '--connection', connectionId], { encoding: 'utf8' });
  return execFileSync(bin, ['agents', 'create-key', '--tenant', 'acme', '--agent', name, '--name', 'e2e'], { encoding: 'utf8' }).trim();
}

const text = (r: AgentRecord, f: string) => (typeof r.values[f] === 'string' ? (r.values[f] as string) : '');

interface Queue { id: string; name: string }

test('a reviewer triages from the keyboard: approve, undo, edit, reject with a reason, escalate; two reviewers approve a two-person change', async ({ page, browser, playwright, baseURL }) => {
  test.setTimeout(90_000);
  // Set-up as the admin: an agent, a queue of its own (first in match order), and a two-person field.
  await signIn(page, ACME_USERS.admin);
  const api = await consoleApi(page);
  const { connections } = await api<{ connections: { id: string; name: string }[] }>('GET', '/connections');
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX)!;
  const name = uniqueName('Review bot');
  const key = cliAgent(name, sandbox.id);
  const { agents } = await api<{ agents: { id: string; name: string }[] }>('GET', '/agents');
  const agentId = agents.find((a) => a.name === name)!.id;
  const { queues } = await api<{ queues: Queue[] }>('GET', '/review/queues');
  const escalations = queues.find((q) => q.name === 'Escalations')!;
  const queue = await api<Queue>('POST', '/review/queues', {
    name: uniqueName('E2E'), position: 1, allowed_roles: ['admin', 'reviewer'], match: { agents: [agentId] }, escalate_to: escalations.id,
  });
  const { fields } = await api<{ fields: { id: string; name: string }[] }>('GET', `/fields?connection_id=${sandbox.id}&object=deals&q=dealname`);
  await api('PUT', `/fields/${fields.find((f) => f.name === 'dealname')!.id}/policy`, { sensitivity: 'low', mode: 'two_person', tags: [] });

  // The agent proposes four stage moves and one renamed deal.
  const bot = await TestAgent.connect(playwright, baseURL!, key);
  const deals = (await bot.records('deals', ['dealstage', 'dealname'])).filter((d) => text(d, 'dealstage') !== 'contractsent').slice(0, 5);
  expect(deals.length).toBe(5);
  const results: ProposalResult[] = await bot.propose([
    ...deals.slice(0, 4).map((d) => ({ object: 'deals', record_id: d.id, field: 'dealstage', expected_old: text(d, 'dealstage'), proposed: 'contractsent', confidence: 0.9, rationale: 'Contract sent' })),
    { object: 'deals', record_id: deals[4].id, field: 'dealname', expected_old: text(deals[4], 'dealname'), proposed: `${text(deals[4], 'dealname')} (renewal)`, confidence: 0.9 },
  ]);
  expect(results.map((r) => r.error?.message ?? (r as { status: string }).status)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);

  // The reviewer opens the queue: its five items are claimed, the stage moves first (a shorter SLA).
  const rita = await signInNewContext(browser, ACME_USERS.reviewer);
  const review = new ReviewPage(rita.page);
  await review.gotoQueue(queue.id);
  await expect(review.items).toHaveCount(5);
  await expect(review.current).toContainText('deals.dealstage');
  await expect(review.current).toContainText('CRM now');

  // a approves; u takes it back within 10 seconds; a again.
  const first = await review.currentRecord();
  await review.press('a');
  await expect(review.undoBar).toContainText(`Approved: deals.dealstage on ${first}`);
  await expect(review.items).toHaveCount(4);
  await review.press('u');
  await expect(review.items).toHaveCount(5);
  expect(await review.currentRecord()).toBe(first);
  await review.press('a');
  await expect(review.items).toHaveCount(4);

  // e edits the value (the options of the field, by keyboard) and approves.
  await review.press('e');
  await expect(review.editDialog).toBeVisible();
  await rita.page.keyboard.press('ArrowDown');
  await rita.page.keyboard.press('Tab');
  await rita.page.keyboard.press('Enter');
  await expect(review.editDialog).toHaveCount(0);
  await expect(review.undoBar).toContainText('Edited: deals.dealstage');
  await expect(review.items).toHaveCount(3);

  // r then 3 rejects with the third reason (weak evidence).
  await review.press('r');
  await expect(review.rejectDialog).toContainText('Weak evidence');
  await rita.page.keyboard.press('3');
  await expect(review.undoBar).toContainText('Rejected: deals.dealstage');
  await expect(review.items).toHaveCount(2);

  // g escalates the last stage move to the admins' escalation queue.
  const escalated = await review.currentRecord();
  await review.press('g');
  await expect(review.notice).toContainText(`Escalated deals.dealstage on ${escalated}`);
  await expect(review.items).toHaveCount(1);

  // The renamed deal needs two approvers: Rita's is the first.
  await expect(review.current).toContainText('two-person: 0 of 2 approvals');
  await review.press('a');
  await expect(review.notice).toContainText('Approval 1 of 2 recorded');
  await rita.context.close();

  // A second reviewer, new to the team, gives the second approval.
  const second = await inviteAndAccept(browser, page, ['reviewer'], 'second-reviewer');
  const review2 = new ReviewPage(second.page);
  await review2.gotoQueue(queue.id);
  await expect(review2.items).toHaveCount(1);
  await expect(review2.current).toContainText('two-person: 1 of 2 approvals');
  await review2.press('a');
  await expect(review2.undoBar).toContainText('Approved: deals.dealname');
  await second.context.close();

  // The admin finds the escalated item in Escalations, marked escalated.
  const admin = new ReviewPage(page);
  await admin.gotoQueue(escalations.id);
  await admin.press('c'); // claim more: the admin may hold escalations from before
  await expect(admin.items.filter({ hasText: escalated })).toHaveCount(1);
  await admin.items.filter({ hasText: escalated }).getByRole('button').click();
  await expect(admin.current).toContainText('escalated');

  // The agent heard every decision, the undo included.
  const outcomes = (await bot.feedback()).map((f) => f.outcome);
  for (const o of ['approved', 'reopened', 'edited', 'rejected']) expect(outcomes, `feedback has ${o}`).toContain(o);
  const rejected = (await bot.feedback()).find((f) => f.outcome === 'rejected');
  expect(rejected?.detail.reason_code).toBe('weak_evidence');
  await bot.dispose();
});

test('on a phone the current item comes first and decides with the same keys', async ({ browser, playwright, baseURL }) => {
  const admin = await signInNewContext(browser, ACME_USERS.admin);
  const api = await consoleApi(admin.page);
  const { connections } = await api<{ connections: { id: string; name: string }[] }>('GET', '/connections');
  const sandbox = connections.find((c) => c.name === ACME_SANDBOX)!;
  const name = uniqueName('Phone bot');
  const key = cliAgent(name, sandbox.id);
  const { agents } = await api<{ agents: { id: string; name: string }[] }>('GET', '/agents');
  const queue = await api<Queue>('POST', '/review/queues', { name: uniqueName('E2E phone'), position: 1, match: { agents: [agents.find((a) => a.name === name)!.id] } });
  await admin.context.close();
  const bot = await TestAgent.connect(playwright, baseURL!, key);
  const deals = (await bot.records('deals', ['dealstage'])).filter((d) => text(d, 'dealstage') !== 'closedlost').slice(0, 2);
  await bot.propose(deals.map((d) => ({ object: 'deals', record_id: d.id, field: 'dealstage', proposed: 'closedlost', confidence: 0.8 })));
  await bot.dispose();

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
  const page = await context.newPage();
  await new LoginPage(page).signIn(ACME_USERS.reviewer, DEMO_PASSWORD);
  const review = new ReviewPage(page);
  await review.gotoQueue(queue.id);
  await expect(review.items).toHaveCount(2);
  // the item is above the list, its decision buttons on screen without scrolling
  const article = await review.current.boundingBox();
  const list = await page.getByRole('list', { name: 'Your items, most urgent first' }).boundingBox();
  expect(article!.y).toBeLessThan(list!.y);
  await expect(review.current.getByRole('button', { name: /^Approve/ })).toBeInViewport();
  await review.press('a');
  await expect(review.items).toHaveCount(1);
  await review.press('r');
  await expect(review.rejectDialog).toBeVisible(); // a key pressed before the dialog is there would be lost
  await page.keyboard.press('1');
  await expect(review.undoBar).toContainText('Rejected');
  await expect(page.getByText(/Nothing is waiting for review|You hold no items/)).toBeVisible();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, 'no sideways scrolling').toBeLessThanOrEqual(390);
  await context.close();
});
