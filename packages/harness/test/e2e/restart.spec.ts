/**
 * Bug 5: killing the devnode must not stop the whole `npm start`. Runs the
 * README's command itself (scripts/start.mjs, build skipped, its own ports
 * and data folder), writes a message in the browser, kills the devnode with
 * SIGKILL, and checks that start.mjs restarts it in place (same port, same
 * data) while the harness keeps serving, and the message is still there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, sendWithoutWaiting, shownMessages } from './helpers';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

test('npm start survives a killed devnode: restarted in place, same data, harness still up', async ({ page }) => {
  test.setTimeout(150_000);
  const [devnodePort, harnessPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 's5chat-e2e-start-'));
  let output = '';
  const start: ChildProcess = spawn(process.execPath, ['scripts/start.mjs', '--skip-build'], {
    cwd: root,
    env: { ...process.env, S5CHAT_DEVNODE_PORT: String(devnodePort), S5CHAT_HARNESS_PORT: String(harnessPort), S5CHAT_DATA_DIR: dataDir, CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup reaches its children too
  });
  start.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  start.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const waitFor = async (re: RegExp, timeout: number) =>
    expect.poll(() => re.test(output), { timeout, message: `start.mjs output should match ${re}:\n${output}` }).toBe(true);
  try {
    await waitFor(/s5chat is running/, 90_000);
    const harness = `http://127.0.0.1:${harnessPort}`;
    await page.goto(harness);
    await expect(page.getByTestId('portal-url')).toHaveText(`http://127.0.0.1:${devnodePort}`);
    await page.getByTestId('connect-dev-wallet').click();
    await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
    await page.getByTestId('auto-reply').uncheck();
    await page.getByTestId('start-session').click();
    await sendWithoutWaiting(page, ['written before the crash']);
    await expectAllAcknowledged(page);

    const pid = Number(/\[start\] devnode pid (\d+)/.exec(output)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    await waitFor(/devnode exited unexpectedly/, 10_000);
    await waitFor(/devnode restarted at/, 30_000);
    expect(start.exitCode).toBeNull(); // npm start is still running
    expect(output).not.toMatch(/stopping everything/);
    // The node answers on the same port with the same data: a full reload reads the message back.
    await page.reload();
    await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('portal-health')).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
    await expect(page.getByTestId('message')).toHaveCount(1, { timeout: 30_000 });
    expect((await shownMessages(page)).map((m) => m.content)).toEqual(['written before the crash']);
  } finally {
    if (start.pid) {
      try {
        process.kill(-start.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => (start.exitCode !== null ? r(null) : start.once('exit', r)));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
