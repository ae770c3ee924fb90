/**
 * Regression tests for the defects of issue 12 that are about interleavings and state rules
 * (MemoryBackend: it enforces the real registry rules). The wire-level ones (lost replies,
 * resets) are in test/integration/exactly-once.test.ts against the devnode.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError as S5ValidationError, utf8ToBytes } from '@s5chat/s5';
import { EncryptionDowngradeError, MemoryBackend, RevisionConflictError, type Message } from '../../src/index.js';
import { Tap, containsBytes, identity, manager, msg } from '../support/helpers.js';

const real = () => 1_000_000;

describe('defect 2: causal metadata clocks under clock skew', () => {
  it('defect 2: a rename by a slow device survives a stale snapshot saved after a fast device appended', async () => {
    const backend = new MemoryBackend();
    let t = real();
    const renamer = manager(backend, { deviceId: 'slow', now: () => t - 100 });
    const appender = manager(backend, { deviceId: 'fast', now: () => t + 3_600_000 });
    const editor = manager(backend, { deviceId: 'ui', now: () => t });
    await renamer.saveConversation({ id: 'c', metadata: { title: 'T0' } });
    t += 10;
    await appender.appendMessage('c', { role: 'user', content: 'from the future' });
    const stale = (await editor.loadConversation('c'))!; // updatedAt is an hour ahead
    t += 10;
    await renamer.updateMetadata('c', { title: 'renamed' }); // acknowledged
    t += 10;
    await editor.saveConversation({ ...stale, messages: [...stale.messages, msg('u1', 'mine', t)] });
    const loaded = (await manager(backend).loadConversation('c'))!;
    expect(loaded.metadata.title).toBe('renamed');
    expect(loaded.messages.map((m) => m.content).sort()).toEqual(['from the future', 'mine']);
  });

  it('defect 2: a change made after seeing a state wins over it, whatever the wall clocks say', async () => {
    const backend = new MemoryBackend();
    const fast = manager(backend, { deviceId: 'fast', now: () => real() + 3_600_000 });
    const slow = manager(backend, { deviceId: 'slow', now: () => real() - 3_600_000 });
    await fast.updateMetadata('c', { title: 'fast', topic: 'x' });
    await slow.loadConversation('c');
    await slow.updateMetadata('c', { title: 'slow saw fast' });
    await slow.saveConversation({ ...(await slow.loadConversation('c'))!, metadata: { title: 'slow again', topic: 'y' } });
    const loaded = (await fast.loadConversation('c'))!;
    expect(loaded.metadata).toEqual({ title: 'slow again', topic: 'y' });
  });
});

describe('defect 3: optimistic locking inside one group-commit batch', () => {
  it('defect 3: two expectedRevision updates in one batch: one fails', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    const r = await sm.updateMetadata('c', { n: 0 });
    const a = sm.updateMetadata('c', { n: 1 }, { onConflict: 'fail', expectedRevision: r.revision });
    const b = sm.updateMetadata('c', { n: 2 }, { onConflict: 'fail', expectedRevision: r.revision });
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('fulfilled');
    expect(rb.status).toBe('rejected');
    expect((rb as PromiseRejectedResult).reason).toBeInstanceOf(RevisionConflictError);
    expect((await sm.loadConversation('c'))!.metadata.n).toBe(1);
  });
});

describe('defect 5: fractional clocks', () => {
  it('defect 5: a now() with sub-millisecond values never makes messages unreadable', async () => {
    const backend = new MemoryBackend();
    let t = 1000.25;
    const sm = manager(backend, { now: () => (t += 0.3) });
    await sm.appendMessage('c', { role: 'user', content: 'a' });
    await sm.updateMetadata('c', { title: 'x' });
    const fresh = manager(backend);
    const loaded = (await fresh.loadConversation('c'))!;
    expect(loaded.messages).toHaveLength(1);
    expect(Number.isInteger(loaded.messages[0]!.timestamp)).toBe(true);
    await fresh.appendMessage('c', { role: 'user', content: 'b' });
    expect((await manager(backend).loadConversation('c'))!.messages).toHaveLength(2);
  });
});

describe('defect 10: no aliasing between the app and the SDK', () => {
  it('defect 10: editing loaded or returned objects, or inputs after the call, changes nothing stored', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { compaction: { fanout: 2, maxSegments: 16, idleMs: 1 } });
    const input = { id: 'm1', role: 'user' as const, content: 'original', timestamp: 1, metadata: { tags: ['a'] } };
    const r = await sm.appendMessage('c', input);
    input.content = 'changed input';
    input.metadata.tags.push('input');
    r.message.content = 'changed result';
    const loaded = (await sm.loadConversation('c'))!;
    loaded.messages[0]!.content = 'changed load';
    (loaded.messages[0]!.metadata!.tags as string[]).push('load');
    loaded.metadata.title = 'changed';
    // large enough that each write moves the previous head's tail out: two level-0 head segments → compaction (fanout 2)
    for (let i = 2; i <= 5; i++) await sm.appendMessage('c', msg(`m${i}`, `later ${'x'.repeat(3000)}`, i));
    await sm.flush();
    expect(sm.metrics().total.compactions).toBeGreaterThan(0);
    const fresh = (await manager(backend).loadConversation('c'))!;
    expect(fresh.messages[0]).toMatchObject({ content: 'original', metadata: { tags: ['a'] } });
    expect(fresh.metadata).toEqual({});
    expect((await sm.loadConversation('c'))!.messages[0]!.content).toBe('original');
  });
});

describe('defect 12: edits of a loaded snapshot are applied, never silently dropped', () => {
  it('defect 12: title edit, same-length typo fix, shorter redaction and a removed message are all stored', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    const other = manager(backend, { deviceId: 'other' });
    await sm.saveConversation({ id: 'c', metadata: { title: 'Old' }, messages: [msg('a', 'teh cat', 1), msg('b', 'my password is hunter2', 2), msg('x', 'remove me', 3)] });
    const snap = (await sm.loadConversation('c'))!;
    await other.appendMessage('c', msg('o', 'written meanwhile', 4)); // must be kept
    const edited = {
      ...snap,
      metadata: { ...snap.metadata, title: 'New' }, // no newer updatedAt
      messages: snap.messages
        .filter((m) => m.id !== 'x')
        .map((m) => (m.id === 'a' ? { ...m, content: 'the cat' } : m.id === 'b' ? { ...m, content: 'my password is ***' } : m)),
    };
    const r = await sm.saveConversation(edited);
    expect(r.messageCount).toBe(3);
    const loaded = (await manager(backend).loadConversation('c'))!;
    expect(loaded.metadata.title).toBe('New');
    expect(loaded.messages.map((m) => [m.id, m.content])).toEqual([
      ['a', 'the cat'],
      ['b', 'my password is ***'],
      ['o', 'written meanwhile'],
    ]);
    // the redacted text is nowhere in what a fresh device reads
    expect(JSON.stringify(loaded)).not.toContain('hunter2');
  });

  it('defect 12: editMessage and deleteMessage win over the versions they saw, on every device; deletes merge', async () => {
    const backend = new MemoryBackend();
    const a = manager(backend, { deviceId: 'A', now: () => 5 });
    const b = manager(backend, { deviceId: 'B', now: () => 5 });
    await a.appendMessage('c', { id: 'm', role: 'assistant', content: 'long streamed reply', timestamp: 1, updatedAt: 900 });
    await b.editMessage('c', 'm', { content: 'short' }); // a clock far behind the stored version
    expect((await a.loadConversation('c'))!.messages[0]!.content).toBe('short');
    // a late checkpoint of the old version does not bring it back; a delete beats a concurrent edit
    await a.appendMessage('c', { id: 'm', role: 'assistant', content: 'long streamed reply', timestamp: 1, updatedAt: 900 });
    await Promise.all([a.deleteMessage('c', 'm'), b.editMessage('c', 'm', { content: 'edit racing the delete' }).catch(() => undefined)]);
    expect((await manager(backend).loadConversation('c'))!.messages).toEqual([]);
    await expect(b.editMessage('c', 'm', { content: 'again' })).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', deleted: true });
    await expect(a.deleteMessage('c', 'nope')).rejects.toMatchObject({ code: 'MESSAGE_NOT_FOUND', deleted: false });
    await expect(a.editMessage('c', 'm', {} as never)).rejects.toBeInstanceOf(S5ValidationError);
  });

  it('defect 12: a snapshot whose base is unknown here fails typed (STALE_SNAPSHOT) instead of guessing', async () => {
    const backend = new MemoryBackend();
    const a = manager(backend);
    await a.appendMessage('c', msg('m1'));
    const snap = (await a.loadConversation('c'))!;
    await a.appendMessage('c', msg('m2', 'two', 2));
    const elsewhere = manager(backend); // never loaded that revision
    const err = await elsewhere.saveConversation({ ...snap, metadata: { title: 't' } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'STALE_SNAPSHOT', snapshotRevision: snap.revision });
    expect((await a.loadConversation('c'))!.metadata).toEqual({});
  });
});

describe('defect 13: plaintext never leaks an encrypted conversation', () => {
  it('defect 13: an explicit plaintext save on an encrypted conversation is refused; nothing is written', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.saveConversation({ id: 'c', metadata: { title: 'SECRET-TITLE' } });
    const sets = backend.stats().registrySets;
    const err = await sm.saveConversationPlaintext({ id: 'c', messages: [msg('p', 'public')] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EncryptionDowngradeError);
    expect(backend.stats().registrySets).toBe(sets);
    expect(backend.blobs().some((b) => containsBytes(b, utf8ToBytes('SECRET-TITLE')))).toBe(false);
    // an explicit plaintext overwrite replaces everything, so it is allowed
    const o = await sm.saveConversationPlaintext({ id: 'c', messages: [msg('p', 'public')] }, { onConflict: 'overwrite' });
    expect(o.encrypted).toBe(false);
    expect(backend.blobs().some((b) => containsBytes(b, utf8ToBytes('SECRET-TITLE')))).toBe(false);
  });

  it('defect 13: a device with encryption off does not rewrite an encrypted conversation list in plaintext', async () => {
    const backend = new MemoryBackend();
    await manager(backend).saveConversation({ id: 'secret-id', metadata: { title: 'SECRET-TITLE' } });
    const off = manager(backend, { encryption: 'off' });
    await off.saveConversation({ id: 'open', metadata: { title: 'open' } });
    const blobs = backend.blobs();
    expect(blobs.some((b) => containsBytes(b, utf8ToBytes('secret-id')))).toBe(false);
    expect(blobs.some((b) => containsBytes(b, utf8ToBytes('SECRET-TITLE')))).toBe(false);
    expect((await off.listConversations()).items.map((i) => i.id).sort()).toEqual(['open', 'secret-id']);
  });
});

describe('defect 14: fairness', () => {
  it('defect 14: 10 devices × 100 appends with no faults: none fails, none is lost', async () => {
    const backend = new MemoryBackend({ faults: { latencyMs: 3 } });
    const devices = Array.from({ length: 10 }, (_, i) =>
      manager(backend, { deviceId: `d${i}`, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), compaction: { enabled: false } }),
    );
    const failed: unknown[] = [];
    const acked: string[] = [];
    await Promise.all(
      devices.map(async (sm, d) => {
        const sends: Promise<void>[] = [];
        for (let i = 0; i < 100; i++) {
          const id = `d${d}-${i}`;
          sends.push(sm.appendMessage('busy', msg(id, id, 1000 + i)).then(() => void acked.push(id), (e: unknown) => void failed.push(e)));
          await new Promise((r) => setTimeout(r, 50)); // 20 appends/s per device
        }
        await Promise.all(sends);
      }),
    );
    expect(failed.map((e) => (e as { code?: string }).code)).toEqual([]);
    const loaded = (await manager(backend).loadConversation('busy'))!;
    expect(loaded.messages).toHaveLength(1000);
    expect(new Set(loaded.messages.map((m) => m.id))).toEqual(new Set(acked));
  }, 60_000);
});

describe('defect 15: smaller ones', () => {
  it('defect 15: re-sending an id with shorter content is refused, not acknowledged-and-dropped', async () => {
    const sm = manager(new MemoryBackend());
    await sm.appendMessage('c', msg('m', 'the longer text', 1));
    await expect(sm.appendMessage('c', msg('m', 'short', 1))).rejects.toBeInstanceOf(S5ValidationError);
    expect((await sm.loadConversation('c'))!.messages[0]!.content).toBe('the longer text');
  });

  it('defect 15: a key removed in overwrite mode does not come back from a stale snapshot (with or without revision)', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.updateMetadata('c', { keep: 1, drop: 2 });
    const stale = (await sm.loadConversation('c'))!;
    await sm.updateMetadata('c', { keep: 1 }, { onConflict: 'overwrite' });
    await expect(manager(backend).saveConversation({ ...stale, messages: [msg('m1')] })).rejects.toMatchObject({ code: 'STALE_SNAPSHOT' }); // base unknown there
    await sm.saveConversation({ ...stale, messages: [msg('m2')] }); // with revision: diff
    const { revision: _r, ...withoutRevision } = stale;
    await sm.saveConversation(withoutRevision); // plain union, the snapshot's clock is older than the removal
    expect((await manager(backend).loadConversation('c'))!.metadata).toEqual({ keep: 1 });
  });

  it('defect 15: a compaction too large to upload is not retried after every write', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    let bigUploads = 0;
    tap.before = (name, _e) => undefined;
    const sm = manager(shared, { backend: tap, compaction: { fanout: 4, maxSegments: 64, idleMs: 1 } });
    const origUpload = tap.uploadBlob.bind(tap);
    tap.uploadBlob = async (bytes, o) => {
      if (bytes.length > 12_000) {
        bigUploads++;
        throw new S5ValidationError([{ path: 'bytes', message: 'upload too large (test portal)' }]);
      }
      return origUpload(bytes, o);
    };
    const errors: string[] = [];
    sm.on('error', (e) => errors.push(e.during));
    for (let i = 0; i < 10; i++) {
      await sm.appendMessage('c', msg(`m${i}`, 'x'.repeat(3000), i));
      await sm.flush();
    }
    expect(bigUploads).toBe(1);
    expect(errors).toEqual(['compaction']);
    expect((await manager(shared).loadConversation('c'))!.messages).toHaveLength(10);
  });

  it('defect 15: appendMessages enforces maxMessagesPerCall', async () => {
    const sm = manager(new MemoryBackend(), { limits: { maxMessagesPerCall: 3 } });
    await expect(sm.appendMessages('c', [msg('a'), msg('b'), msg('c'), msg('d')])).rejects.toBeInstanceOf(S5ValidationError);
    expect(await sm.loadConversation('c')).toBeNull();
  });
});

export type { Message };
void identity;
