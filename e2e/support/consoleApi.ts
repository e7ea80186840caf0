import { expect, type Page } from '@playwright/test';

/** Console API calls as the signed-in user of page (with its CSRF token). */
export async function consoleApi(page: Page) {
  const { csrf_token: csrf } = (await (await page.request.get('/api/v1/session')).json()) as { csrf_token: string };
  return async <T>(method: string, path: string, data?: unknown): Promise<T> => {
    const res = await page.request.fetch(`/api/v1${path}`, { method, data, headers: { 'X-CSRF-Token': csrf } });
    expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
    return (await res.json()) as T;
  };
}
