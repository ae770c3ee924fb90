/**
 * Bug 1: switching conversations quickly (≈ 60 ms apart) with a slow portal
 * must never show one conversation's header and URL with another's messages,
 * and a send afterwards must land in the conversation on screen.
 */
import { expect, test } from '@playwright/test';
import { OwnDevnode, expectAllAcknowledged, openConnectedTo, sendWithoutWaiting, shownMessages, startSessionNoReplies } from './helpers';

const node = new OwnDevnode();
test.beforeAll(async () => void (await node.start()));
test.afterAll(async () => node.dispose());

test('fast switching with latency: header, URL and messages always agree; a send lands in the shown one', async ({ page, context }) => {
  test.setTimeout(120_000);
  await node.useIn(context);
  await openConnectedTo(page, node);

  // Three conversations, each with one message naming it.
  const ids: string[] = [];
  for (let k = 0; k < 3; k++) {
    if (k > 0) {
      await page.getByTestId('end-session').click();
      await expect(page.getByTestId('conversation-status')).toHaveText('ended');
      await page.getByTestId('new-conversation').click();
    }
    const id = await startSessionNoReplies(page);
    await sendWithoutWaiting(page, [`marker of ${id}`]);
    await expectAllAcknowledged(page);
    ids.push(id);
  }
  await page.getByTestId('end-session').click();
  await expect(page.getByTestId('conversation-status')).toHaveText('ended');
  for (const id of ids) await expect(page.locator(`[data-testid=open-conversation][data-id="${id}"]`)).toBeVisible({ timeout: 30_000 });

  // A slow portal: every request waits 150–400 ms, so answers arrive out of order.
  await node.setFaults({ latencyMs: 150, jitterMs: 250 });
  const order = [ids[0], ids[1], ids[2], ids[0], ids[2], ids[1]] as string[];
  for (const id of order) {
    await page.locator(`[data-testid=open-conversation][data-id="${id}"]`).click();
    await page.waitForTimeout(60);
  }
  const last = order[order.length - 1] as string;
  // Sample the view while answers arrive: at no moment may it mix two conversations.
  for (let i = 0; i < 25; i++) {
    const view = await page.evaluate(() => ({
      id: document.querySelector('[data-testid=conversation-id]')?.textContent ?? '',
      url: new URL(location.href).searchParams.get('c') ?? '',
      contents: [...document.querySelectorAll('[data-testid=message] [data-testid=message-content]')].map((e) => e.textContent ?? ''),
    }));
    expect(view.id).toBe(last);
    expect(view.url).toBe(last);
    for (const c of view.contents) expect(c).toBe(`marker of ${last}`);
    await page.waitForTimeout(80);
  }
  await expect(page.getByTestId('message')).toHaveCount(1, { timeout: 20_000 });
  expect((await shownMessages(page)).map((m) => m.content)).toEqual([`marker of ${last}`]);

  // Resume and send: the message lands in the conversation on screen, nowhere else.
  await page.getByTestId('start-session').click();
  await expect(page.getByTestId('session-live')).toHaveText(/session live/);
  await sendWithoutWaiting(page, ['sent after switching']);
  await expectAllAcknowledged(page);
  await node.setFaults({ latencyMs: 0, jitterMs: 0 });
  for (const id of ids) {
    await page.goto(`/?c=${id}`);
    await expect(page.getByTestId('conversation-id')).toHaveText(id, { timeout: 30_000 });
    await expect(page.getByTestId('loaded-revision')).not.toHaveText('–', { timeout: 30_000 });
    const contents = (await shownMessages(page)).map((m) => m.content);
    expect(contents).toEqual(id === last ? [`marker of ${id}`, 'sent after switching'] : [`marker of ${id}`]);
  }
});
