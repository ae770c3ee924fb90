import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, expectAllAcknowledged, openConnected, revisionErrors, sendWithoutWaiting, shownMessages, watchConsole } from './helpers';

test('rapid streaming: 4 messages without waiting, end during the 4th reply, all 8 stored in order', async ({ page }) => {
  const consoleErrors = watchConsole(page);
  await openConnected(page);

  // ~1.6 s per reply: long enough to catch the 4th one mid-stream.
  await page.getByTestId('ms-per-token').fill('40');
  await page.getByTestId('reply-tokens').fill('40');
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  const conversationId = (await page.getByTestId('conversation-id').textContent())?.trim() ?? '';
  expect(conversationId).not.toBe('–');

  const prompts = ['first question', 'second question', 'third question', 'fourth question'];
  await sendWithoutWaiting(page, prompts);

  // Replies read their settings when they start: once the 3rd is streaming,
  // make the 4th one long (400 tokens ≈ 16 s) so ending it is surely mid-stream.
  // Each reply has its place under its question from the start; it waits for the earlier replies.
  const replies = page.locator('[data-testid=message][data-role=assistant]');
  await expect(replies).toHaveCount(4);
  await expect(replies.nth(3).getByTestId('message-badge')).toHaveText('waiting for earlier replies');
  await expect(replies.nth(2)).toHaveAttribute('data-streaming', 'true', { timeout: 45_000 });
  await page.getByTestId('reply-tokens').fill('400');
  // The 4th reply is streaming (at least one token shown): end the session now.
  const fourth = replies.nth(3);
  await expect(fourth).toHaveAttribute('data-streaming', 'true', { timeout: 45_000 });
  await expect(fourth.getByTestId('message-content')).not.toHaveText('');
  await expect(fourth).toHaveAttribute('data-streaming', 'true');
  await expect(fourth.getByTestId('message-badge')).toHaveText('streaming');
  // Each reply is shown beside its question, not after all of them.
  expect((await shownMessages(page)).map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  await page.getByTestId('end-session').click();

  await expect(page.getByTestId('conversation-status')).toHaveText('ended', { timeout: 30_000 });
  await expectAllAcknowledged(page);
  await expect(page.getByTestId('error')).toHaveCount(0);
  const live = await shownMessages(page);
  await page.screenshot({ path: `${SCREENSHOT_DIR}chat.png`, fullPage: true });

  // A full page reload: what is shown now is read back from the node.
  await page.reload();
  await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('conversation-id')).toHaveText(conversationId);
  await expect(page.getByTestId('loaded-revision')).not.toHaveText('–', { timeout: 30_000 });
  await expect(page.getByTestId('conversation-status')).toHaveText('ended');

  // The conversation list (the SDK's index on the node) has it too.
  await expect(page.locator(`[data-testid=open-conversation][data-id="${conversationId}"]`)).toBeVisible();

  const stored = await shownMessages(page);
  expect(stored).toHaveLength(8);
  // Stored and shown as question, reply, question, reply…; only the cut 4th reply is partial.
  expect(stored.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  expect(stored.map((m) => m.partial)).toEqual(['false', 'false', 'false', 'false', 'false', 'false', 'false', 'true']);
  await expect(page.locator('[data-testid=message]').nth(7).getByTestId('message-badge')).toHaveText('partial');
  // The list names the conversation by its first question and counts its messages.
  const item = page.locator(`[data-testid=open-conversation][data-id="${conversationId}"]`);
  await expect(item.getByTestId('conversation-item-title')).toHaveText('first question');
  await expect(item.getByTestId('conversation-item-count')).toHaveText('8 msgs');
  expect(stored.every((m) => m.state === 'stored')).toBe(true);
  // Users' messages in the order they were sent; every reply after its question.
  expect(stored.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(prompts);
  const assistantStored = stored.filter((m) => m.role === 'assistant');
  expect(assistantStored).toHaveLength(4);
  for (let i = 0; i < 4; i++) {
    const q = stored.findIndex((m) => m.role === 'user' && m.content === prompts[i]);
    const replyIndex = stored.indexOf(assistantStored[i]!);
    expect(replyIndex).toBeGreaterThan(q);
  }
  // Stored replies are what the page streamed, including the partial 4th one.
  const liveReplies = live.filter((m) => m.role === 'assistant').map((m) => m.content);
  expect(assistantStored.map((m) => m.content)).toEqual(liveReplies);
  const fourthWords = liveReplies[3]!.trim().split(/\s+/).length;
  expect(fourthWords).toBeGreaterThan(0);
  expect(fourthWords).toBeLessThan(400); // cut short: the session really ended mid-stream

  expect(revisionErrors(consoleErrors)).toEqual([]);
  // No application error reached the console (hydration, uncaught rejections, ...);
  // console.spec checks the network lines too.
  expect(consoleErrors.filter((e) => !e.startsWith('Failed to load resource'))).toEqual([]);
  await page.screenshot({ path: `${SCREENSHOT_DIR}chat-after-reload.png`, fullPage: true });
});
