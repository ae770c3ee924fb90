/**
 * Bug 4: a down or hung portal is visible. The header's health badge follows
 * the portal (up → down when the node stops → up when it is back; hung when
 * it accepts connections but does not answer), and a write left waiting says
 * how long it has waited.
 */
import { expect, test } from '@playwright/test';
import { OwnDevnode, openConnectedTo, sendWithoutWaiting, startSessionNoReplies } from './helpers';

const node = new OwnDevnode();
test.beforeAll(async () => void (await node.start()));
test.afterAll(async () => node.dispose());

test('portal health: up, down when the node stops, hung when it stops answering, up again', async ({ page, context }) => {
  test.setTimeout(120_000);
  await node.useIn(context);
  await openConnectedTo(page, node);
  const health = page.getByTestId('portal-health');
  await expect(health).toHaveAttribute('data-state', 'up', { timeout: 15_000 });
  await expect(page.getByTestId('portal-health-badge')).toContainText(/Portal up · \d+ ms/);
  await startSessionNoReplies(page);

  await node.stop();
  await expect(health).toHaveAttribute('data-state', 'down', { timeout: 15_000 });
  await expect(page.getByTestId('portal-health-badge')).toContainText('Portal down');
  await expect(page.getByTestId('portal-health-detail')).toContainText('connection refused');
  await node.start();
  await expect(health).toHaveAttribute('data-state', 'up', { timeout: 15_000 });

  // Hung: the node accepts the connection but answers only after 8 s.
  await node.setFaults({ latencyMs: 8000 });
  await expect(health).toHaveAttribute('data-state', 'hung', { timeout: 20_000 });
  await expect(page.getByTestId('portal-health-badge')).toContainText('not answering');
  // A write meanwhile: the page says how long it has been waiting (never a silent "pending").
  await sendWithoutWaiting(page, ['sent while the node hangs']);
  // Either it is still in flight and the header counts its wait, or the client's timeout already
  // handed it to the outbox and the message says queued: both are visible, neither is a silent pending.
  const waiting = page.getByTestId('writes-waiting');
  const queued = page.locator('[data-testid=message][data-state=queued]');
  await expect(waiting.or(queued).first()).toBeVisible({ timeout: 30_000 });
  if (await waiting.isVisible()) await expect(waiting).toContainText(/oldest write waiting \d+ s/);
  else await expect(queued).toContainText('sent while the node hangs');
  await node.setFaults({ latencyMs: 0 });
  await expect(health).toHaveAttribute('data-state', 'up', { timeout: 20_000 });
});
