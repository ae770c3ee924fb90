import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { startDevnode, type DevnodeOptions } from '@s5chat/devnode';

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
  await connectLoadedPage(page);
}

/**
 * Connects a page that has just loaded: after the first connect the page reconnects by itself
 * (the connect buttons stay hidden until it knows whether it will), otherwise it clicks.
 */
export async function connectLoadedPage(page: Page): Promise<void> {
  const ready = page.getByTestId('identity-ready');
  const connectButton = page.getByTestId('connect-dev-wallet');
  await expect(ready.or(connectButton)).toBeVisible({ timeout: 30_000 });
  if (!(await ready.isVisible())) await connectButton.click();
  await expect(ready).toBeVisible({ timeout: 30_000 });
}

export interface ShownMessage {
  role: string;
  content: string;
  state: string;
  streaming: string;
  partial: string;
}

export async function shownMessages(page: Page): Promise<ShownMessage[]> {
  return page.locator('[data-testid=message]').evaluateAll((els) =>
    els.map((el) => ({
      role: el.getAttribute('data-role') ?? '',
      content: el.querySelector('[data-testid=message-content]')?.textContent ?? '',
      state: el.getAttribute('data-state') ?? '',
      streaming: el.getAttribute('data-streaming') ?? '',
      partial: el.getAttribute('data-partial') ?? '',
    })),
  );
}

/** Waits until every message this page sent is acknowledged (none pending, none failed). */
export async function expectAllAcknowledged(page: Page): Promise<void> {
  await expect(page.locator('[data-testid=message][data-state=sending]')).toHaveCount(0, { timeout: 45_000 });
  await expect(page.locator('[data-testid=message][data-state=queued]')).toHaveCount(0, { timeout: 45_000 });
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

/**
 * A devnode owned by one test (port 0, own data dir), so the test can stop
 * and restart it on the same port and data without disturbing the others.
 * `useIn(context)` points the harness pages of that context at it by
 * answering `/api/config` for them.
 */
export class OwnDevnode {
  private node: Awaited<ReturnType<typeof startDevnode>> | null = null;
  private port = 0;
  readonly dataDir = mkdtempSync(join(tmpdir(), 's5chat-e2e-own-'));
  url = '';

  constructor(private readonly options: Partial<DevnodeOptions> = {}) {}

  async start(): Promise<this> {
    // The profile of a real portal (dart), waits scaled down, unless the test asks for another.
    this.node = await startDevnode({ profile: 'dart', timeScale: 0.05, ...this.options, port: this.port, dataDir: this.dataDir } as DevnodeOptions);
    this.url = this.node.url;
    this.port = Number(new URL(this.url).port);
    return this;
  }

  /** Stops the node (connections refused from now on); `start()` brings it back with the same data and port. */
  async stop(): Promise<void> {
    await this.node?.stop();
    this.node = null;
  }

  get running(): boolean {
    return this.node !== null;
  }

  async setFaults(faults: Record<string, number>): Promise<void> {
    const res = await fetch(`${this.url}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    if (!res.ok) throw new Error(`setFaults: ${res.status}`);
  }

  async useIn(context: BrowserContext): Promise<void> {
    await context.route('**/api/config', (route) =>
      route.fulfill({ json: { portalUrl: this.url, portalSource: 'devnode', devnode: true, portalLogin: 'direct', profile: this.options.profile ?? 'dart' }, headers: { 'cache-control': 'no-store' } }),
    );
  }

  async dispose(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Opens `path` in a page whose context uses `node`, and connects (dev wallet). */
export async function openConnectedTo(page: Page, node: OwnDevnode, path = '/'): Promise<void> {
  await page.goto(path);
  await expect(page.getByTestId('portal-url')).toHaveText(node.url);
  await connectLoadedPage(page);
}

/** Connects with a seed phrase (two contexts with one phrase = two devices of one identity). */
export async function connectWithSeed(page: Page, phrase: string, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByTestId('toggle-seed').click();
  await page.getByTestId('seed-input').fill(phrase);
  await page.getByTestId('seed-input').press('Enter');
  await expect(page.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'seed', { timeout: 30_000 });
}

/** Console errors and failed HTTP responses (status >= 400) of a page, for "a healthy session logs none". */
export function watchFailures(page: Page): { console: string[]; responses: string[] } {
  const out = { console: [] as string[], responses: [] as string[] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') out.console.push(msg.text());
  });
  page.on('pageerror', (err) => out.console.push(`pageerror: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 400) out.responses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => out.responses.push(`failed ${req.method()} ${req.url()}: ${req.failure()?.errorText ?? ''}`));
  return out;
}

export async function startSessionNoReplies(page: Page): Promise<string> {
  await page.getByTestId('auto-reply').uncheck();
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  return ((await page.getByTestId('conversation-id').textContent()) ?? '').trim();
}
