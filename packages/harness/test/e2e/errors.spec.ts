import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, openConnected, portalUrl, sendWithoutWaiting, shownMessages } from './helpers';

const clear = { latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0, resetRate: 0 };

test.afterEach(async ({ request }) => {
  await request.post(`${portalUrl()}/admin/faults`, { data: clear });
});

test('a refused write shows its code and what to do; repeats are one card; Retry sends it; success clears the card', async ({ page, request }) => {
  test.setTimeout(150_000);
  // Fail fast (no outbox): with the outbox on, these writes would wait as queued (devices.spec).
  await page.addInitScript(() => localStorage.setItem('s5chat.harness.outbox', 'off'));
  await openConnected(page);
  await expect(page.getByTestId('outbox-mode')).toHaveText('outbox off: fail fast');
  await page.getByTestId('auto-reply').uncheck();
  await page.getByTestId('start-session').click();
  await sendWithoutWaiting(page, ['before the outage']);
  await expectAllAcknowledged(page);
  await expect(page.getByTestId('faults-banner')).toHaveCount(0);

  // Every /s5/* request now fails with 503: the SDK retries, then gives up with a typed error.
  await request.post(`${portalUrl()}/admin/faults`, { data: { ...clear, errorRate: 1 } });
  // The chat page says the faults are on (they were set from outside this page).
  await expect(page.getByTestId('faults-banner')).toContainText('errorRate 1', { timeout: 10_000 });
  await sendWithoutWaiting(page, ['during the outage 1', 'during the outage 2', 'during the outage 3']);
  await expect(page.locator('[data-testid=message][data-state=failed]')).toHaveCount(3, { timeout: 90_000 });
  const cards = page.locator('[data-testid=error]');
  const sendCards = page.locator('[data-testid=error][data-context="send message"]');
  const codes = await sendCards.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}`));
  for (const code of codes) expect(['PORTAL_UNAVAILABLE', 'TIMEOUT']).toContain(code);
  // Three identical failures are one card per code with a count, not three cards.
  const keys = await cards.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')} ${e.getAttribute('data-context')}`));
  expect(new Set(keys).size).toBe(keys.length);
  const total = (await sendCards.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))))).reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(3);
  await expect(cards.first()).toContainText('What to do:');
  await expect(page.getByTestId('message-retry')).toHaveCount(3);

  // Clear the faults from the banner; Retry each message: sent under the same id, cards gone.
  await page.getByTestId('faults-banner-clear').click();
  await expect(page.getByTestId('faults-banner')).toHaveCount(0, { timeout: 10_000 });
  // One press each is enough, even right after the recovery: a Retry that meets the client's still-open
  // circuit breaker waits (shown as sending) for the half-open moment the error names, then sends.
  const retry = page.getByTestId('message-retry');
  for (let n = await retry.count(); n > 0; n--) await retry.first().click();
  await expect(page.locator('[data-testid=message][data-state=failed]')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator('[data-testid=message][data-state=sending]')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.locator('[data-testid=message][data-state=failed]')).toHaveCount(0);
  await expectAllAcknowledged(page);
  await expect(page.getByTestId('error')).toHaveCount(0);

  // Revision labels are current: what this tab shows is what a fresh read finds.
  await expect(page.getByTestId('busy')).toBeHidden();
  await page.waitForTimeout(800);
  const shownRevision = await page.getByTestId('loaded-revision').textContent();
  await expect(page.getByTestId('meta-base-revision')).toHaveText(shownRevision ?? '');
  await page.reload();
  await expect(page.getByTestId('loaded-revision')).toHaveText(shownRevision ?? '', { timeout: 30_000 });
  expect((await shownMessages(page)).map((m) => m.content)).toEqual(['before the outage', 'during the outage 1', 'during the outage 2', 'during the outage 3']);
});
