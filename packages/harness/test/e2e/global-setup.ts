/**
 * Starts the two servers the e2e tests drive, on ports nobody else uses:
 *   - a real devnode (`startDevnode`, port 0, fresh temp data dir);
 *   - the harness production build (`next start`) on a free port, pointed at it.
 * Builds the harness first if `.next/` is missing (a bare `playwright test`).
 * Returns the teardown that stops both and removes the data dir.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port';
import { startDevnode } from '@s5chat/devnode';

export const E2E_PROFILE = 'dart' as const;
export const E2E_TIME_SCALE = 0.05;

const harnessDir = fileURLToPath(new URL('../..', import.meta.url));


async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const nextBin = createRequire(join(harnessDir, 'package.json')).resolve('next/dist/bin/next');
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  if (!existsSync(join(harnessDir, '.next', 'BUILD_ID'))) {
    console.log('[e2e] no production build found; running next build');
    execFileSync(process.execPath, [nextBin, 'build'], { cwd: harnessDir, stdio: 'inherit', env });
  }

  const dataDir = mkdtempSync(join(tmpdir(), 's5chat-e2e-'));
  // The `dart` profile: a public Dart S5 portal (open registration), its waits scaled down so the
  // suite stays fast (PORTALS.md: ≈ 2 s first registry read, 60 s blob miss).
  const devnode = await startDevnode({ port: 0, dataDir, profile: E2E_PROFILE, timeScale: E2E_TIME_SCALE });
  const port = await freePort();
  const server = spawn(process.execPath, [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: harnessDir,
    env: { ...env, S5CHAT_PORTAL_URL: devnode.url, S5CHAT_DEVNODE: '1', S5CHAT_DEVNODE_PROFILE: E2E_PROFILE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverLog = '';
  server.stdout?.on('data', (c: Buffer) => (serverLog += c.toString()));
  server.stderr?.on('data', (c: Buffer) => (serverLog += c.toString()));

  const baseURL = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseURL}/api/config`, server, 60_000);
  } catch (e) {
    server.kill('SIGKILL');
    await devnode.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n${serverLog}`);
  }
  process.env.S5CHAT_E2E_BASE_URL = baseURL;
  process.env.S5CHAT_E2E_PORTAL_URL = devnode.url;
  console.log(`[e2e] devnode ${devnode.url} (data ${dataDir}), harness ${baseURL}`);

  return async () => {
    await new Promise<void>((resolve) => {
      if (server.exitCode !== null) return resolve();
      const force = setTimeout(() => server.kill('SIGKILL'), 5000);
      server.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      server.kill('SIGTERM');
    });
    await devnode.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
