/**
 * Bug 12: the live panel labels units, says what good looks like, plots
 * write latency and queue depth over time with axes, and lists writes
 * arriving from another tab.
 */
import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, expectAllAcknowledged, openConnected, sendWithoutWaiting, startSessionNoReplies } from './helpers';

test('live panel: units, what good looks like, latency and queue charts with axes, arrivals from another tab', async ({ context }) => {
  const a = await context.newPage();
  await openConnected(a);
  const id = await startSessionNoReplies(a);
  await sendWithoutWaiting(a, ['one', 'two', 'three', 'four']);
  await expectAllAcknowledged(a);

  const panel = a.getByTestId('live-panel');
  await expect(panel).toContainText('good: 0 when idle');
  await expect(panel).toContainText('good: < 500 ms');
  await expect(a.getByTestId('metric-last-latency')).toHaveText(/^\d+ ms$/);
  for (const chart of ['latency-chart', 'queue-chart']) {
    const svg = a.getByTestId(chart);
    await expect(svg).toBeVisible();
    await expect(a.getByTestId(`${chart}-xtick`)).toHaveText(['-60 s', '-30 s', 'now']);
    await expect(a.getByTestId(`${chart}-ytick`)).toHaveCount(3);
    await expect(svg).toContainText('good ≤');
  }
  await expect(a.getByTestId('latency-chart')).toContainText('write latency (ms)');
  await expect(a.getByTestId('queue-chart')).toContainText('queue depth (writes)');
  expect(Number(await a.getByTestId('latency-chart').getAttribute('data-samples'))).toBeGreaterThanOrEqual(1);
  expect(Number(await a.getByTestId('queue-chart').getAttribute('data-samples'))).toBeGreaterThanOrEqual(2);

  // Another tab writes the same conversation: tab A lists the arrival and shows the message without a reload.
  await expect(a.getByTestId('arrivals-empty')).toBeVisible();
  const b = await context.newPage();
  await openConnected(b, `/?c=${id}`);
  await b.getByTestId('auto-reply').uncheck();
  await b.getByTestId('start-session').click();
  await sendWithoutWaiting(b, ['from tab B']);
  await expectAllAcknowledged(b);
  await expect(a.getByTestId('arrival').first()).toBeVisible({ timeout: 15_000 });
  await expect(a.locator('[data-testid=message-content]', { hasText: 'from tab B' })).toBeVisible({ timeout: 15_000 });
  await a.screenshot({ path: `${SCREENSHOT_DIR}live-panel.png`, fullPage: true });
});
