/**
 * Shared plumbing for the reliability suite: temp data dirs, seeds, heap measurement, and child
 * processes (the crash test runs the devnode and a writer as separate OS processes so that
 * `kill -9` is a real crash, not a simulated one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const pkgSrc = (pkg: string) => join(REPO_ROOT, 'packages', pkg, 'src', 'index.ts');

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `s5chat-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A run seed: from `envName` when set (replay), else random. Printed either way so any failing
 * CI run can be replayed with `ENV=<seed> pnpm exec vitest run <file>`.
 */
export function runSeed(envName: string, label: string): number {
  // turbo only passes through declared variables; S5CHAT_* is declared, so `S5CHAT_CHAOS_SEED`
  // also works through `pnpm test`, while `CHAOS_SEED` works when vitest is run directly.
  const fromEnv = process.env[envName] ?? process.env[`S5CHAT_${envName}`];
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  if (!Number.isSafeInteger(seed)) throw new Error(`${envName} must be an integer, got ${fromEnv}`);
  console.log(`[${label}] seed=${seed} (replay: ${envName}=${seed})`);
  return seed;
}

/** Forces a full GC (exposed at runtime: the test runner's workers start without --expose-gc). */
export function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

export const mib = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Every regular file under `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(p)));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `needle` (UTF-8). */
export async function grepDir(dir: string, needle: string): Promise<string[]> {
  const bytes = Buffer.from(needle, 'utf8');
  const hits: string[] = [];
  for (const file of await listFiles(dir)) {
    if ((await stat(file)).size === 0) continue;
    if ((await readFile(file)).includes(bytes)) hits.push(file);
  }
  return hits;
}

/**
 * Bundles a TypeScript entry for a child process, resolving the workspace packages to their
 * sources exactly as the vitest config does, so the child runs the same code as the tests (never
 * a stale dist/). esbuild comes with tsup (a root dev dependency), so nothing is added.
 * CommonJS output so `NODE_PATH` can resolve the one native dependency left external.
 */
export async function bundleForChild(entry: string, outDir: string): Promise<string> {
  const requireFromTsup = createRequire(join(REPO_ROOT, 'node_modules', 'tsup', 'package.json'));
  const esbuild = requireFromTsup('esbuild') as { build(options: Record<string, unknown>): Promise<unknown> };
  const outfile = join(outDir, entry.replace(/^.*[\\/]/, '').replace(/\.ts$/, '.cjs'));
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
    alias: {
      '@s5chat/s5': pkgSrc('s5'),
      '@s5chat/devnode': pkgSrc('devnode'),
      '@s5chat/sdk-core': pkgSrc('sdk-core'),
    },
    // Native addons and their optional helpers cannot be bundled; the child resolves them
    // through NODE_PATH (see childEnv).
    external: ['classic-level', 'bufferutil', 'utf-8-validate'],
  });
  return outfile;
}

/** Environment for bundled children: lets `require('classic-level')` resolve from the devnode package. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const nodePath = [join(REPO_ROOT, 'packages', 'devnode', 'node_modules'), join(REPO_ROOT, 'node_modules')].join(':');
  return { ...process.env, NODE_PATH: nodePath, ...extra };
}

export interface JsonLineChild {
  child: ChildProcess;
  /** Every JSON line received so far, in order. */
  lines: Record<string, unknown>[];
  /** Resolves with the first line matching `pred` (already received or future). */
  waitFor(pred: (line: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code/signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Spawns `node script` and parses its stdout as JSON lines (non-JSON lines are kept as {text}). */
export function spawnJsonLines(script: string, env: NodeJS.ProcessEnv): JsonLineChild {
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: { pred: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.length > 100_000) err = err.slice(-50_000);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      line = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : { text };
    } catch {
      line = { text };
    }
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.pred(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    exited,
    stderr: () => err,
    waitFor(pred, timeoutMs, what) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(entry), 1);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr:\n${err.slice(-4000)}`));
        }, timeoutMs);
        const entry = {
          pred,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(entry);
        void exited.then(({ code, signal }) => {
          if (waiters.includes(entry)) {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(entry), 1);
            reject(new Error(`process exited (code ${code}, signal ${signal}) before ${what}; stderr:\n${err.slice(-4000)}`));
          }
        });
      });
    },
  };
}

/** Sends SIGKILL (a crash: no handlers, no flush) and waits until the process is gone. */
export async function killHard(c: JsonLineChild): Promise<void> {
  if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await c.exited;
}
