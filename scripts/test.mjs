#!/usr/bin/env node
// The README's test command: bootstrap, build the libraries, run every
// package's tests (unit, integration against a real devnode, reliability,
// browser end-to-end), check the publishable packages (scripts/pack-check.mjs: pack,
// publint, attw, a smoke install outside the workspace), then print one plain
// `N passed, N failed` line counted from the JSON reports (CI reads that line).
import { execSync } from 'node:child_process';
import { rmSync } from 'node:fs';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
execSync('node scripts/bootstrap.mjs --browsers', { stdio: 'inherit' });
rmSync('reports', { recursive: true, force: true });

let status = 0;
try {
  execSync('pnpm exec turbo run build', { stdio: 'inherit' });
  // One package at a time: the machine has 2 cores and the suites start real
  // servers; running them side by side only makes every suite slower.
  execSync('pnpm exec turbo run test --concurrency=1 --continue', { stdio: 'inherit' });
} catch (err) {
  status = typeof err.status === 'number' && err.status !== 0 ? err.status : 1;
}
try {
  // Writes reports/pack-check.json (one entry per check), summed below like the test runners' reports.
  execSync('node scripts/pack-check.mjs', { stdio: 'inherit' });
} catch (err) {
  status = status || 1;
}
try {
  execSync('node scripts/test-summary.mjs', { stdio: 'inherit' });
} catch (err) {
  status = status || 1;
}
process.exit(status);
