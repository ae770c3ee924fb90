import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, openConnected, portalUrl, sendWithoutWaiting } from './helpers';

const clear = { latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0, resetRate: 0 };

test.afterEach(async ({ request }) => {
  await request.post(`${portalUrl()}/admin/faults`, { data: clear });
});

test('a write the portal keeps refusing shows its error code and what to do on the page', async ({ page, request }) => {
  await openConnected(page);
  await page.getByTestId('auto-reply').uncheck();
  await page.getByTestId('start-session').click();
  await sendWithoutWaiting(page, ['before the outage']);
  await expectAllAcknowledged(page);

  // Every /s5/* request now fails with 503: the SDK retries, then gives up with a typed error.
  await request.post(`${portalUrl()}/admin/faults`, { data: { ...clear, errorRate: 1 } });
  await sendWithoutWaiting(page, ['during the outage']);
  const error = page.locator('[data-testid=error]').first();
  await expect(error).toBeVisible({ timeout: 60_000 });
  const code = await error.getAttribute('data-code');
  expect(['PORTAL_UNAVAILABLE', 'TIMEOUT']).toContain(code);
  await expect(error).toContainText('What to do:');
  await expect(page.locator('[data-testid=message][data-state=failed]')).toHaveCount(1);
});
