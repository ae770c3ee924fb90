/**
 * The head's tail (layout/tail.ts): one blob + one registry set per ordinary write, and the
 * invariants that must hold whatever the layout — everything acknowledged is readable by a fresh
 * instance, what a head references is checked, the exactly-once window carries over, heads of the
 * previous layout (segments only, `inline`) still load and are written on top of.
 */
import { describe, expect, it } from 'vitest';
import { BlobId, toBase64Url } from '@s5chat/s5';
import { DataMissingError, IntegrityError, MemoryBackend, type Head, type Message } from '../../src/index.js';
import { opDigest, parseWindow } from '../../src/applied-ops.js';
import { buildSegment } from '../../src/layout/segments.js';
import { Tap, manager, msg } from '../support/helpers.js';
import { currentHead, headAt, keysOf, pointerOf, writeHeadDoc } from '../support/heads.js';

const ids = (ms: { id: string }[]) => ms.map((m) => m.id);

describe('head tail: one blob per write', () => {
  it('a fresh process appending to an existing conversation: after its first append, each append is one upload + one registry set', async () => {
    const shared = new MemoryBackend();
    const writer = manager(shared);
    for (let i = 0; i < 40; i++) await writer.appendMessage('c', msg(`w${String(i).padStart(2, '0')}`, 'w'.repeat(460), i));
    await writer.close();
    const tap = new Tap(shared);
    const fresh = manager(shared, { backend: tap, compaction: { enabled: false } });
    const perAppend: string[][] = [];
    for (let i = 0; i < 5; i++) {
      tap.calls = [];
      await fresh.appendMessage('c', msg(`f${i}`, 'f'.repeat(460), 100 + i));
      perAppend.push(tap.calls);
    }
    expect(perAppend[0]!.slice(0, 2)).toEqual(['registryGet', 'downloadBlob']); // nothing cached: read first
    for (const calls of perAppend.slice(1)) expect(calls).toEqual(['uploadBlob', 'registrySet']);
    const loaded = (await manager(shared).loadConversation('c'))!;
    expect(loaded.messages).toHaveLength(45);
  });

  it('every acknowledged write is readable by a fresh instance, across tails that move out, large deltas, edits and deletes', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    const sm = manager(shared, { backend: tap, compaction: { fanout: 4, maxSegments: 6, idleMs: 1 } });
    const model = new Map<string, Message>();
    let seed = 12345;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const sizes = [20, 300, 900, 1800, 5000];
    for (let step = 0; step < 60; step++) {
      const kind = rand(10);
      tap.calls = [];
      if (kind < 6 || model.size === 0) {
        const n = 1 + rand(2);
        const batch = Array.from({ length: n }, (_, j) => msg(`s${step}-${j}`, `${step}:${'m'.repeat(sizes[rand(sizes.length)]!)}`, 1000 + step));
        const r = await sm.appendMessages('mix', batch);
        for (const m of r.messages) model.set(m.id, m);
        // a write uploads its head (one block), and a delta segment only when the new messages cannot ride in it
        const deltaBytes = batch.reduce((a, m) => a + m.content.length, 0);
        if (deltaBytes < 1000) expect(r.bytesUploaded).toBe(4096);
      } else {
        const live = [...model.keys()];
        const target = live[rand(live.length)]!;
        if (kind < 8) {
          await sm.editMessage('mix', target, { content: `edited at ${step}` });
          model.set(target, { ...model.get(target)!, content: `edited at ${step}` });
        } else {
          await sm.deleteMessage('mix', target);
          model.delete(target);
        }
      }
      if (step % 10 === 9) {
        await sm.flush(); // compaction included
        const loaded = (await manager(shared).loadConversation('mix'))!;
        expect(ids(loaded.messages).sort()).toEqual([...model.keys()].sort());
        for (const m of loaded.messages) expect(m.content).toBe(model.get(m.id)!.content);
      }
    }
    expect(sm.metrics().total.compactions).toBeGreaterThan(0);
    const head = await currentHead(shared, 'mix');
    expect(head.segments.length).toBeLessThanOrEqual(6 + 1);
  }, 60_000);

  it('a delta larger than one block is the tail of a larger head (one upload); the next write moves it out by reference', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    const sm = manager(shared, { backend: tap, compaction: { enabled: false } });
    await sm.appendMessage('big', msg('a', 'small', 1));
    tap.calls = [];
    const batch = Array.from({ length: 8 }, (_, i) => msg(`b${i}`, 'b'.repeat(600), 2 + i)); // a stream's batch: ~5 KB
    const r = await sm.appendMessages('big', batch);
    expect(tap.count('uploadBlob')).toBe(1);
    expect(r.bytesUploaded).toBe(8192); // one head of two blocks, padded once
    const bigHead = await currentHead(shared, 'big');
    expect(ids(bigHead.tail!)).toEqual(ids(batch));
    expect(bigHead.segments.map((s) => s.in)).toEqual(['head']); // the head that held 'a'
    tap.calls = [];
    const next = await sm.appendMessage('big', msg('c', 'small again', 20));
    expect(tap.calls).toEqual(['uploadBlob', 'registrySet']);
    expect(next.bytesUploaded).toBe(4096);
    const after = await currentHead(shared, 'big');
    expect(after.segments.map((s) => s.count)).toEqual([1, 8]);
    expect(ids((await manager(shared).loadConversation('big'))!.messages)).toEqual(['a', ...ids(batch), 'c']);
  });

  it('a head that needs two blocks anyway (large metadata) lets its tail use the room: still one blob per append', async () => {
    const shared = new MemoryBackend();
    const sm = manager(shared, { compaction: { enabled: false } });
    await sm.updateMetadata('meta', { notes: 'n'.repeat(5000) });
    const sizes: number[] = [];
    for (let i = 0; i < 8; i++) sizes.push((await sm.appendMessage('meta', msg(`m${i}`, 'x'.repeat(400), i))).bytesUploaded);
    expect(sizes.every((b) => b === 8192)).toBe(true); // the head's own two blocks, no segment beside it
    const head = await currentHead(shared, 'meta');
    expect(head.segments.every((s) => s.in === 'head')).toBe(true);
    expect((await manager(shared).loadConversation('meta'))!.messages).toHaveLength(8);
  });

  it('the exactly-once window carries over: an operation re-submitted after its message moved out of the tail is applied once', async () => {
    const shared = new MemoryBackend();
    const sm = manager(shared);
    const first = await sm.appendMessage('x', { role: 'user', content: 'once' }, { operationId: 'op-once' });
    for (let i = 0; i < 12; i++) await sm.appendMessage('x', msg(`later${i}`, 'l'.repeat(1500), 2000 + i));
    const head = await currentHead(shared, 'x');
    expect(head.tail?.some((m) => m.id === first.message.id)).toBeFalsy(); // moved out by now
    expect(parseWindow(head.ops)).toContain(opDigest('op-once'));
    for (const other of [sm, manager(shared)]) {
      const again = await other.appendMessage('x', { role: 'user', content: 'once' }, { operationId: 'op-once' });
      expect(again.revision).toBe(13); // nothing written
    }
    const loaded = (await manager(shared).loadConversation('x'))!;
    expect(loaded.messages.filter((m) => m.content === 'once')).toHaveLength(1);
    expect(loaded.messages).toHaveLength(13);
  });
});

