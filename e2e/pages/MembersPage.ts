import { expect, type Locator, type Page } from '@playwright/test';
import type { RoleName } from './Shell';

export const ALL_ROLES: readonly RoleName[] = ['admin', 'reviewer', 'compliance', 'viewer'];

/** The admin's member management page at /members, including the "Invite member" form. */
export class MembersPage {
  readonly table: Locator;
  readonly pendingInvites: Locator;
  readonly inviteForm: Locator;
  readonly inviteEmail: Locator;
  readonly inviteRoles: Locator;
  readonly sendInvite: Locator;
  readonly inviteLink: Locator;
  readonly copyButton: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Members', exact: true });
    this.pendingInvites = page.getByRole('table', { name: 'Pending invites', exact: true });
    this.inviteForm = page.getByRole('form', { name: 'Invite member', exact: true });
    this.sendInvite = this.inviteForm.getByRole('button', { name: 'Send invite', exact: true });
    this.inviteEmail = this.inviteForm.getByLabel('Email', { exact: true });
    this.inviteRoles = this.inviteForm.getByRole('group', { name: 'Roles', exact: true });
    this.inviteLink = page.getByLabel('Invite link', { exact: true });
    this.copyButton = page.getByRole('button', { name: 'Copy', exact: true });
  }

  async goto(): Promise<void> {
    await this.page.goto('/members');
    await expect(this.table).toBeVisible();
  }

  /** The members table row of the member with this email. */
  row(email: string): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('cell', { name: email, exact: true }) });
  }

  /** The pending-invites row for this email. */
  pendingInvite(email: string): Locator {
    return this.pendingInvites.getByRole('row').filter({ has: this.page.getByRole('cell', { name: email, exact: true }) });
  }

  roleCheckbox(email: string, role: RoleName): Locator {
    return this.row(email).getByRole('checkbox', { name: role, exact: true });
  }

  /**
   * Fills and sends the "Invite member" form; returns the link shown in "Invite link"
   * (as an absolute URL).
   */
  async invite(email: string, roles: readonly RoleName[]): Promise<string> {
    await this.inviteEmail.fill(email);
    for (const role of ALL_ROLES) {
      await this.inviteRoles.getByRole('checkbox', { name: role, exact: true }).setChecked(roles.includes(role));
    }
    await this.sendInvite.click();
    await expect(this.inviteLink).toBeVisible();
    await expect(this.inviteLink).toHaveValue(/\/invite\/[^/\s]+$/);
    const link = await this.inviteLink.inputValue();
    return new URL(link, this.page.url()).toString();
  }

  /** Sets exactly these roles on the member's row and saves them. */
  async setRoles(email: string, roles: readonly RoleName[]): Promise<void> {
    const row = this.row(email);
    await expect(row).toHaveCount(1);
    for (const role of ALL_ROLES) {
      await this.roleCheckbox(email, role).setChecked(roles.includes(role));
    }
    const saved = this.page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && /\/api\/v1\/members\//.test(r.url()),
    );
    await row.getByRole('button', { name: 'Save roles', exact: true }).click();
    expect((await saved).ok(), 'saving roles succeeds').toBe(true);
  }

  async disable(email: string): Promise<void> {
    const row = this.row(email);
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: 'Disable', exact: true }).click();
    // disabling asks first, naming the person
    const confirm = this.page.getByRole('dialog', { name: `Disable ${email}?`, exact: true });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Disable member', exact: true }).click();
    await expect(confirm).toHaveCount(0);
    await expect(row.getByRole('button', { name: 'Enable', exact: true })).toBeVisible();
  }
}
