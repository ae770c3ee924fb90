import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, openConnected, portalUrl, revisionErrors, watchConsole } from './helpers';

test.afterEach(async ({ request }) => {
  // Leave the shared devnode clean for the next test whatever happened.
  await request.post(`${portalUrl()}/admin/faults`, {
    data: { latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0, resetRate: 0 },
  });
});

test('stress page with devnode faults on: 0 lost, 0 duplicates', async ({ page }) => {
  const consoleErrors = watchConsole(page);
  await openConnected(page, '/stress');

  // Bigger runs by hand: S5CHAT_E2E_STRESS_DEVICES=5 S5CHAT_E2E_STRESS_APPENDS=100 pnpm exec playwright test stress
  const devices = process.env.S5CHAT_E2E_STRESS_DEVICES ?? '3';
  const appends = process.env.S5CHAT_E2E_STRESS_APPENDS ?? '30';
  await page.getByTestId('stress-devices').fill(devices);
  await page.getByTestId('stress-appends').fill(appends);
  // Paced appends make many separate writes (group commit would otherwise fold
  // a burst into a few), so the faults hit many registry round trips.
  await page.getByTestId('stress-interval').fill(process.env.S5CHAT_E2E_STRESS_INTERVAL_MS ?? '15');
  await page.getByTestId('faults-chaos').click();
  await expect(page.getByTestId('faults-applied')).toContainText('errorRate');
  await page.getByTestId('stress-run').click();

  const verdict = page.getByTestId('stress-verdict');
  await expect(verdict).toBeVisible({ timeout: 85_000 });
  await expect(page.getByTestId('stress-phase')).toHaveText('done');
  await page.screenshot({ path: `${SCREENSHOT_DIR}stress.png`, fullPage: true });

  await expect(page.getByTestId('stress-lost')).toHaveText('0');
  await expect(page.getByTestId('stress-duplicates')).toHaveText('0');
  await expect(page.getByTestId('stress-unexpected')).toHaveText('0');
  const acked = Number(await page.getByTestId('stress-acked').textContent());
  const present = Number(await page.getByTestId('stress-present').textContent());
  expect(acked).toBeGreaterThan(0);
  expect(present).toBe(acked);
  await expect(page.getByTestId('stress-verdict-text')).toHaveText('PASS');
  // The faults were real: the devnode injected some during this run.
  expect(Number(await page.getByTestId('stress-run-faults-total').textContent())).toBeGreaterThan(0);
  await expect(page.getByTestId('stress-run-faults-none')).toHaveCount(0);
  expect(revisionErrors(consoleErrors)).toEqual([]);
  console.log(
    `[stress] ${devices} devices × ${appends} appends with chaos faults: acknowledged ${acked}, present ${present}, ` +
      `lost 0, duplicates 0, ${await page.getByTestId('stress-time').textContent()}, ` +
      `faults injected ${await page.getByTestId('stress-run-faults-total').textContent()}, ` +
      `typed errors shown: [${(await page.locator('[data-testid=error]').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')))).join(', ')}]`,
  );
});

test('stress inputs are validated; a run where writes failed is FAIL with what failed', async ({ page, request }) => {
  test.setTimeout(120_000);
  await openConnected(page, '/stress');
  await page.getByTestId('stress-devices').fill('-1');
  await expect(page.locator('[data-testid=stress-input-issues] li[data-field=devices]')).toContainText('expected 1–10');
  await expect(page.getByTestId('stress-run')).toBeDisabled();
  await page.getByTestId('stress-devices').fill('1');
  await page.getByTestId('stress-appends').fill('1.5');
  await expect(page.locator('[data-testid=stress-input-issues] li[data-field=appends]')).toContainText('whole number');
  await expect(page.getByTestId('stress-run')).toBeDisabled();
  await page.getByTestId('stress-appends').fill('3');
  await expect(page.getByTestId('stress-input-issues')).toHaveCount(0);
  await expect(page.getByTestId('stress-run')).toBeEnabled();

  // Every write fails (503 on every request; the verdict read runs with faults off).
  await request.post(`${portalUrl()}/admin/faults`, { data: { errorRate: 1 } });
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-verdict')).toBeVisible({ timeout: 100_000 });
  await expect(page.getByTestId('stress-verdict')).toHaveAttribute('data-outcome', 'fail');
  await expect(page.getByTestId('stress-verdict-text')).toHaveText('FAIL');
  await expect(page.getByTestId('stress-verdict-summary')).toContainText('3 of 3 writes failed');
  await expect(page.getByTestId('stress-lost')).toHaveText('0');
});

test('a run with faults on that none hit says so (and why), instead of a bare 0', async ({ page, request }) => {
  await openConnected(page, '/stress');
  await page.getByTestId('stress-devices').fill('1');
  await page.getByTestId('stress-appends').fill('2');
  // Faults "on" that can never fire: 1 ms of latency and no rates.
  await request.post(`${portalUrl()}/admin/faults`, { data: { latencyMs: 1 } });
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-verdict-text')).toHaveText('PASS', { timeout: 60_000 });
  await expect(page.getByTestId('stress-run-faults-total')).toHaveText('0');
  await expect(page.getByTestId('stress-run-faults-none')).toContainText('none hit this run');
  // With faults off there is nothing to explain.
  await request.post(`${portalUrl()}/admin/faults`, { data: { latencyMs: 0 } });
  await page.getByTestId('stress-run').click();
  await expect(page.getByTestId('stress-verdict-text')).toHaveText('PASS', { timeout: 60_000 });
  await expect(page.getByTestId('stress-run-faults-total')).toHaveText('0');
  await expect(page.getByTestId('stress-run-faults-none')).toHaveCount(0);
});