describe('head tail: what a head references is checked', () => {
  /** A conversation whose current head lists the previous head as a segment (`in: 'head'`). */
  async function withHeadSegment(encryption: 'on' | 'off' = 'off') {
    const backend = new MemoryBackend();
    const sm = manager(backend, { encryption, compaction: { enabled: false } });
    for (let i = 0; i < 3; i++) await sm.appendMessage('t', msg(`t${i}`, 't'.repeat(2500), 10 + i));
    const head = await currentHead(backend, 't');
    const ref = head.segments.find((s) => s.in === 'head')!;
    expect(ref).toBeDefined();
    return { backend, sm, head, ref };
  }

  it('a head segment from another lineage (before an overwrite) is refused', async () => {
    const { backend, sm, head } = await withHeadSegment();
    const oldEpochRef = head.segments.find((s) => s.in === 'head')!;
    await sm.saveConversation({ id: 't', messages: [msg('n0', 'n'.repeat(2500), 50)] }, { onConflict: 'overwrite' });
    await sm.appendMessage('t', msg('n1', 'n'.repeat(2500), 51));
    const now = await currentHead(backend, 't');
    expect(now.epoch).not.toBe(head.epoch);
    const forged: Head = { ...now, segments: [...now.segments, oldEpochRef], messageCount: now.messageCount + oldEpochRef.count };
    await writeHeadDoc(backend, 't', forged, true);
    const err = await manager(backend).loadConversation('t').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(JSON.stringify((err as IntegrityError).details)).toMatch(/epoch differs/);
  });

  it('a head segment whose count does not match its tail is refused', async () => {
    const { backend, head, ref } = await withHeadSegment();
    const forged: Head = { ...head, segments: head.segments.map((s) => (s === ref ? { ...s, count: s.count + 1 } : s)), messageCount: head.messageCount + 1 };
    await writeHeadDoc(backend, 't', forged, true);
    await expect(manager(backend).loadConversation('t')).rejects.toBeInstanceOf(IntegrityError);
  });

  it('a missing head segment is DATA_MISSING (never fewer messages), and nothing is written over it', async () => {
    const { backend, ref } = await withHeadSegment('on');
    backend.deleteBlob(toHex(ref.hash));
    const fresh = manager(backend);
    await expect(fresh.loadConversation('t')).rejects.toBeInstanceOf(DataMissingError);
    const sets = backend.stats().registrySets;
    await expect(fresh.appendMessage('t', msg('late'))).rejects.toBeInstanceOf(DataMissingError);
    expect(backend.stats().registrySets).toBe(sets);
  });

  it('encrypted: the moved-out head stays encrypted and decrypts only with the conversation key', async () => {
    const { backend, ref } = await withHeadSegment('on');
    const blob = BlobId.fromHash(Buffer.from(ref.hash, 'base64url'), ref.size);
    const old = await headAt(backend, 't', blob);
    expect(old.encrypted).toBe(true);
    expect(old.tail!.length).toBe(ref.count);
    expect((await backend.downloadBlob(blob)).length % 4096).toBe(0);
  });
});

