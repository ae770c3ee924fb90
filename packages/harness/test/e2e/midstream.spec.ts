/**
 * Bug 7: "Reload from storage" while a reply streams keeps the view (the
 * streaming reply stays and keeps growing); "Disconnect" while a reply
 * streams stores the partial reply and ends the session.
 */
import { expect, test } from '@playwright/test';
import { openConnected, sendWithoutWaiting, shownMessages } from './helpers';

test('reload from storage mid-stream keeps the view; disconnect mid-stream stores the partial reply and ends the session', async ({ page }) => {
  await openConnected(page);
  await page.getByTestId('ms-per-token').fill('40');
  await page.getByTestId('reply-tokens').fill('300'); // ≈ 12 s: surely still streaming below
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  const conversationId = ((await page.getByTestId('conversation-id').textContent()) ?? '').trim();
  await sendWithoutWaiting(page, ['tell me a long story']);

  const reply = page.locator('[data-testid=message][data-role=assistant]');
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  await expect(reply.getByTestId('message-badge')).toHaveText('streaming');
  // Let a checkpoint reach storage, then reload from storage while it streams.
  await expect.poll(async () => ((await reply.getByTestId('message-content').textContent()) ?? '').length, { timeout: 20_000 }).toBeGreaterThan(60);
  await page.getByTestId('reload-from-storage').click();
  await expect(page.getByTestId('busy')).toBeHidden({ timeout: 20_000 });
  await expect(page.getByTestId('message')).toHaveCount(2);
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  const before = ((await reply.getByTestId('message-content').textContent()) ?? '').length;
  expect(before).toBeGreaterThan(60);
  // Still growing after the reload: the view was not replaced by a stale copy.
  await expect.poll(async () => ((await reply.getByTestId('message-content').textContent()) ?? '').length, { timeout: 10_000 }).toBeGreaterThan(before + 20);
  const user = (await shownMessages(page)).find((m) => m.role === 'user');
  expect(user?.content).toBe('tell me a long story');

  // Disconnect mid-stream.
  await expect(reply).toHaveAttribute('data-streaming', 'true');
  const shownAtDisconnect = ((await reply.getByTestId('message-content').textContent()) ?? '').trim();
  await page.getByTestId('disconnect').click();
  await expect(page.getByTestId('connect-first')).toBeVisible({ timeout: 30_000 });

  // Reconnect: the conversation (still in the URL) is read back from the node.
  await page.getByTestId('connect-dev-wallet').click();
  await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('conversation-id')).toHaveText(conversationId);
  await expect(page.getByTestId('conversation-status')).toHaveText('ended', { timeout: 30_000 });
  await expect(page.getByTestId('message')).toHaveCount(2, { timeout: 30_000 });
  const stored = await shownMessages(page);
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant']);
  const storedReply = stored[1]!;
  expect(storedReply.state).toBe('stored');
  // What was on screen when Disconnect was clicked is stored (maybe a token or two more), and it is cut short.
  expect(storedReply.content.startsWith(shownAtDisconnect.slice(0, -12))).toBe(true);
  expect(storedReply.content.split(/\s+/).length).toBeLessThan(300);
  await expect(page.locator('[data-testid=message][data-role=assistant]')).toHaveAttribute('data-partial', 'true');
  await expect(page.locator('[data-testid=message][data-role=assistant]').getByTestId('message-badge')).toHaveText('partial');
});
