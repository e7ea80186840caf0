import { expect, type Locator, type Page } from '@playwright/test';

/** The sign-in page at /login. */
export class LoginPage {
  readonly email: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  /** The form-level error the sign-in form announces. */
  readonly alert: Locator;

  constructor(readonly page: Page) {
    this.alert = page.getByRole('form', { name: 'Sign in', exact: true }).getByRole('alert');
    this.email = page.getByLabel('Email', { exact: true });
    this.password = page.getByLabel('Password', { exact: true });
    this.submit = page.getByRole('button', { name: 'Sign in', exact: true });
  }

  /** Opens the sign-in page; next is where signing in leads (the role's home page without it). */
  async goto(next?: string): Promise<void> {
    await this.page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    await expect(this.submit).toBeVisible();
  }

  /** Fills the form and submits it; does not wait for the outcome. */
  async submitCredentials(email: string, password: string): Promise<void> {
    await this.email.fill(email);
    await this.password.fill(password);
    await this.submit.click();
  }

  /** Signs in and waits until the app has left /login. */
  async signIn(email: string, password: string, next?: string): Promise<void> {
    await this.goto(next);
    await this.submitCredentials(email, password);
    try {
      // argon2id on a loaded machine can take a while: wait for the state, not a guess at its time
      await expect(this.page).not.toHaveURL(/\/login(\?|$)/, { timeout: 15_000 });
    } catch (e) {
      const shown = (await this.alert.allTextContents()).join(' | ');
      throw new Error(`signing in as ${email} stayed on /login; the page says: ${shown || 'nothing'}\n${e}`);
    }
  }

  /** The message shown when sign-in is refused. */
  error(text: string | RegExp = /invalid email or password/i): Locator {
    return this.alert.filter({ hasText: text });
  }

  async expectStillOnLogin(): Promise<void> {
    await expect(this.page).toHaveURL(/\/login(\?|$)/);
    await expect(this.submit).toBeVisible();
  }
}