describe('head tail: heads of the previous layout', () => {
  it('a head written the old way (segments only, inline copy of the newest) loads, and new writes go on top of it', async () => {
    const backend = new MemoryBackend();
    const id = 'legacy';
    const key = keysOf(id).encryptionKey;
    const older = [msg('o1', 'old one', 1), msg('o2', 'old two', 2)];
    const newest = [msg('o3', 'old three', 3)];
    const s1 = buildSegment(id, older, key, 0);
    const s2 = buildSegment(id, newest, key, 0);
    await backend.uploadBlob(s1.bytes);
    await backend.uploadBlob(s2.bytes);
    const oldHead = {
      v: 1,
      type: 's5chat.head',
      conversationId: id,
      epoch: 'legacy-epoch',
      encrypted: true,
      metadata: { title: 'From before' },
      metadataClock: { title: [1, 'old-device'] },
      createdAt: 1,
      updatedAt: 3,
      segments: [s1.ref, s2.ref],
      messageCount: 3,
      contentHash: 'x',
      ops: opDigest('old-op'),
      writer: 'old-device',
      inline: { hash: s2.ref.hash, messages: newest },
    };
    await writeHeadDoc(backend, id, oldHead);
    const tap = new Tap(backend);
    const reader = manager(backend, { backend: tap });
    const loaded = (await reader.loadConversation(id))!;
    expect(ids(loaded.messages)).toEqual(['o1', 'o2', 'o3']);
    expect(loaded.metadata).toEqual({ title: 'From before' });
    expect(tap.count('downloadBlob')).toBe(3); // head + both segments (`inline` is ignored now: its segment is listed)

    const r = await reader.appendMessage(id, msg('n1', 'new one', 4));
    expect(r.bytesUploaded).toBe(4096);
    const head = await currentHead(backend, id);
    expect(head.epoch).toBe('legacy-epoch');
    expect(head.segments.map((s) => s.hash)).toEqual([s1.ref.hash, s2.ref.hash]);
    expect(ids(head.tail!)).toEqual(['n1']);
    expect((head as { inline?: unknown }).inline).toBeUndefined();
    expect(parseWindow(head.ops)).toContain(opDigest('old-op')); // the window carries over
    const again = (await manager(backend).loadConversation(id))!;
    expect(ids(again.messages)).toEqual(['o1', 'o2', 'o3', 'n1']);
    expect(again.metadata).toEqual({ title: 'From before' });
    void pointerOf;
  });
});

function toHex(b64url: string): string {
  return Buffer.from(b64url, 'base64url').toString('hex');
}
void toBase64Url;
