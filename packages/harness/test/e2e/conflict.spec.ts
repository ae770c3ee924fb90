import { expect, test } from '@playwright/test';
import { SCREENSHOT_DIR, expectAllAcknowledged, openConnected, sendWithoutWaiting } from './helpers';

test('conflict dialog: a rename from another tab is detected; keep mine and merge both work', async ({ context }) => {
  const tabA = await context.newPage();
  const tabB = await context.newPage();

  await openConnected(tabA);
  await tabA.getByTestId('auto-reply').uncheck();
  await tabA.getByTestId('start-session').click();
  await expect(tabA.getByTestId('session-live')).toHaveText(/session live/);
  const conversationId = (await tabA.getByTestId('conversation-id').textContent())?.trim() ?? '';
  await sendWithoutWaiting(tabA, ['hello']);
  await expectAllAcknowledged(tabA);
  await tabA.getByTestId('reload-from-storage').click();
  await expect(tabA.getByTestId('metadata-editor')).toBeVisible();

  // Tab A starts renaming (its form is now an edit of the revision it loaded)...
  await tabA.getByTestId('meta-title').fill('Title from tab A');
  // ...while tab B renames the conversation and saves first.
  await openConnected(tabB, `/?c=${conversationId}`);
  await expect(tabB.getByTestId('metadata-editor')).toBeVisible({ timeout: 30_000 });
  await tabB.getByTestId('meta-title').fill('Title from tab B');
  await tabB.getByTestId('meta-save').click();
  await expect(tabB.getByTestId('conversation-title')).toHaveText('Title from tab B');

  // Tab A saves its edit of the older revision: optimistic locking fails, the dialog shows both.
  await tabA.getByTestId('meta-save').click();
  const dialog = tabA.getByTestId('conflict-dialog');
  await expect(dialog).toBeVisible();
  await expect(tabA.getByTestId('conflict-mine-title')).toHaveText('Title from tab A');
  await expect(tabA.getByTestId('conflict-theirs-title')).toHaveText('Title from tab B');
  await tabA.screenshot({ path: `${SCREENSHOT_DIR}conflict-dialog.png`, fullPage: true });
  await tabA.getByTestId('conflict-keep-mine').click();
  await expect(dialog).toBeHidden();
  await expect(tabA.getByTestId('conversation-title')).toHaveText('Title from tab A');

  // Tab A starts editing tags; meanwhile tab B edits notes and saves → tab A's save conflicts, merge keeps both.
  await expect(tabB.getByTestId('conversation-title')).toHaveText('Title from tab A', { timeout: 15_000 });
  await expect(tabB.getByTestId('meta-title')).toHaveValue('Title from tab A', { timeout: 15_000 });
  await tabA.getByTestId('meta-tags').fill('urgent');
  await tabB.getByTestId('meta-notes').fill('notes from B');
  await tabB.getByTestId('meta-save').click();
  await expect(tabB.getByTestId('meta-notes')).toHaveValue('notes from B');
  await expect(tabB.getByTestId('meta-save')).toBeEnabled();

  await tabA.getByTestId('meta-save').click();
  await expect(dialog).toBeVisible();
  await expect(tabA.getByTestId('conflict-merged-tags')).toHaveText('urgent');
  await expect(tabA.getByTestId('conflict-merged-notes')).toHaveText('notes from B');
  await tabA.getByTestId('conflict-merge').click();
  await expect(dialog).toBeHidden();

  // What storage holds, seen from the other tab after a reload.
  await tabB.reload();
  await expect(tabB.getByTestId('loaded-revision')).not.toHaveText('–', { timeout: 30_000 });
  await expect(tabB.getByTestId('conversation-title')).toHaveText('Title from tab A');
  await expect(tabB.getByTestId('meta-tags')).toHaveValue('urgent');
  await expect(tabB.getByTestId('meta-notes')).toHaveValue('notes from B');
  await expect(tabA.getByTestId('error')).toHaveCount(0);
});
