import { describe, expect, it } from 'vitest';
import { utf8ToBytes } from '@s5chat/s5';
import { MemoryBackend } from '../../src/index.js';
import { containsBytes, manager, msg } from '../support/helpers.js';
import { currentHead } from '../support/heads.js';

/** Makes each message take most of a head's 4 KiB block, so a head holds one in its tail. */
const pad = 'x'.repeat(2500);

describe('compaction keeps encrypted messages encrypted', () => {
  it('defect 13: a write from an encryption-off device keeps an encrypted conversation encrypted, compaction included', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { compaction: { fanout: 8, maxSegments: 16, idleMs: 1 } });
    // 8 encrypted writes carrying a secret, each too large to share a head with the next: every
    // later write moves the previous head's tail out as a segment (7 level-0 head segments)...
    for (let i = 0; i < 8; i++) await sm.appendMessage('mixed', msg(`s${i}`, `SECRET-${i}-XYZ ${pad}`, 1000 + i));
    expect((await currentHead(backend, 'mixed')).segments.filter((s) => s.in === 'head')).toHaveLength(7);
    // ...then a device whose default is plaintext writes, moving out the 8th.
    const off = manager(backend, { encryption: 'off', compaction: { fanout: 8, maxSegments: 16, idleMs: 1 } });
    const r = await off.saveConversation({ id: 'mixed', messages: [msg('p', `PUBLIC-TEXT ${pad}`, 2000)] });
    expect(r.encrypted).toBe(true);
    await off.flush(); // runs the compaction that merges the 8 segments
    expect(off.metrics().total.compactions).toBeGreaterThan(0);
    expect(backend.blobs().some((b) => containsBytes(b, utf8ToBytes('PUBLIC-TEXT')))).toBe(false);
    for (let i = 0; i < 8; i++) {
      expect(backend.blobs().some((b) => containsBytes(b, utf8ToBytes(`SECRET-${i}-XYZ`)))).toBe(false);
    }
    const loaded = (await manager(backend).loadConversation('mixed'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 'p']);
  });

  it('a plaintext conversation stays plaintext after compaction (also on a device that only downloaded it)', async () => {
    const backend = new MemoryBackend();
    const writer = manager(backend, { encryption: 'off', compaction: { enabled: false } });
    for (let i = 0; i < 8; i++) await writer.appendMessage('open', msg(`o${i}`, `OPEN-${i} ${pad}`, 1000 + i));
    const other = manager(backend, { encryption: 'off', compaction: { fanout: 8, maxSegments: 16, idleMs: 1 } });
    await other.appendMessage('open', msg('o8', `OPEN-8 ${pad}`, 2000)); // 8th moved-out head → compaction on `other`
    await other.flush();
    expect(other.metrics().total.compactions).toBe(1);
    // the merged segment holds every message in the clear
    expect(backend.blobs().some((b) => [0, 3, 7].every((i) => containsBytes(b, utf8ToBytes(`OPEN-${i}`))))).toBe(true);
    expect((await manager(backend).loadConversation('open'))!.messages).toHaveLength(9);
  });
});

describe('StorageResult.encrypted of a write that changes nothing', () => {
  it('reports the manager mode for a conversation that does not exist (not a default of true)', async () => {
    const backend = new MemoryBackend();
    const off = manager(backend, { encryption: 'off' });
    const r = await off.deleteConversation('never');
    expect(r).toMatchObject({ revision: 0, messageCount: 0, encrypted: false });
    const on = manager(backend);
    expect((await on.deleteConversation('never')).encrypted).toBe(true);
    // an existing conversation reports how it is stored
    const first = await off.appendMessage('open', msg('m1'));
    expect((await on.appendMessage('open', first.message)).encrypted).toBe(false);
  });
});
