import { describe, expect, it } from 'vitest';
import { DecryptionError, bytesToUtf8, utf8ToBytes, concatBytes } from '@s5chat/s5';
import { DataMissingError, IntegrityError, MemoryBackend, PLAINTEXT_MAGIC } from '../../src/index.js';
import { containsBytes, manager, msg } from '../support/helpers.js';
import { currentHead, pointerOf, rewriteHead } from '../support/heads.js';

describe('layout: encryption', () => {
  it('encrypted by default: no blob contains message text, metadata or the conversation id', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.appendMessage('visible-id-42', msg('m1', 'SECRET-PLAINTEXT-123', 1));
    await sm.updateMetadata('visible-id-42', { title: 'TopSecretTitle' });
    await sm.flush();
    const blobs = backend.blobs();
    expect(blobs.length).toBeGreaterThan(2);
    for (const needle of ['SECRET-PLAINTEXT-123', 'TopSecretTitle', 'visible-id-42', 's5chat']) {
      expect(blobs.some((b) => containsBytes(b, utf8ToBytes(needle))), needle).toBe(false);
    }
    for (const b of blobs) expect(b.length % 4096).toBe(0); // padded mutable-bytes format
    const loaded = (await sm.loadConversation('visible-id-42'))!;
    expect(loaded.encrypted).toBe(true);
    expect(loaded.messages[0]!.content).toBe('SECRET-PLAINTEXT-123');
  });

  it('plaintext only when asked, and marked as such', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    const r = await sm.saveConversationPlaintext({ id: 'open', messages: [msg('m1', 'PUBLIC-TEXT', 1)] });
    expect(r.encrypted).toBe(false);
    const head = await backend.downloadBlob(pointerOf(backend, 'open'));
    expect(containsBytes(head, PLAINTEXT_MAGIC)).toBe(true);
    expect(JSON.parse(bytesToUtf8(head.subarray(PLAINTEXT_MAGIC.length))).encrypted).toBe(false);
    expect(backend.blobs().some((b) => containsBytes(b, utf8ToBytes('PUBLIC-TEXT')))).toBe(true);
    expect((await manager(backend).loadConversation('open'))!.encrypted).toBe(false);
    const off = manager(backend, { encryption: 'off' });
    expect((await off.appendMessage('open2', msg('x'))).encrypted).toBe(false);
    expect((await sm.saveConversationEncrypted({ id: 'open3' })).encrypted).toBe(true);
  });

  it('refuses a plaintext head that claims to be encrypted', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { encryption: 'off' });
    await sm.appendMessage('p', msg('m1'));
    const head = await backend.downloadBlob(pointerOf(backend, 'p'));
    const doc = JSON.parse(bytesToUtf8(head.subarray(PLAINTEXT_MAGIC.length)));
    doc.encrypted = true;
    await rewriteHead(backend, 'p', concatBytes(PLAINTEXT_MAGIC, utf8ToBytes(JSON.stringify(doc))));
    await expect(manager(backend).loadConversation('p')).rejects.toBeInstanceOf(IntegrityError);
  });
});

describe('layout: integrity', () => {
  it('a segment swapped in from another conversation is refused (plaintext: by id; encrypted: by key)', async () => {
    for (const encryption of ['off', 'on'] as const) {
      const backend = new MemoryBackend();
      const sm = manager(backend, { encryption });
      await sm.appendMessage('A', msg('a1', 'alpha', 1));
      await sm.appendMessage('B', msg('b1', 'bravo', 1));
      await sm.appendMessage('B', msg('b2', 'b'.repeat(40_000), 2)); // too large for any head: a delta segment
      const headA = await backend.downloadBlob(pointerOf(backend, 'A'));
      const headB = await backend.downloadBlob(pointerOf(backend, 'B'));
      if (encryption === 'off') {
        const a = JSON.parse(bytesToUtf8(headA.subarray(PLAINTEXT_MAGIC.length)));
        const b = JSON.parse(bytesToUtf8(headB.subarray(PLAINTEXT_MAGIC.length)));
        // (1) B's delta segment listed by A; (2) B's earlier head (listed by B as a segment: `in: 'head'`) listed by A
        const bSegment = b.segments.find((x: { in?: string }) => x.in === undefined);
        const bHeadRef = b.segments.find((x: { in?: string }) => x.in === 'head');
        expect(bSegment && bHeadRef).toBeTruthy();
        for (const segment of [bSegment, bHeadRef]) {
          const forged = { ...a, segments: [segment], messageCount: a.messageCount + segment.count };
          await rewriteHead(backend, 'A', concatBytes(PLAINTEXT_MAGIC, utf8ToBytes(JSON.stringify(forged))));
          const err = await manager(backend).loadConversation('A').catch((e: unknown) => e);
          expect(err).toBeInstanceOf(IntegrityError);
          expect((err as IntegrityError).code).toBe('INTEGRITY');
        }
      } else {
        // point A's registry entry at B's (encrypted) head: A's key cannot open it
        await rewriteHead(backend, 'A', headB);
        const err = await manager(backend).loadConversation('A').catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DecryptionError);
      }
      // never altered content: B is intact
      expect((await manager(backend).loadConversation('B'))!.messages[0]!.content).toBe('bravo');
    }
  });

  it('a missing head or segment is an error, never an empty conversation — and nothing is written over it', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.appendMessage('gone', msg('m1'));
    await sm.appendMessage('gone', msg('m2'));
    const head = pointerOf(backend, 'gone');
    const doc = await sm.loadConversation('gone');
    expect(doc!.messages).toHaveLength(2);
    backend.deleteBlob(head.hashHex);
    const fresh = manager(backend);
    const err = await fresh.loadConversation('gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataMissingError);
    expect((err as DataMissingError).code).toBe('DATA_MISSING');
    const sets = backend.stats().registrySets;
    await expect(fresh.appendMessage('gone', msg('m3'))).rejects.toBeInstanceOf(DataMissingError);
    expect(backend.stats().registrySets).toBe(sets);
  });

  it('a tampered blob fails the hash check (typed), never returns altered content', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.appendMessage('t', msg('m1'));
    const head = pointerOf(backend, 't');
    backend.tamperBlob(head.hashHex, new Uint8Array(4096));
    const err = await manager(backend).loadConversation('t').catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('HASH_MISMATCH');
  });
});

