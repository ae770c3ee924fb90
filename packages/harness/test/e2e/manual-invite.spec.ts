/**
 * Issue 11: the README's five-step manual test on `npm start -- --invite <token>` (a Dart portal
 * whose registration is invite-gated; the harness registers with the token it was given).
 */
import { expect, test } from '@playwright/test';
import { manualTest } from './manual-steps';
import { runStartScript } from './start-script';

test('manual test in five steps on npm start --invite (invite-gated dart portal)', async ({ context }) => {
  test.setTimeout(480_000); // npm start with the real Dart waits (2 s first reads), then a stress run
  const run = await runStartScript(['--invite', 'e2e-invite-token']);
  try {
    expect(run.output()).toContain('profile dart, invite-gated');
    // Gated for real: registering without the token is refused by the portal.
    const challenge = await fetch(`${run.portalUrl}/s5/account/register?pubKey=7Q${'A'.repeat(42)}`);
    expect(challenge.status).toBeGreaterThanOrEqual(400);
    await manualTest(context, run.harnessUrl, run.portalUrl, 'dart');
  } finally {
    await run.stop();
  }
});
