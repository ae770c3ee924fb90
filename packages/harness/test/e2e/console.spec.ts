/**
 * Bug 10 / issue 15: a healthy first session logs no red console line. Drives a healthy
 * first session (fresh identity: register, start, send with replies, end,
 * reload) and records every console error, page error, HTTP answer >= 400
 * and failed request the page saw.
 *
 * Browsers print every 4xx/5xx answer in red and no script can hide it, so the SDK must not
 * ask what it knows: the harness tells it the identity is new (`freshIdentity`, remembered
 * across reloads until the first write), and it neither reads keys that cannot exist yet
 * (Dart: 404) nor logs in before registering (Dart: 500 "not registered").
 */
import { expect, test, type Page } from '@playwright/test';
import { expectAllAcknowledged, openConnected, sendWithoutWaiting, watchFailures } from './helpers';

/** `reload: false` for identities the page does not reconnect by itself (a seed phrase is never stored). */
async function healthySession(page: Page, connect: (page: Page) => Promise<void> = openConnected, reload = true): Promise<void> {
  await connect(page); // a fresh browser context: a new identity, registered now
  await page.getByTestId('ms-per-token').fill('10');
  await page.getByTestId('reply-tokens').fill('20');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  await sendWithoutWaiting(page, ['hello', 'how are you']);
  await expect(page.locator('[data-testid=message][data-role=assistant][data-streaming=false]')).toHaveCount(2, { timeout: 30_000 });
  await expectAllAcknowledged(page);
  await page.getByTestId('end-session').click();
  await expect(page.getByTestId('conversation-status')).toHaveText('ended');
  if (reload) {
    await page.reload();
    await expect(page.getByTestId('message')).toHaveCount(4, { timeout: 30_000 });
  }
  await page.waitForTimeout(500);
}

/** A request the page itself cancelled by navigating away (reload): not a failure. */
const cancelledByNavigation = (line: string) => line.startsWith('failed ') && line.endsWith('net::ERR_ABORTED');

test('a healthy session: no application console error, nothing failing on the harness origin', async ({ page, baseURL }) => {
  const seen = watchFailures(page);
  await healthySession(page);
  expect(seen.console.filter((l) => !l.startsWith('Failed to load resource'))).toEqual([]);
  const ours = seen.responses.filter((l) => !cancelledByNavigation(l) && l.includes(baseURL ?? '§'));
  expect(ours).toEqual([]);
  // Every remaining red line is an answer of the portal to the SDK, not the harness's doing.
  const portal = new URL(process.env.S5CHAT_E2E_PORTAL_URL ?? '').origin;
  for (const l of seen.responses.filter((x) => !cancelledByNavigation(x))) expect(l).toContain(portal);
  console.log(`[console] portal answers >= 400 during a healthy first session: ${seen.responses.filter((x) => !cancelledByNavigation(x)).length}`);
});

function expectNoRedLine(seen: ReturnType<typeof watchFailures>): void {
  expect({ console: seen.console, responses: seen.responses.filter((l) => !cancelledByNavigation(l)) }).toEqual({ console: [], responses: [] });
}

test('a healthy first session logs no red line at all', async ({ page }) => {
  const seen = watchFailures(page);
  await healthySession(page);
  expectNoRedLine(seen);
});

test('a new identity reloaded before its first write is still new: no red line', async ({ page }) => {
  const seen = watchFailures(page);
  await openConnected(page); // the development wallet is created now…
  await expect(page.getByTestId('conversation-list')).toBeVisible();
  await page.reload(); // …and reconnects after the reload, still with nothing written under it
  await healthySession(page);
  expectNoRedLine(seen);
});

test('a generated seed phrase: its first session logs no red line', async ({ page }) => {
  const seen = watchFailures(page);
  await healthySession(page, async (p) => {
    await p.goto('/');
    await p.getByTestId('toggle-seed').click();
    await p.getByTestId('generate-seed').click();
    await p.getByTestId('seed-saved').check();
    await p.getByTestId('connect-generated-seed').click();
    await expect(p.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'seed', { timeout: 30_000 });
  }, false);
  expectNoRedLine(seen);
});
