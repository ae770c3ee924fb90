/**
 * Two devices of one identity: two browser contexts (separate storage, no
 * BroadcastChannel between them) connected with one seed phrase, against a
 * devnode on the `dart` profile.
 *   - B sees A's messages and A's streaming reply live, without a reload
 *     (storage.watch over the network);
 *   - bug 3: A goes offline (the node stops) and sends 3 messages: they are
 *     queued and shown as queued, sent after the node restarts, and all 3 are
 *     durable, in order, on both devices.
 */
import { expect, test, type Page } from '@playwright/test';
import { generateSeedPhrase } from '@s5chat/s5';
import { OwnDevnode, connectWithSeed, expectAllAcknowledged, sendWithoutWaiting, shownMessages } from './helpers';

const node = new OwnDevnode();
test.beforeAll(async () => void (await node.start()));
test.afterAll(async () => node.dispose());

async function contents(page: Page): Promise<string[]> {
  return (await shownMessages(page)).map((m) => m.content);
}

test('two devices, one seed phrase: B sees A’s messages and streaming reply live; offline sends are queued, then durable in order on both', async ({ browser }) => {
  test.setTimeout(150_000);
  const phrase = generateSeedPhrase();
  const ctxA = await browser.newContext();
  const ctxB = await browser.newContext();
  await node.useIn(ctxA);
  await node.useIn(ctxB);
  const a = await ctxA.newPage();
  const b = await ctxB.newPage();
  await connectWithSeed(a, phrase);

  // A starts a conversation with a streamed reply; B opens it.
  await a.getByTestId('ms-per-token').fill('60');
  await a.getByTestId('reply-tokens').fill('120'); // ≈ 7 s of streaming
  await a.getByTestId('start-session').click();
  await expect(a.getByTestId('session-live')).toHaveText(/session live/);
  const id = ((await a.getByTestId('conversation-id').textContent()) ?? '').trim();
  await sendWithoutWaiting(a, ['hello from device A']);
  await expect(a.locator('[data-testid=message][data-role=user][data-state=stored]')).toHaveCount(1, { timeout: 30_000 });
  // The seed phrase is never stored: B connects with it on the conversation's URL.
  await connectWithSeed(b, phrase, `/?c=${id}`);
  expect(await b.getByTestId('identity-public-key').getAttribute('data-key')).toBe(await a.getByTestId('identity-public-key').getAttribute('data-key'));
  await expect(b.getByTestId('conversation-id')).toHaveText(id);

  // B sees A's question, and A's reply growing while A still streams it — no reload on B.
  await expect(b.locator('[data-testid=message-content]', { hasText: 'hello from device A' })).toBeVisible({ timeout: 20_000 });
  const replyOnB = b.locator('[data-testid=message][data-role=assistant]');
  await expect(replyOnB).toHaveCount(1, { timeout: 20_000 });
  await expect(a.locator('[data-testid=message][data-role=assistant]')).toHaveAttribute('data-streaming', 'true');
  const firstSeen = ((await replyOnB.getByTestId('message-content').textContent()) ?? '').length;
  await expect.poll(async () => ((await replyOnB.getByTestId('message-content').textContent()) ?? '').length, { timeout: 20_000 }).toBeGreaterThan(firstSeen);
  await expect(a.locator('[data-testid=message][data-role=assistant]')).toHaveAttribute('data-streaming', 'true');
  // Once A's reply is done, B holds exactly A's text.
  await expect(a.locator('[data-testid=message][data-role=assistant]')).toHaveAttribute('data-streaming', 'false', { timeout: 30_000 });
  const finalReply = (await a.locator('[data-testid=message][data-role=assistant]').getByTestId('message-content').textContent()) ?? '';
  await expect(replyOnB.getByTestId('message-content')).toHaveText(finalReply, { timeout: 20_000 });
  await expect(b.getByTestId('arrival').first()).toBeVisible();
  await b.screenshot({ path: 'test-results/screenshots/device-b-live.png', fullPage: true });

  // Offline: the node stops; A sends 3 messages — queued, shown as queued.
  await a.getByTestId('auto-reply').uncheck();
  await node.stop();
  await expect(a.getByTestId('portal-health')).toHaveAttribute('data-state', 'down', { timeout: 15_000 });
  const offline = ['offline 1', 'offline 2', 'offline 3'];
  await sendWithoutWaiting(a, offline);
  await expect(a.locator('[data-testid=message][data-state=queued]')).toHaveCount(3, { timeout: 60_000 });
  await expect(a.locator('[data-testid=message][data-state=queued]').first().getByTestId('message-badge')).toHaveText('queued (offline)');
  await a.screenshot({ path: 'test-results/screenshots/device-a-queued.png', fullPage: true });

  // The node comes back (same port, same data): the outbox sends them; both devices show all 3 in order.
  await node.start();
  await expectAllAcknowledged(a);
  const expected = ['hello from device A', finalReply, ...offline];
  await expect.poll(() => contents(a), { timeout: 30_000 }).toEqual(expected);
  await expect.poll(() => contents(b), { timeout: 30_000 }).toEqual(expected);
  // Durable: a fresh read on each device (full reload) finds them, in order.
  for (const page of [a, b]) {
    await connectWithSeed(page, phrase, `/?c=${id}`);
    await expect(page.getByTestId('conversation-id')).toHaveText(id, { timeout: 30_000 });
    await expect(page.getByTestId('message')).toHaveCount(5, { timeout: 30_000 });
    expect(await contents(page)).toEqual(expected);
    expect((await shownMessages(page)).every((m) => m.state === 'stored')).toBe(true);
  }
  await ctxA.close();
  await ctxB.close();
});
