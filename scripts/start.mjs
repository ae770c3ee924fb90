#!/usr/bin/env node
// The README's run command (`pnpm start` / `npm start`): bootstrap the
// workspace, build what the harness needs, start the devnode (port 5050, data
// in .s5chat/node) and the harness (http://localhost:3006), print both URLs,
// and stop both on Ctrl-C.
//
// With S5CHAT_PORTAL_URL set, no devnode is started and the harness targets
// that portal instead (S5CHAT_SEED_PHRASE / S5CHAT_INVITE_CODE are passed on).
// S5CHAT_DEVNODE_PORT / S5CHAT_HARNESS_PORT override the two ports,
// S5CHAT_DATA_DIR the devnode's data folder (default .s5chat/node);
// --profile <devnode|dart|dart-0.14|lumeweb> (default dart) and --invite <token> (repeatable)
// choose the portal behaviour the devnode reproduces;
// --skip-build skips the build step (when you just built).
//
// If the devnode dies (crash, kill -9, OOM), it is restarted in place — same
// port, same data folder — and the harness keeps running: a node that went
// away is a situation the harness must show, not a reason to stop it.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const argv = process.argv.slice(2);
const args = new Set(argv);
/** `--name value` (repeatable) from the command line. */
const flagValues = (name) => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1]] : []));
// Portal profile the devnode reproduces (issue 11): `dart` = a public Dart S5 portal (open
// registration); `--invite <token>` gates registration like a default Dart portal; `dart-0.14` is the
// last tagged release (token only as an HttpOnly cookie: the page logs in through /api/portal-login).
const profile = flagValues('--profile')[0] || process.env.S5CHAT_DEVNODE_PROFILE?.trim() || 'dart';
const inviteTokens = flagValues('--invite');
const COOKIE_ONLY = new Set(['dart-0.14', 'lumeweb']);
const devnodePort = Number(process.env.S5CHAT_DEVNODE_PORT ?? 5050);
const harnessPort = Number(process.env.S5CHAT_HARNESS_PORT ?? 3006);
const externalPortal = process.env.S5CHAT_PORTAL_URL?.trim();
const dataDir = resolve(root, process.env.S5CHAT_DATA_DIR?.trim() || join('.s5chat', 'node'));

const log = (msg) => console.log(`[start] ${msg}`);

function run(cmd) {
  log(cmd);
  execSync(cmd, { stdio: 'inherit', cwd: root });
}

/** Resolves once `url` answers any HTTP status; rejects after `timeoutMs`. */
async function waitForHttp(url, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * How to run the devnode CLI: the package's `bin` entry (built by the step
 * above). Until that entry exists, the same options go to `startDevnode` from
 * the built library through a tiny inline module, so `pnpm start` still works.
 */
function devnodeCommand(port, data) {
  const pkgDir = join(root, 'packages', 'devnode');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['s5chat-devnode'];
  const extra = ['--profile', profile, ...inviteTokens.flatMap((t) => ['--invite', t])];
  if (bin && existsSync(join(pkgDir, bin))) return [join(pkgDir, bin), '--port', String(port), '--data', data, ...extra];
  const lib = join(pkgDir, 'dist', 'index.js');
  if (!existsSync(lib)) throw new Error(`${lib} is missing: did the devnode build run?`);
  const inline = `
    const { startDevnode } = await import(${JSON.stringify(pathToFileURL(lib).href)});
    const node = await startDevnode({ port: ${Number(port)}, dataDir: ${JSON.stringify(data)}, log: true, profile: ${JSON.stringify(profile)}${inviteTokens.length ? `, registration: 'invite', inviteTokens: ${JSON.stringify(inviteTokens)}` : ''} });
    console.log(JSON.stringify({ portalUrl: node.url, p2pUrl: node.p2pUrl }));
    const stop = () => node.stop().then(() => process.exit(0), () => process.exit(1));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);`;
  return ['--input-type=module', '-e', inline];
}

const children = [];
let stopping = false;

/** Names of children that are restarted in place when they die, with their restart function. */
const restartable = new Map();
const RESTART_LIMIT = 5; // in RESTART_WINDOW_MS; beyond that something is wrong with the node itself
const RESTART_WINDOW_MS = 60_000;

