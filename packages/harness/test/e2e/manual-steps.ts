/**
 * The README's "Manual test in five steps", as a browser would do them, for
 * `npm start` on a given portal profile (the manual-*.spec files).
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { connectLoadedPage, expectAllAcknowledged, sendWithoutWaiting, shownMessages } from './helpers';

async function connect(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await connectLoadedPage(page);
}

export async function manualTest(context: BrowserContext, harnessUrl: string, portalUrl: string, profile: string): Promise<void> {
  const page = await context.newPage();
  // 1. The header names the portal and says it is up; connect the (development) wallet.
  await page.goto(harnessUrl);
  await expect(page.getByTestId('portal-url')).toHaveText(portalUrl);
  await expect(page.getByTestId('portal-source')).toContainText(`profile ${profile}`);
  await expect(page.getByTestId('portal-health')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
  await connect(page, harnessUrl);

  // 2. Start a session; four messages without waiting for the replies.
  await page.getByTestId('ms-per-token').fill('40');
  await page.getByTestId('reply-tokens').fill('30');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  const id = ((await page.getByTestId('conversation-id').textContent()) ?? '').trim();
  const prompts = ['first', 'second', 'third', 'fourth'];
  await sendWithoutWaiting(page, prompts);
  const replies = page.locator('[data-testid=message][data-role=assistant]');
  await expect(replies.nth(2)).toHaveAttribute('data-streaming', 'true', { timeout: 60_000 });
  await page.getByTestId('reply-tokens').fill('400');

  // 3. End the session while the 4th reply streams: ended, writes drain, no error.
  await expect(replies.nth(3)).toHaveAttribute('data-streaming', 'true', { timeout: 60_000 });
  await expect(replies.nth(3).getByTestId('message-content')).not.toHaveText('');
  await page.getByTestId('end-session').click();
  await expect(page.getByTestId('conversation-status')).toHaveText('ended', { timeout: 30_000 });
  await expectAllAcknowledged(page);
  await expect(page.getByTestId('error')).toHaveCount(0);

  // 4. Full reload: 8 messages in order, the last reply partial, status ended.
  await page.reload();
  await expect(page.getByTestId('message')).toHaveCount(8, { timeout: 30_000 });
  await expect(page.getByTestId('conversation-status')).toHaveText('ended');
  const stored = await shownMessages(page);
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  expect(stored.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(prompts);
  expect(stored[7]!.partial).toBe('true');
  // ...a second tab on the same URL: resume there, send from both; after reloading, both show every message.
  const second = await context.newPage();
  await connect(second, `${harnessUrl}/?c=${id}`);
  await expect(second.getByTestId('message')).toHaveCount(8, { timeout: 30_000 });
  for (const tab of [page, second]) {
    await tab.getByTestId('auto-reply').uncheck();
    await tab.getByTestId('start-session').click();
    await expect(tab.getByTestId('session-live')).toHaveText(/session live/);
  }
  await Promise.all([sendWithoutWaiting(page, ['from tab one']), sendWithoutWaiting(second, ['from tab two'])]);
  await expectAllAcknowledged(page);
  await expectAllAcknowledged(second);
  for (const tab of [page, second]) {
    await tab.reload();
    await expect(tab.getByTestId('message')).toHaveCount(10, { timeout: 30_000 });
    const contents = (await shownMessages(tab)).map((m) => m.content);
    expect(contents).toEqual(expect.arrayContaining(['from tab one', 'from tab two', ...prompts]));
  }
  await second.close();

  // 5. Stress: chaos preset, 3 devices × 20 appends → PASS, 0 lost, 0 duplicates, faults injected.
  await page.getByTestId('nav-stress').click();
  await page.getByTestId('faults-chaos').click();
  await expect(page.getByTestId('faults-applied')).toContainText('errorRate');
  // Faults are random: a run on a slow machine batches its 60 appends into few requests, and a run
  // that drew none (CI saw it once on dart-0.14) proves nothing about chaos. Every run must PASS;
  // the step runs again, at most 4 times in all, until one of them met injected faults.
  const injected: number[] = [];
  for (let run = 0; run < 4 && !injected.some((n) => n > 0); run++) {
    await page.getByTestId('stress-run').click();
    await expect(page.getByTestId('stress-run-faults-total')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('stress-verdict')).toBeVisible({ timeout: 120_000 });
    await expect(page.getByTestId('stress-verdict-text')).toHaveText('PASS');
    await expect(page.getByTestId('stress-lost')).toHaveText('0');
    await expect(page.getByTestId('stress-duplicates')).toHaveText('0');
    injected.push(Number(await page.getByTestId('stress-run-faults-total').textContent()));
  }
  console.log(`[manual ${profile}] faults injected per stress run: ${injected.join(', ')}`);
  expect(injected.some((n) => n > 0)).toBe(true);
  await page.getByTestId('faults-clear').click();
}
