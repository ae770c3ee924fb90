#!/usr/bin/env node
// What a dApp developer installs, checked the way they get it: `pnpm pack` every library (every
// non-private package under packages/, so @s5chat/react joins once it exists), inspect each tarball
// (real versions instead of workspace:, README + LICENSE, no source maps), lint it with publint and
// @arethetypeswrong/cli, then install the tarballs into a fresh npm project OUTSIDE the workspace
// and run the README's Install example (Node ESM and CJS, `tsc --strict` with node16 resolution)
// against a devnode started from the installed tarball's own bin on 127.0.0.1, port 0.
//
// Each check counts as one test in reports/pack-check.json (vitest's JSON shape), so
// scripts/test-summary.mjs sums it into the `N passed, N failed` line. Exit code 1 if one failed.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const results = [];
const started = Date.now();

function run(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20, ...opts });
}
/** Like run(), without blocking: the linters of all packages run side by side. */
async function runAsync(cmd, args, opts = {}) {
  return (await promisify(execFile)(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts })).stdout;
}

/** Run one named check; a thrown error (or a non-zero exit) fails it and prints why. */
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    const out = [err.stdout, err.stderr].filter(Boolean).join('\n').trim();
    results.push({ name, ok: false, message: `${err.message}${out ? `\n${out}` : ''}` });
    console.log(`  ✗ ${name}\n${indent(`${err.message}${out ? `\n${out}` : ''}`)}`);
  }
}
const indent = (s) => s.split('\n').map((l) => `      ${l}`).join('\n');
const assert = (ok, message) => {
  if (!ok) throw new Error(message);
};

// --- the libraries ---------------------------------------------------------------------------

const libraries = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), pkgPath: join(root, 'packages', dir, 'package.json') }))
  .filter((p) => existsSync(p.pkgPath))
  .map((p) => ({ ...p, manifest: JSON.parse(readFileSync(p.pkgPath, 'utf8')) }))
  .filter((p) => p.manifest.private !== true);
const names = libraries.map((l) => l.manifest.name);
console.log(`pack-check: ${names.join(', ')}`);

const missing = libraries.filter((l) => !existsSync(join(l.dir, 'dist')));
if (missing.length) {
  // npm test builds first; building here keeps the script usable on its own.
  run('pnpm', ['exec', 'turbo', 'run', 'build', ...missing.flatMap((l) => ['--filter', l.manifest.name])], { cwd: root, stdio: 'inherit' });
}

const work = mkdtempSync(join(tmpdir(), 's5chat-pack-'));
const tarDir = join(work, 'tarballs');
mkdirSync(tarDir);
const tarballs = new Map(); // name -> path

