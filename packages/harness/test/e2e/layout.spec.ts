/**
 * Bug 6: a 10,000-character word wraps instead of widening the page; the
 * input stays on screen however long the conversation; narrow windows do not
 * overflow sideways.
 */
import { expect, test, type Page } from '@playwright/test';
import { SCREENSHOT_DIR, expectAllAcknowledged, openConnected, sendWithoutWaiting } from './helpers';

async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

async function inViewport(page: Page, testId: string): Promise<boolean> {
  const box = await page.getByTestId(testId).boundingBox();
  const vp = page.viewportSize();
  return !!box && !!vp && box.y >= 0 && box.y + box.height <= vp.height && box.x >= 0 && box.x + box.width <= vp.width;
}

test('long words wrap, the input stays on screen, narrow windows do not overflow', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openConnected(page);
  await page.getByTestId('ms-per-token').fill('5');
  await page.getByTestId('reply-tokens').fill('30');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);

  await sendWithoutWaiting(page, ['x'.repeat(10_000)]);
  await expect(page.locator('[data-testid=message][data-role=assistant][data-streaming=false]')).toHaveCount(1, { timeout: 30_000 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  const msg = await page.getByTestId('message').first().boundingBox();
  expect(msg!.width).toBeLessThan(1280);

  // Many exchanges: the composer stays visible without scrolling the page.
  for (let i = 0; i < 8; i++) await sendWithoutWaiting(page, [`question ${i} with a few words to make the reply longer`]);
  await expect(page.locator('[data-testid=message][data-role=assistant][data-streaming=false]')).toHaveCount(9, { timeout: 60_000 });
  await expectAllAcknowledged(page);
  expect(await inViewport(page, 'message-input')).toBe(true);
  expect(await inViewport(page, 'send')).toBe(true);
  // The newest message is scrolled into view inside the list.
  const lastBox = await page.getByTestId('message').last().boundingBox();
  const listBox = await page.getByTestId('messages').boundingBox();
  expect(lastBox!.y + lastBox!.height).toBeLessThanOrEqual(listBox!.y + listBox!.height + 2);
  await page.screenshot({ path: `${SCREENSHOT_DIR}layout-wide.png` });

  for (const width of [768, 375]) {
    await page.setViewportSize({ width, height: 740 });
    await page.waitForTimeout(100);
    expect(await horizontalOverflow(page), `page overflows at ${width} px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENSHOT_DIR}layout-${width}.png`, fullPage: true });
  }
  // At phone width the composer is still reachable and inside the window horizontally.
  await page.getByTestId('message-input').scrollIntoViewIfNeeded();
  expect(await inViewport(page, 'message-input')).toBe(true);
});
