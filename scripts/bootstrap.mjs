#!/usr/bin/env node
// Brings a fresh machine (Node 20 + npm, nothing else) to the point where the
// workspace runs: pnpm 10.34.9 (installed with npm, because corepack fails its
// signature checks on these machines and pnpm 11 crashes on Node 20), then the
// workspace dependencies. With --browsers it also makes sure Debian's chromium
// exists for the Playwright end-to-end tests (Playwright's own browser download
// cannot work offline).
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PNPM_VERSION = '10.34.9';
const args = new Set(process.argv.slice(2));

function run(cmd, opts = {}) {
  console.log(`[bootstrap] ${cmd}`);
  execSync(cmd, { stdio: 'inherit', ...opts });
}

function pnpmVersion() {
  const r = spawnSync('pnpm', ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`[bootstrap] Node ${process.versions.node} is too old: s5chat needs Node >= 20.19.`);
  process.exit(1);
}

if (pnpmVersion() !== PNPM_VERSION) run(`npm i -g pnpm@${PNPM_VERSION}`);

if (!existsSync('node_modules/.modules.yaml') || args.has('--force-install') || process.env.CI) {
  run(`pnpm install${process.env.CI ? ' --frozen-lockfile' : ''}`);
}

if (args.has('--browsers')) {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const sudo = isRoot ? '' : 'sudo ';
    try {
      run(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`);
    } catch {
      console.error(`[bootstrap] could not install Debian chromium; install it (apt-get install chromium) or set CHROMIUM_PATH.`);
      process.exit(1);
    }
  }
}
