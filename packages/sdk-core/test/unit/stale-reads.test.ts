import { describe, expect, it } from 'vitest';
import type { CallOptions, RegistryEntry } from '@s5chat/s5';
import { MemoryBackend, deriveConversationKeys, deriveIndexKeys } from '../../src/index.js';
import { Tap, identity, manager, msg } from '../support/helpers.js';

const pk = (id: string) => deriveConversationKeys(identity(), id).keyPair.publicKey;

/**
 * A portal that serves an older registry entry for the next `staleFor` reads (as a lagging portal,
 * or the devnode's staleReadRate, does). Everything else goes to the real MemoryBackend.
 */
class StaleReads extends Tap {
  staleEntry: RegistryEntry | null = null;
  staleFor = 0;
  override async registryGet(key: Uint8Array, o?: CallOptions): Promise<RegistryEntry | null> {
    if (this.staleFor > 0) {
      this.staleFor--;
      this.calls.push('registryGet');
      return this.staleEntry;
    }
    return super.registryGet(key, o);
  }
}

describe('a stale registry read never turns an operation into an acknowledged no-op', () => {
  it('deleteConversation after a re-create is not skipped because a stale read shows the old tombstone', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    const sm = manager(backend, { backend: stale, compaction: { enabled: false } });
    await sm.appendMessage('c', msg('m1'));
    await sm.deleteConversation('c');
    const tombstone = backend.peekEntry(pk('c'))!;
    const recreated = await sm.appendMessage('c', msg('m2'));
    expect(recreated.revision).toBe(3);
    stale.staleEntry = tombstone;
    stale.staleFor = 1;
    const del = await sm.deleteConversation('c');
    expect(del.revision).toBeGreaterThan(3);
    expect(await sm.loadConversation('c')).toBeNull();
    expect(await manager(backend).loadConversation('c')).toBeNull();
  });

  it('re-appending a message after a delete is not acknowledged from a stale read that still holds it', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    const sm = manager(backend, { backend: stale, compaction: { enabled: false } });
    const first = await sm.appendMessage('c', msg('m1'));
    const before = backend.peekEntry(pk('c'))!;
    await sm.deleteConversation('c');
    stale.staleEntry = before;
    stale.staleFor = 1;
    const again = await sm.appendMessage('c', first.message);
    expect(again.revision).toBe(3);
    const loaded = await manager(backend).loadConversation('c');
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('setting metadata back to an older value is not skipped because a stale read shows that value', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    const sm = manager(backend, { backend: stale, compaction: { enabled: false } });
    await sm.updateMetadata('c', { title: 'A' });
    const old = backend.peekEntry(pk('c'))!;
    await sm.updateMetadata('c', { title: 'B' });
    stale.staleEntry = old;
    stale.staleFor = 1;
    const r = await sm.updateMetadata('c', { title: 'A' });
    expect(r.revision).toBe(3);
    expect((await manager(backend).loadConversation('c'))!.metadata.title).toBe('A');
  });

  it('loadConversation never goes back behind a revision this manager already saw', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    const sm = manager(backend, { backend: stale, compaction: { enabled: false } });
    await sm.appendMessage('c', msg('m1'));
    const old = backend.peekEntry(pk('c'))!;
    await sm.appendMessage('c', msg('m2', 'two', 2000));
    stale.staleEntry = old;
    stale.staleFor = 1;
    const loaded = (await sm.loadConversation('c'))!;
    expect(loaded.revision).toBe(2);
    expect(loaded.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('a portal that keeps serving an old revision makes a no-op write fail typed, never succeed', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    // 'always': the subject is a write decided on a (stale) read, not on this manager's own last write.
    const sm = manager(backend, { backend: stale, compaction: { enabled: false }, readBeforeWrite: 'always' });
    await sm.appendMessage('c', msg('m1'));
    await sm.deleteConversation('c');
    const tombstone = backend.peekEntry(pk('c'))!;
    await sm.appendMessage('c', msg('m2'));
    stale.staleEntry = tombstone;
    stale.staleFor = 1000;
    await expect(sm.deleteConversation('c')).rejects.toMatchObject({ code: 'REVISION_CONFLICT' });
    stale.staleFor = 0;
    expect((await sm.loadConversation('c'))!.messages.map((m) => m.id)).toEqual(['m2']);
  });
});

describe('the conversation list under stale reads', () => {
  it('listConversations never goes back behind an index revision this manager already saw', async () => {
    const backend = new MemoryBackend();
    const stale = new StaleReads(backend);
    const sm = manager(backend, { backend: stale, compaction: { enabled: false } });
    await sm.appendMessage('one', msg('m1'));
    const indexPk = deriveIndexKeys(identity()).keyPair.publicKey;
    const oldIndex = backend.peekEntry(indexPk)!;
    await sm.appendMessage('two', msg('m2'));
    expect((await sm.listConversations()).items.map((i) => i.id).sort()).toEqual(['one', 'two']);
    stale.staleEntry = oldIndex;
    stale.staleFor = 1;
    expect((await sm.listConversations()).items.map((i) => i.id).sort()).toEqual(['one', 'two']);
  });
});