describe('layout: bounded bytes and requests', () => {
  it('an append uploads one 4 KiB blob, the head, however long the conversation (append #10 vs #300)', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    const bytes: number[] = [];
    for (let i = 1; i <= 300; i++) {
      const r = await sm.appendMessage('long', msg(`m${String(i).padStart(4, '0')}`, 'x'.repeat(500), i));
      bytes.push(r.bytesUploaded);
    }
    await sm.flush();
    expect(bytes[9]).toBe(4096); // the new message rides in the head's tail: one padded block
    expect(bytes[299]).toBe(4096);
    expect(Math.max(...bytes)).toBe(4096);
    const { compactions, writes } = sm.metrics().total;
    expect(compactions).toBeGreaterThan(0); // moved-out tails are compacted as segments
    expect(writes).toBe(300);
    // one registry set per append, plus the list entry of the new conversation, plus one per
    // compaction that did not ride along with an append
    expect(backend.stats().registrySets).toBeLessThanOrEqual(300 + 1 + compactions);
    const head = await currentHead(backend, 'long');
    expect(head.segments.length).toBeLessThanOrEqual(16);
    expect(head.segments.some((s) => s.in === 'head')).toBe(true);
    const loaded = (await manager(backend).loadConversation('long'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(Array.from({ length: 300 }, (_, i) => `m${String(i + 1).padStart(4, '0')}`));
  }, 60_000);

  it('compaction keeps the content identical and the segment list bounded', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { compaction: { fanout: 4, maxSegments: 6, idleMs: 0 } });
    const plain = manager(new MemoryBackend(), { compaction: { enabled: false } });
    for (let i = 0; i < 80; i++) {
      // ~1 KiB messages: a head's tail holds a few, then moves out as a segment (layout/tail.ts)
      const m = msg(`m${String(i).padStart(3, '0')}`, `content ${i} ${'c'.repeat(1000)}`, 1000 + (i % 7));
      await sm.appendMessage('cmp', m);
      await plain.appendMessage('cmp', m);
      if (i % 10 === 0) await sm.updateMetadata('cmp', { i });
    }
    await sm.flush();
    expect(sm.metrics().total.compactions).toBeGreaterThan(0);
    const fresh = manager(backend);
    const before = backend.stats().requests;
    const loaded = (await fresh.loadConversation('cmp'))!;
    const requests = backend.stats().requests - before;
    expect(requests).toBeLessThanOrEqual(2 + 6);
    expect(loaded.messages).toEqual((await plain.loadConversation('cmp'))!.messages);
    expect(loaded.metadata).toEqual({ i: 70 });
  });

  it('loading a 10,000-message conversation takes ≤ 20 requests; a second load of it takes 1', async () => {
    const backend = new MemoryBackend();
    const writer = manager(backend, { encryption: 'off' });
    for (let b = 0; b < 100; b++) {
      await writer.appendMessages(
        'big',
        Array.from({ length: 100 }, (_, i) => msg(`m${String(b * 100 + i).padStart(5, '0')}`, 'y'.repeat(100), b * 100 + i)),
      );
    }
    await writer.flush();
    const reader = manager(backend);
    const before = backend.stats().requests;
    const loaded = (await reader.loadConversation('big'))!;
    const firstLoad = backend.stats().requests - before;
    expect(loaded.messages).toHaveLength(10_000);
    expect(firstLoad).toBeLessThanOrEqual(20);
    const mid = backend.stats().requests;
    const again = (await reader.loadConversation('big'))!;
    expect(backend.stats().requests - mid).toBe(1);
    expect(again.messages).toEqual(loaded.messages);
  }, 60_000);
});
