/**
 * Issue 11: the README's five-step manual test on `npm start -- --profile dart-0.14` (Dart v0.14.1:
 * the token comes only as an HttpOnly cookie, so the page logs in through /api/portal-login).
 */
import { expect, test } from '@playwright/test';
import { manualTest } from './manual-steps';
import { runStartScript } from './start-script';

test('manual test in five steps on npm start --profile dart-0.14 (cookie-only login through the harness route)', async ({ context }) => {
  test.setTimeout(480_000); // npm start with the real Dart waits (2 s first reads), then a stress run
  const run = await runStartScript(['--profile', 'dart-0.14']);
  let proxied = 0;
  context.on('request', (r) => {
    if (r.url().includes('/api/portal-login')) proxied++;
  });
  try {
    expect(run.output()).toContain('profile dart-0.14');
    await manualTest(context, run.harnessUrl, run.portalUrl, 'dart-0.14');
    expect(proxied).toBeGreaterThan(0); // the browser logged in through the same-origin route
  } finally {
    await run.stop();
  }
});
