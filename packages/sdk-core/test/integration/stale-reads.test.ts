/**
 * Against the real devnode: a portal serving stale registry reads (staleReadRate) must never turn
 * a write into an acknowledged no-op. The devnode answers a stale read of a first revision with
 * 404, which looks exactly like "no conversation".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk } from '../../src/index.js';

type Node = Awaited<ReturnType<typeof startDevnode>>;
let node: Node;

beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

describe('devnode: stale registry reads', () => {
  it('a delete is never acknowledged from a stale "not found"; it fails typed and the data stays', async () => {
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase: generateSeedPhrase(), retry: { baseMs: 5 }, storage: { compaction: { enabled: false }, readBeforeWrite: 'always' } });
    try {
      await sdk.storage.appendMessage('kept', { id: 'm1', role: 'user', content: 'hello', timestamp: 1 });
      node.setFaults({ staleReadRate: 1 }); // every registry read now serves the previous revision (none ⇒ 404)
      const err = await sdk.storage.deleteConversation('kept').then(
        (r) => r,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'REVISION_CONFLICT' });
      expect(node.stats().faults.staleReads).toBeGreaterThan(0);
      node.setFaults({ staleReadRate: 0 });
      expect((await sdk.loadConversation('kept'))!.messages.map((m) => m.id)).toEqual(['m1']);
      const del = await sdk.storage.deleteConversation('kept');
      expect(del.revision).toBe(2);
      expect(await sdk.loadConversation('kept')).toBeNull();
    } finally {
      node.setFaults({ staleReadRate: 0 });
      await sdk.close();
    }
  });

  it('with half the reads stale, every acknowledged delete after a re-create really deleted', async () => {
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase: generateSeedPhrase(), retry: { baseMs: 5 }, storage: { compaction: { enabled: false } } });
    try {
      await sdk.storage.appendMessage('again', { id: 'a', role: 'user', content: 'one', timestamp: 1 });
      await sdk.storage.deleteConversation('again');
      let acknowledged = 0;
      for (let i = 0; i < 6; i++) {
        await sdk.storage.appendMessage('again', { id: `r${i}`, role: 'user', content: `round ${i}`, timestamp: 10 + i });
        node.setFaults({ staleReadRate: 0.5 }); // the previous revision is the tombstone: "nothing to delete"
        const r = await sdk.storage.deleteConversation('again').catch((e: unknown) => e);
        node.setFaults({ staleReadRate: 0 });
        const loaded = await sdk.loadConversation('again');
        if (r instanceof Error) {
          expect(r).toMatchObject({ code: 'REVISION_CONFLICT' });
          expect(loaded).not.toBeNull();
          await sdk.storage.deleteConversation('again');
        } else {
          acknowledged++;
          expect(loaded).toBeNull();
        }
      }
      expect(acknowledged).toBeGreaterThan(0);
    } finally {
      node.setFaults({ staleReadRate: 0 });
      await sdk.close();
    }
  });
});
