import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

export const SCREENSHOT_DIR = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));

export function portalUrl(): string {
  const url = process.env.S5CHAT_E2E_PORTAL_URL;
  if (!url) throw new Error('S5CHAT_E2E_PORTAL_URL is not set: run through playwright.config.ts (global setup)');
  return url;
}

/** Collects console errors and uncaught page errors for later assertions. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  return errors;
}

/** Opens `path` and connects with the local development wallet (reused from localStorage after the first time). */
export async function openConnected(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('portal-url')).toHaveText(portalUrl());
  const ready = page.getByTestId('identity-ready');
  const connectButton = page.getByTestId('connect-dev-wallet');
  // After the first connect the page reconnects by itself; otherwise click.
  await expect(ready.or(connectButton)).toBeVisible();
  if (!(await ready.isVisible())) await connectButton.click();
  await expect(ready).toBeVisible({ timeout: 30_000 });
}

export interface ShownMessage {
  role: string;
  content: string;
  state: string;
  streaming: string;
}

export async function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.locator('[data-testid=message]').evaluateAll((els) =>
    els.map((el) => ({
      role: el.getAttribute('data-role') ?? '',
      content: el.querySelector('[data-testid=message-content]')?.textContent ?? '',
      state: el.getAttribute('data-state') ?? '',
      streaming: el.getAttribute('data-streaming') ?? '',
    })),
  );
}

/** Waits until every message this page sent is acknowledged (none pending, none failed). */
export async function expectAllAcknowledged(page: Page): Promise<void> {
  await expect(page.locator('[data-testid=message][data-state=pending]')).toHaveCount(0, { timeout: 45_000 });
  await expect(page.locator('[data-testid=message][data-state=failed]')).toHaveCount(0);
  await expect(page.getByTestId('metric-in-flight')).toHaveText('0');
}

export async function sendWithoutWaiting(page: Page, texts: readonly string[]): Promise<void> {
  const input = page.getByTestId('message-input');
  for (const text of texts) {
    await input.fill(text);
    await input.press('Enter');
  }
}

export function revisionErrors(errors: readonly string[]): string[] {
  return errors.filter((e) => /Revision|DirectoryTransaction/.test(e));
}