for (const lib of libraries) {
  const { name } = lib.manifest;
  await check(`${name}: pnpm pack`, () => {
    const out = run('pnpm', ['pack', '--pack-destination', tarDir], { cwd: lib.dir });
    const file = out.trim().split('\n').map((l) => l.trim()).reverse().find((l) => l.endsWith('.tgz'));
    assert(file && existsSync(file), `pnpm pack printed no tarball path:\n${out}`);
    tarballs.set(name, file);
  });
  const tarball = tarballs.get(name);
  if (!tarball) continue;

  await check(`${name}: tarball contents (real versions, README, LICENSE, no source maps)`, () => {
    const files = run('tar', ['-tzf', tarball]).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json']));
    const problems = [];
    for (const section of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
      for (const [dep, range] of Object.entries(manifest[section] ?? {})) {
        if (String(range).startsWith('workspace:')) problems.push(`${section}.${dep} is still "${range}"`);
        if (section !== 'devDependencies' && /^\d/.test(String(range))) problems.push(`${section}.${dep} is pinned to ${range} (use a range)`);
      }
    }
    for (const required of ['README.md', 'LICENSE', 'package.json']) if (!files.includes(required)) problems.push(`${required} missing`);
    for (const f of files) if (f.endsWith('.map')) problems.push(`source map shipped: ${f}`);
    for (const key of ['repository', 'homepage', 'bugs', 'license']) if (!manifest[key]) problems.push(`no "${key}" field`);
    for (const target of Object.values(manifest.bin ?? {})) if (!files.includes(String(target).replace(/^\.\//, ''))) problems.push(`bin ${target} missing`);
    // Every shipped JS file must be reachable: an entry point (exports/bin) or a chunk they import.
    const reachable = new Set(
      JSON.stringify([manifest.exports, manifest.bin, manifest.main, manifest.module, manifest.types])
        .match(/\.\/dist\/[^"]+/g)
        ?.map((p) => p.slice(2)) ?? [],
    );
    for (const f of files) {
      if (!/\.(c|m)?js$/.test(f) || reachable.has(f) || /(^|\/)chunk-[\w-]+\.js$/.test(f)) continue;
      problems.push(`unused artefact: ${f}`);
    }
    assert(problems.length === 0, problems.join('\n'));
    console.log(`      ${basename(tarball)}: ${files.length} files, deps ${JSON.stringify(manifest.dependencies ?? {})}`);
  });

}

// --- the smoke project: a stranger's fresh npm project -----------------------------------------

const app = join(work, 'app');
mkdirSync(app);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The ```ts block right after `<!-- pack-check: <kind> ... -->` in README.md. */
function readmeBlock(kind) {
  const m = readme.match(new RegExp(`<!-- pack-check: ${kind}\\b[^>]*-->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``));
  if (!m) throw new Error(`README.md has no <!-- pack-check: ${kind} --> code block`);
  return m[1];
}

const hasReact = tarballs.has('@s5chat/react');
const installCheck = () => check('smoke: npm install the tarballs into a fresh project outside the workspace', async () => {
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke-app', version: '1.0.0', private: true }, null, 2));
  const extra = ['typescript@5.9.3', '@types/node@^20.19.0'];
  if (hasReact) extra.push('react@^19.2.0', '@types/react@^19.2.0');
  await runAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs.values(), ...extra], { cwd: app });
  const installed = (n) => JSON.parse(readFileSync(join(app, 'node_modules', n, 'package.json'), 'utf8'));
  for (const n of names) assert(installed(n).version === libraries.find((l) => l.manifest.name === n).manifest.version, `${n} not installed`);
  // The browser-only path must not drag ws in: only the devnode (a Node server) depends on it.
  const wsDependents = names.filter((n) => Object.keys(installed(n).dependencies ?? {}).includes('ws'));
  assert(wsDependents.every((n) => n === '@s5chat/devnode'), `ws is a dependency of ${wsDependents.join(', ')}`);
});


// The linters are slow (attw loads TypeScript) and independent: run them for all packages at once,
// while npm installs the smoke project (network-bound).
await Promise.all([
  installCheck(),
  ...[...tarballs].flatMap(([name, tarball]) => [
    check(`${name}: publint (strict)`, async () => {
      const out = await runAsync(bin('publint'), ['run', tarball, '--strict', '--level', 'suggestion']);
      // publint exits non-zero on errors (and warnings, in strict mode); suggestions only print.
      assert(!/Suggestions?:/i.test(out), out);
    }),
    check(`${name}: @arethetypeswrong/cli`, () => runAsync(bin('attw'), [tarball, '--format', 'ascii', '--no-color'])),
  ]),
]);

let devnode;

await check('smoke: the installed s5chat-devnode bin starts on 127.0.0.1, port 0', async () => {
  devnode = await startDevnodeBin(join(app, 'node_modules', '.bin', 's5chat-devnode'));
  assert(/^http:\/\/127\.0\.0\.1:\d+$/.test(devnode.url), `unexpected portal URL ${devnode.url}`);
});

const env = { ...process.env, S5_PORTAL: devnode?.url ?? 'http://127.0.0.1:9' };
const esm = readmeBlock('esm');
const cjs = readmeBlock('cjs');
writeFileSync(join(app, 'app.mjs'), esm);
writeFileSync(join(app, 'app.cjs'), cjs);

await check('smoke: README example as Node ESM (app.mjs)', () => {
  const out = run(process.execPath, ['app.mjs'], { cwd: app, env, timeout: 60_000 });
  assert(out.includes('Hello, S5!'), `unexpected output: ${out}`);
});

await check('smoke: README example as Node CommonJS (app.cjs)', () => {
  const out = run(process.execPath, ['app.cjs'], { cwd: app, env, timeout: 60_000 });
  assert(out.trim().endsWith('1'), `unexpected output: ${out}`);
});

