/**
 * Runs the README's `npm start` (scripts/start.mjs, build skipped) on free
 * ports with its own data folder, for the tests that check `npm start`
 * itself: a killed devnode, and the five-step manual test on other portal
 * profiles.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@playwright/test';
import { freePort } from './free-port';

const root = fileURLToPath(new URL('../../../..', import.meta.url));


export interface StartedScript {
  harnessUrl: string;
  portalUrl: string;
  output(): string;
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
  exited(): boolean;
  stop(): Promise<void>;
}

export async function runStartScript(args: string[] = []): Promise<StartedScript> {
  const [devnodePort, harnessPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 's5chat-e2e-start-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs', '--skip-build', ...args], {
    cwd: root,
    env: {
      ...process.env,
      S5CHAT_DEVNODE_PORT: String(devnodePort),
      S5CHAT_HARNESS_PORT: String(harnessPort),
      S5CHAT_DATA_DIR: dataDir,
      S5CHAT_DEVNODE_PROFILE: '',
      S5CHAT_PORTAL_URL: '',
      CI: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() reaches its children too
  });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const waitFor = async (re: RegExp, timeout: number) =>
    expect.poll(() => re.test(output) || child.exitCode !== null, { timeout, message: `start.mjs output should match ${re}:\n${output}` }).toBe(true);
  const started: StartedScript = {
    harnessUrl: `http://127.0.0.1:${harnessPort}`,
    portalUrl: `http://127.0.0.1:${devnodePort}`,
    output: () => output,
    waitFor: async (re, t) => {
      await waitFor(re, t);
      expect(output, 'start.mjs exited').toMatch(re);
    },
    exited: () => child.exitCode !== null,
    stop: async () => {
      if (child.exitCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        await new Promise((r) => {
          const force = setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // gone
            }
          }, 8000);
          child.once('exit', () => r(clearTimeout(force)));
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await started.waitFor(/s5chat is running/, 90_000);
  return started;
}
