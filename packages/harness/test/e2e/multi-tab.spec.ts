import { expect, test } from '@playwright/test';
import { expectAllAcknowledged, openConnected, sendWithoutWaiting, shownMessages, watchConsole, revisionErrors } from './helpers';

test('two tabs writing the same conversation: no message lost, both see all after reload', async ({ context }) => {
  const tabA = await context.newPage();
  const tabB = await context.newPage();
  const errorsA = watchConsole(tabA);
  const errorsB = watchConsole(tabB);

  await openConnected(tabA);
  await tabA.getByTestId('auto-reply').uncheck();
  await tabA.getByTestId('start-session').click();
  await expect(tabA.getByTestId('session-live')).toHaveText(/session live/);
  const conversationId = (await tabA.getByTestId('conversation-id').textContent())?.trim() ?? '';

  // Tab B opens the same conversation from its URL and writes too.
  await openConnected(tabB, `/?c=${conversationId}`);
  await expect(tabB.getByTestId('conversation-id')).toHaveText(conversationId);
  await tabB.getByTestId('auto-reply').uncheck();
  await tabB.getByTestId('start-session').click();
  await expect(tabB.getByTestId('session-live')).toHaveText(/session live/);

  const fromA = Array.from({ length: 6 }, (_, i) => `tab A message ${i}`);
  const fromB = Array.from({ length: 6 }, (_, i) => `tab B message ${i}`);
  // Interleave the two tabs without waiting for acknowledgements.
  await Promise.all([sendWithoutWaiting(tabA, fromA), sendWithoutWaiting(tabB, fromB)]);
  await expectAllAcknowledged(tabA);
  await expectAllAcknowledged(tabB);
  // Each tab hears the other's commits (BroadcastChannel) and shows them without a reload.
  for (const tab of [tabA, tabB]) {
    await expect(tab.locator('[data-testid=message]')).toHaveCount(12, { timeout: 20_000 });
  }

  for (const tab of [tabA, tabB]) {
    await tab.reload();
    await expect(tab.getByTestId('conversation-id')).toHaveText(conversationId, { timeout: 30_000 });
    await expect(tab.getByTestId('loaded-revision')).not.toHaveText('–', { timeout: 30_000 });
    const stored = (await shownMessages(tab)).map((m) => m.content);
    expect(stored.slice().sort()).toEqual([...fromA, ...fromB].sort());
    // Each tab's own messages keep their order.
    expect(stored.filter((c) => c.startsWith('tab A'))).toEqual(fromA);
    expect(stored.filter((c) => c.startsWith('tab B'))).toEqual(fromB);
  }
  expect(revisionErrors([...errorsA, ...errorsB])).toEqual([]);
});