await check('smoke: an error thrown by the CJS build passes the ESM guards (one process)', () => {
  writeFileSync(
    join(app, 'dual.mjs'),
    `import { createRequire } from 'node:module';
import * as esm from '@s5chat/sdk-core';
const cjs = createRequire(import.meta.url)('@s5chat/sdk-core');
if (cjs.validateSeedPhrase === esm.validateSeedPhrase) throw new Error('not two copies');
let e;
try { cjs.validateSeedPhrase('one two three four five six seven eight nine ten eleven twelve'); } catch (err) { e = err; }
const ok = esm.isS5ChatError(e) && esm.isS5ChatError(e, 'INVALID_SEED_PHRASE') && esm.InvalidSeedPhraseError.is(e)
  && e instanceof esm.InvalidSeedPhraseError && e instanceof esm.S5ChatError && !(e instanceof esm.ValidationError)
  && e.message.includes('generateSeedPhrase()');
if (!ok) throw new Error('guards failed: ' + e);
console.log('ok');
`,
  );
  assert(run(process.execPath, ['dual.mjs'], { cwd: app }).trim() === 'ok', 'dual-package check printed no ok');
});

await check('smoke: README example typechecks (tsc --strict, module/moduleResolution node16, ESM + CJS)', () => {
  writeFileSync(join(app, 'app.mts'), esm);
  // In a .cts file TypeScript only types an import statement (it compiles to require()).
  writeFileSync(join(app, 'app.cts'), cjs.replace(/^const \{([^}]+)\} = require\('([^']+)'\);/m, "import {$1} from '$2';"));
  const files = ['app.mts', 'app.cts'];
  if (hasReact) {
    writeFileSync(join(app, 'react.mts'), "import * as r from '@s5chat/react';\nexport const hooks: unknown[] = Object.values(r);\n");
    files.push('react.mts');
  }
  const tsc = join(app, 'node_modules', '.bin', 'tsc');
  // --skipLibCheck: checking every .d.ts (TypeScript's libs, @types/node) costs a minute of CPU; our own
  // declarations are typechecked when tsup emits them, and attw checks how they resolve.
  run(tsc, ['--strict', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node', '--skipLibCheck', ...files], { cwd: app });
});

if (hasReact) {
  await check('smoke: @s5chat/react loads from ESM and CJS', () => {
    writeFileSync(join(app, 'react-load.mjs'), "import * as r from '@s5chat/react';\nimport { createRequire } from 'node:module';\nconst c = createRequire(import.meta.url)('@s5chat/react');\nif (typeof r.S5ChatProvider !== 'function' || typeof c.S5ChatProvider !== 'function') throw new Error('no S5ChatProvider');\nconsole.log('ok');\n");
    assert(run(process.execPath, ['react-load.mjs'], { cwd: app }).trim() === 'ok', 'no ok');
  });
}

await devnode?.stop();
if (!process.env.PACK_CHECK_KEEP) rmSync(work, { recursive: true, force: true });
else console.log(`  (kept ${work})`);

// --- report ----------------------------------------------------------------------------------

const failed = results.filter((r) => !r.ok);
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(
  join(root, 'reports', 'pack-check.json'),
  JSON.stringify(
    {
      numPassedTests: results.length - failed.length,
      numFailedTests: failed.length,
      numFailedTestSuites: 0,
      numPendingTests: 0,
      testResults: results.map((r) => ({ name: r.name, status: r.ok ? 'passed' : 'failed', message: r.message ?? '' })),
    },
    null,
    2,
  ),
);
console.log(`pack-check: ${results.length - failed.length} passed, ${failed.length} failed (${Math.round((Date.now() - started) / 1000)} s)`);
process.exit(failed.length ? 1 : 0);

/** Start the devnode CLI (port 0) and wait for its first stdout line, the JSON with portalUrl. */
function startDevnodeBin(cli) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cli, ['--port', '0', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`devnode did not start within 30 s\n${err}`));
    }, 30_000);
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`devnode exited with ${code}\n${err}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        const { portalUrl } = JSON.parse(out.slice(0, nl));
        resolvePromise({
          url: portalUrl,
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      } catch (e) {
        child.kill('SIGTERM');
        reject(new Error(`devnode's first line is not JSON: ${out.slice(0, nl)}`));
      }
    });
  });
}
