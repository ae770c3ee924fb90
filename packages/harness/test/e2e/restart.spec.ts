/**
 * Bug 5: killing the devnode must not stop the whole `npm start`. Runs the
 * README's command itself (scripts/start.mjs, build skipped, its own ports
 * and data folder), writes a message in the browser, kills the devnode with
 * SIGKILL, and checks that start.mjs restarts it in place (same port, same
 * data) while the harness keeps serving, and the message is still there.
 */
import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, sendWithoutWaiting, shownMessages } from './helpers';
import { runStartScript } from './start-script';

test('npm start survives a killed devnode: restarted in place, same data, harness still up', async ({ page }) => {
  test.setTimeout(150_000);
  const run = await runStartScript();
  const output = run.output;
  try {
    await page.goto(run.harnessUrl);
    await expect(page.getByTestId('portal-url')).toHaveText(run.portalUrl);
    await page.getByTestId('connect-dev-wallet').click();
    await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('auto-reply').uncheck();
    await page.getByTestId('start-session').click();
    await sendWithoutWaiting(page, ['written before the crash']);
    await expectAllAcknowledged(page);

    const pid = Number(/\[start\] devnode pid (\d+)/.exec(output())?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await run.waitFor(/devnode exited unexpectedly/, 10_000);
    await run.waitFor(/devnode restarted at/, 30_000);
    expect(run.exited()).toBe(false); // npm start is still running
    expect(output()).not.toMatch(/stopping everything/);
    // The node answers on the same port with the same data: a full reload reads the message back.
    await page.reload();
    await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('portal-health')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
    await expect(page.getByTestId('message')).toHaveCount(1, { timeout: 30_000 });
    expect((await shownMessages(page)).map((m) => m.content)).toEqual(['written before the crash']);
  } finally {
    await run.stop();
  }
});
