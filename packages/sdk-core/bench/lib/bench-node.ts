/**
 * The devnode a bench run talks to, in its own process (default) or in the bench's process.
 *
 * Why a child process: a real portal is another machine. In the bench's own process the node's
 * work (BLAKE3 of every blob it serves and stores, signature checks) runs on the same JavaScript
 * thread as the clients it is serving, so every side pays the server's CPU inside its own timings
 * and nothing a client does in parallel (six segment downloads) can overlap with it. In a child
 * process the node gets the machine's other core, as a portal would have its own. Every side meets
 * the same node either way. `BENCH_DEVNODE=in-process` restores the old setup (as in the runs
 * before issue 14's latest results).
 *
 * Counters come from the node's admin routes (`GET /admin/stats`, `POST /admin/reset-stats`,
 * loopback only); the admin requests themselves are taken out of the counts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startDevnode } from '@s5chat/devnode';
import type { BenchProfile } from '../settings';

type InProcess = Awaited<ReturnType<typeof startDevnode>>;
export type DevnodeStats = ReturnType<InProcess['stats']>;
export type DevnodeMode = 'child' | 'in-process';

export interface BenchNode {
  readonly url: string;
  readonly mode: DevnodeMode;
  stats(): Promise<DevnodeStats>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchNodeOptions {
  profile: BenchProfile;
  timeScale?: number;
  latencyMs: number;
  mode: DevnodeMode;
}

const CLI = fileURLToPath(new URL('../../../devnode/src/cli.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const SDK_CORE = fileURLToPath(new URL('../..', import.meta.url));

export async function startBenchNode(o: BenchNodeOptions): Promise<BenchNode> {
  if (o.mode === 'in-process') {
    const node = await startDevnode({
      port: 0,
      profile: o.profile,
      ...(o.timeScale !== undefined ? { timeScale: o.timeScale } : {}),
      faults: { latencyMs: o.latencyMs },
    });
    return {
      url: node.url,
      mode: 'in-process',
      stats: async () => node.stats(),
      resetStats: async () => node.resetStats(),
      stop: () => node.stop(),
    };
  }
  return startChild(o);
}

async function startChild(o: BenchNodeOptions): Promise<BenchNode> {
  const args = ['--import', 'tsx', CLI, '--port', '0', '--profile', o.profile, '--latency-ms', String(o.latencyMs), '--quiet'];
  if (o.timeScale !== undefined) args.push('--time-scale', String(o.timeScale));
  // tsx runs the devnode from its sources (like the bench itself), the tsconfig maps @s5chat/s5 to its sources.
  const child = spawn(process.execPath, args, {
    cwd: SDK_CORE,
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = await firstLine(child, () => stderr);
  const admin = async (method: 'GET' | 'POST', path: string): Promise<unknown> => {
    const res = await fetch(`${url}${path}`, { method });
    if (!res.ok) throw new Error(`devnode ${method} ${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    url,
    mode: 'child',
    async stats() {
      const s = (await admin('GET', '/admin/stats')) as DevnodeStats;
      // This GET itself was counted before the snapshot was taken.
      const route = 'GET /admin/stats';
      const own = s.requests.byRoute[route] ?? 0;
      s.requests.total -= own;
      delete s.requests.byRoute[route];
      return s;
    },
    async resetStats() {
      await admin('POST', '/admin/reset-stats');
    },
    stop: () => stopChild(child),
  };
}

function firstLine(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error('devnode child did not start within 30 s')), 30_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      lines.close();
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${stderr()}`));
    };
    child.once('exit', (code) => fail(new Error(`devnode child exited (${code}) before it was ready`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      lines.close();
      child.stdout!.resume(); // request logs are off (--quiet); keep the pipe drained anyway
      try {
        resolve((JSON.parse(line) as { portalUrl: string }).portalUrl);
      } catch {
        fail(new Error(`devnode child printed "${line}" instead of its JSON line`));
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
