import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { InvitePage } from '../pages/InvitePage';
import { LoginPage } from '../pages/LoginPage';
import { MembersPage } from '../pages/MembersPage';
import { Shell, type RoleName } from '../pages/Shell';

/** Password of every seeded demo user. */
export const DEMO_PASSWORD = 'countersign-demo';

export const ACME = { slug: 'acme', name: 'Acme Inc' } as const;
export const GLOBEX = { slug: 'globex', name: 'Globex Corporation' } as const;

export const ACME_USERS: Record<RoleName, string> = {
  admin: 'admin@acme.test',
  reviewer: 'reviewer@acme.test',
  compliance: 'compliance@acme.test',
  viewer: 'viewer@acme.test',
};

let counter = 0;

/** An email no other test (or earlier run against the same database) uses. */
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${counter}@e2e.test`;
}

/** Signs a page in and waits for the app's navigation. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<Shell> {
  await new LoginPage(page).signIn(email, password);
  const shell = new Shell(page);
  await expect(shell.nav).toBeVisible();
  return shell;
}

/**
 * Signs a page in straight to path, not the role's home page. For an admin
 * or reviewer whose page is not the reviewer under test: their home, the
 * Review queue, claims whatever is pending as it opens, and would hold the
 * items the test proposes next.
 */
export async function signInTo(page: Page, email: string, path: string): Promise<Shell> {
  await new LoginPage(page).signIn(email, DEMO_PASSWORD, path);
  const shell = new Shell(page);
  await expect(shell.nav).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`${path}$`));
  return shell;
}

/** A fresh browser context (own cookies) with a page, signed in as this user. */
export async function signInNewContext(
  browser: Browser,
  email: string,
  password = DEMO_PASSWORD,
): Promise<{ context: BrowserContext; page: Page; shell: Shell }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const shell = await signIn(page, email, password);
  return { context, page, shell };
}

export interface Invitee {
  email: string;
  name: string;
  password: string;
  context: BrowserContext;
  page: Page;
  shell: Shell;
}

/**
 * The acme admin (on `adminPage`, already signed in) invites a new person with these roles
 * from /members; the invitee opens the link in a new browser context and accepts it.
 */
export async function inviteAndAccept(
  browser: Browser,
  adminPage: Page,
  roles: readonly RoleName[],
  prefix = 'invitee',
): Promise<Invitee> {
  const email = uniqueEmail(prefix);
  const name = `E2E ${prefix} ${Date.now()}`;
  const password = 'e2e-password-' + Date.now();
  const members = new MembersPage(adminPage);
  await members.goto();
  const link = await members.invite(email, roles);

  const context = await browser.newContext();
  const page = await context.newPage();
  const invite = new InvitePage(page);
  await invite.goto(link);
  await invite.expectInvitation(ACME.name, email);
  await invite.acceptAsNewUser(name, password);
  const shell = new Shell(page);
  await expect(shell.nav).toBeVisible();
  return { email, name, password, context, page, shell };
}

/** The sandbox connection the seed gives acme, synced: every field still needs a decision. */
export const ACME_SANDBOX = 'Acme sandbox CRM';

/** A name (of a connection, …) no other test or earlier run uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix} ${Date.now()}-${counter}`;
}
