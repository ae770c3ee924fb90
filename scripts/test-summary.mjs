#!/usr/bin/env node
// Sums the JSON reports written by vitest (`--reporter=json`) and Playwright
// (`reporter: json`) under reports/ into one plain line: `N passed, N failed`.
// Exits non-zero when a test failed or no test ran at all.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'reports';
let passed = 0, failed = 0, skipped = 0;
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
for (const f of files) {
  const r = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  if (typeof r.numPassedTests === 'number') {
    // vitest / jest shape; a suite that failed to load counts as a failure
    passed += r.numPassedTests;
    failed += r.numFailedTests + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`  ${f}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  } else if (r.stats && typeof r.stats.expected === 'number') {
    // Playwright shape
    passed += r.stats.expected + (r.stats.flaky ?? 0);
    failed += r.stats.unexpected;
    skipped += r.stats.skipped ?? 0;
    console.log(`  ${f}: ${r.stats.expected} passed, ${r.stats.unexpected} failed`);
  }
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
