/**
 * Bug 10: a healthy session logs no red console errors and no failed
 * requests: connect a fresh identity, start a session, send with replies,
 * end it, reload. Every console error and every HTTP answer >= 400 the page
 * saw is listed in the failure message.
 */
import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, openConnected, sendWithoutWaiting, watchFailures } from './helpers';

test('a healthy first session logs no console errors and no failed requests', async ({ page }) => {
  const seen = watchFailures(page);
  await openConnected(page); // a fresh browser context: a new identity, registered now
  await page.getByTestId('ms-per-token').fill('10');
  await page.getByTestId('reply-tokens').fill('20');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  await sendWithoutWaiting(page, ['hello', 'how are you']);
  await expect(page.locator('[data-testid=message][data-role=assistant][data-streaming=false]')).toHaveCount(2, { timeout: 30_000 });
  await expectAllAcknowledged(page);
  await page.getByTestId('end-session').click();
  await expect(page.getByTestId('conversation-status')).toHaveText('ended');
  await page.reload();
  await expect(page.getByTestId('message')).toHaveCount(4, { timeout: 30_000 });
  await page.waitForTimeout(500);
  expect({ console: seen.console, responses: seen.responses }).toEqual({ console: [], responses: [] });
});