function startChild(name, command, argv, options) {
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => `[${name}] ${l}`)
      .join('\n');
  child.stdout.on('data', (c) => console.log(prefix(c)));
  child.stderr.on('data', (c) => console.error(prefix(c)));
  child.on('exit', (code, signal) => {
    // Ctrl-C reaches the children too (same process group); that is a stop, not a crash.
    if (stopping || signal === 'SIGINT') return;
    const restart = restartable.get(name);
    if (restart) {
      console.error(`[start] ${name} exited unexpectedly (${signal ?? `code ${code}`}); restarting it in place (same port, same data).`);
      void restart();
      return;
    }
    console.error(`[start] ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping everything.`);
    void stopAll(1);
  });
  const entry = children.find((c) => c.name === name);
  if (entry) entry.child = child;
  else children.push({ name, child });
  log(`${name} pid ${child.pid}`);
  return child;
}

async function stopAll(exitCode = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await Promise.all(
    children.map(
      ({ name, child }) =>
        new Promise((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const force = setTimeout(() => {
            log(`${name} did not stop in 5 s; killing it`);
            child.kill('SIGKILL');
          }, 5000);
          child.once('exit', () => {
            clearTimeout(force);
            log(`${name} stopped`);
            done();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function main() {
  run('node scripts/bootstrap.mjs');
  if (!args.has('--skip-build')) run('pnpm exec turbo run build --filter=@s5chat/harness...');

  const harnessUrl = `http://localhost:${harnessPort}`;
  if (await answers(`http://127.0.0.1:${harnessPort}/`)) {
    throw new Error(`port ${harnessPort} is already in use (another harness?). Stop it or set S5CHAT_HARNESS_PORT.`);
  }

  let portalUrl = externalPortal;
  const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  if (portalUrl) {
    log(`S5CHAT_PORTAL_URL is set: using ${portalUrl}, not starting a devnode`);
  } else {
    portalUrl = `http://127.0.0.1:${devnodePort}`;
    if (await answers(`${portalUrl}/admin/stats`)) {
      throw new Error(`port ${devnodePort} is already in use (another devnode?). Stop it or set S5CHAT_DEVNODE_PORT.`);
    }
    mkdirSync(dataDir, { recursive: true });
    const launch = () => startChild('devnode', process.execPath, devnodeCommand(devnodePort, dataDir), { cwd: root, env });
    const devnode = launch();
    await waitForHttp(`${portalUrl}/admin/stats`, 30_000, devnode);
    env.S5CHAT_DEVNODE = '1';
    env.S5CHAT_DEVNODE_PROFILE = profile;
    if (COOKIE_ONLY.has(profile)) env.S5CHAT_PORTAL_LOGIN = 'proxy';
    // The harness registers with the first invite token (a user of a gated portal has one).
    if (inviteTokens.length && !env.S5CHAT_INVITE_CODE) env.S5CHAT_INVITE_CODE = inviteTokens[0];
    const restarts = [];
    restartable.set('devnode', async () => {
      const now = Date.now();
      while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length >= RESTART_LIMIT) {
        console.error(
          `[start] devnode died ${RESTART_LIMIT} times within ${RESTART_WINDOW_MS / 1000} s; not restarting it again. ` +
            `The harness keeps running; start the node by hand with: node packages/devnode/dist/cli.js --port ${devnodePort} --data ${dataDir}`,
        );
        return;
      }
      restarts.push(now);
      // Back off a little so a node that crashes at start does not spin.
      await new Promise((r) => setTimeout(r, 300 * restarts.length));
      if (stopping) return;
      const next = launch();
      try {
        await waitForHttp(`${portalUrl}/admin/stats`, 30_000, next);
        log(`devnode restarted at ${portalUrl} (data in ${dataDir})`);
      } catch (e) {
        console.error(`[start] devnode restart failed: ${e instanceof Error ? e.message : e}`);
      }
    });
  }
  env.S5CHAT_PORTAL_URL = portalUrl;

  const harnessDir = join(root, 'packages', 'harness');
  const nextBin = createRequire(join(harnessDir, 'package.json')).resolve('next/dist/bin/next');
  const harness = startChild('harness', process.execPath, [nextBin, 'start', '-p', String(harnessPort), '-H', '127.0.0.1'], { cwd: harnessDir, env });
  await waitForHttp(`http://127.0.0.1:${harnessPort}/api/config`, 60_000, harness);

  console.log('');
  console.log('  s5chat is running');
  console.log(`  harness: ${harnessUrl}`);
  console.log(`  portal:  ${portalUrl}${externalPortal ? ' (S5CHAT_PORTAL_URL)' : ` (devnode, profile ${profile}${inviteTokens.length ? ', invite-gated' : ''}, data in ${dataDir})`}`);
  console.log(externalPortal ? '  Press Ctrl-C to stop the harness.' : '  Press Ctrl-C to stop both.');
  console.log('');
}

main().catch((e) => {
  console.error(`[start] ${e instanceof Error ? e.message : e}`);
  void stopAll(1);
});
