import { afterEach, describe, expect, it, vi } from 'vitest';
import { PortalUnavailableError } from '@s5chat/s5';
import { MemoryBackend, RevisionConflictError, StorageManager, deriveConversationKeys, type RetryEvent, type ConflictEvent, type MergedEvent } from '../../src/index.js';
import { Tap, identity, manager, msg } from '../support/helpers.js';
import { currentHead } from '../support/heads.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('_saveConversationInternal: revision conflicts', () => {
  it('waits 200/400/800 ms (+ jitter) between attempts and gives up after 4 (fake timers)', async () => {
    vi.useFakeTimers();
    const backend = new MemoryBackend();
    // 'always': this test counts the read of every attempt (a first attempt may otherwise skip it).
    const sm = new StorageManager({ backend, identity: identity(), crossTab: false, retry: { random: () => 0.5 }, compaction: { enabled: false }, readBeforeWrite: 'always' });
    await vi.advanceTimersByTimeAsync(0);
    const first = sm.appendMessage('c', msg('m0'));
    await vi.advanceTimersByTimeAsync(0);
    expect((await first).revision).toBe(1);
    backend.setFaults({ conflictRate: 1 });
    backend.resetStats();
    const retries: RetryEvent[] = [];
    sm.on('retry', (e) => retries.push(e));
    const outcome = sm.appendMessage('c', msg('m1')).catch((e: unknown) => e);
    const sets = () => backend.stats().registrySets;
    await vi.advanceTimersByTimeAsync(0);
    expect(sets()).toBe(1);
    // jitter = 0.25 * 0.5 ⇒ 225, 450, 900 ms
    await vi.advanceTimersByTimeAsync(224);
    expect(sets()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sets()).toBe(2);
    await vi.advanceTimersByTimeAsync(449);
    expect(sets()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sets()).toBe(3);
    await vi.advanceTimersByTimeAsync(899);
    expect(sets()).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(sets()).toBe(4);
    const err = await outcome;
    expect(err).toBeInstanceOf(RevisionConflictError);
    expect((err as RevisionConflictError).code).toBe('REVISION_CONFLICT');
    expect((err as RevisionConflictError).attempts).toBe(4);
    expect((err as RevisionConflictError).lastSeenRevision).toBe(1);
    expect(retries.map((r) => r.delayMs)).toEqual([225, 450, 900]);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3]);
    // every attempt re-read the registry (4), plus one cache-warming read during each wait (3)
    expect(backend.stats().registryGets).toBe(7);
    await vi.advanceTimersByTimeAsync(5000);
    expect(sets()).toBe(4); // and nothing afterwards
  });

  it('the retry budget and base delay are configurable', async () => {
    const backend = new MemoryBackend({ faults: { conflictRate: 1 } });
    const waits: number[] = [];
    const sm = manager(backend, { retry: { baseMs: 10, retries: 1, jitter: 0 }, sleep: async (ms) => void waits.push(ms) });
    const err = await sm.appendMessage('c', msg('m')).catch((e: unknown) => e);
    expect((err as RevisionConflictError).attempts).toBe(2);
    expect(waits).toEqual([10]);
  });

  it('does not retry other errors (transient faults are the s5 client’s job)', async () => {
    const tap = new Tap(new MemoryBackend());
    const waits: number[] = [];
    tap.before = (name) => {
      if (name === 'registrySet') throw new PortalUnavailableError('down', { status: 503 });
    };
    const sm = manager(new MemoryBackend(), { backend: tap, sleep: async (ms) => void waits.push(ms) });
    const errors: unknown[] = [];
    sm.on('error', (e) => errors.push(e.error));
    const err = await sm.appendMessage('c', msg('m'), { operationId: 'op-1' }).catch((e: unknown) => e);
    // The set was sent: its outcome is unknown. The original error names the operation and its messages.
    expect(err).toBeInstanceOf(PortalUnavailableError);
    expect((err as PortalUnavailableError).code).toBe('PORTAL_UNAVAILABLE');
    expect((err as PortalUnavailableError).details).toMatchObject({ operationId: 'op-1', messageIds: ['m'], outcome: 'unknown' });
    expect(tap.count('registrySet')).toBe(1);
    expect(waits).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(sm.metrics().total.failures).toBe(1);
  });

  it('a lost race re-reads and re-applies the operation (keeping the winner’s message): each attempt uploads one head', async () => {
    const shared = new MemoryBackend();
    const a = new Tap(shared);
    const smA = manager(shared, { backend: a, deviceId: 'A', retry: { random: () => 0 } });
    const smB = manager(shared, { deviceId: 'B' });
    await smA.appendMessage('c', msg('m0', 'first', 1));
    let raced = false;
    a.before = async (name) => {
      if (name === 'registrySet' && !raced) {
        raced = true;
        await smB.appendMessage('c', msg('mB', 'from B', 3)); // B commits the revision A is about to write
      }
    };
    const events: (ConflictEvent | RetryEvent | MergedEvent)[] = [];
    smA.on('conflict', (e) => events.push(e));
    smA.on('retry', (e) => events.push(e));
    smA.on('merged', (e) => events.push(e));
    a.calls = [];
    const r = await smA.appendMessage('c', msg('mA', 'from A', 2));
    expect(r.attempts).toBe(2);
    expect(r.revision).toBe(3);
    expect(r.messageCount).toBe(3);
    // the message rides in the head's tail: attempt 1 one head, attempt 2 one new head (on B's) — each one 4 KiB block
    expect(a.calls.filter((c) => c === 'uploadBlob')).toHaveLength(2);
    expect(r.bytesUploaded).toBe(2 * 4096);
    expect(events.map((e) => ('kind' in e ? `conflict:${e.kind}` : 'delayMs' in e ? `retry:${e.delayMs}` : `merged:${e.reason}`))).toEqual([
      'conflict:revision',
      'retry:200',
      'merged:reapplied',
    ]);
    const loaded = await manager(shared).loadConversation('c');
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m0', 'mA', 'mB']);
    const mt = smA.metrics().conversations.c!;
    expect(mt).toMatchObject({ conflicts: 1, retries: 1, merges: 1, writesRetried: 1, writesRetriedOk: 1 });
    expect(mt.conflictRate).toBeCloseTo(1 / 3);
    expect(mt.avgAttemptsPerWrite).toBeCloseTo(3 / 2);
  });

  it('a delta too large for the head is one segment, uploaded once and reused by the retry', async () => {
    const shared = new MemoryBackend();
    const a = new Tap(shared);
    const smA = manager(shared, { backend: a, deviceId: 'A', retry: { random: () => 0 } });
    const smB = manager(shared, { deviceId: 'B' });
    await smA.appendMessage('c', msg('m0', 'first', 1));
    let raced = false;
    a.before = async (name) => {
      if (name === 'registrySet' && !raced) {
        raced = true;
        await smB.appendMessage('c', msg('mB', 'from B', 3));
      }
    };
    a.calls = [];
    const big = msg('mA', 'A'.repeat(40_000), 2); // more than any head carries (MAX_TAIL_HEAD_BYTES)
    const r = await smA.appendMessage('c', big);
    expect(r.attempts).toBe(2);
    // attempt 1: head + delta segment; attempt 2: a new head only, listing the same segment
    expect(a.calls.filter((c) => c === 'uploadBlob')).toHaveLength(3);
    const segment = (await currentHead(shared, 'c')).segments.find((s) => s.in === undefined)!;
    expect(segment.count).toBe(1);
    expect(r.bytesUploaded).toBe(4096 + segment.size + 4096);
    const loaded = await manager(shared).loadConversation('c');
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m0', 'mA', 'mB']);
    expect(loaded?.messages[1]!.content).toBe(big.content);
  });

  it('reports the node’s current revision when it gives up', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    // progressRetries 0: give up after the configured attempts even though others keep progressing
    const sm = manager(shared, { backend: tap, retry: { retries: 2, progressRetries: 0 } });
    const other = manager(shared);
    await sm.appendMessage('c', msg('m0'));
    let n = 0;
    tap.before = async (name) => {
      if (name === 'registrySet') await other.appendMessage('c', msg(`o${n++}`));
    };
    const err = (await sm.appendMessage('c', msg('mine')).catch((e: unknown) => e)) as RevisionConflictError;
    expect(err).toBeInstanceOf(RevisionConflictError);
    expect(err.attempts).toBe(3);
    expect(err.lastSeenRevision).toBe(shared.peekEntry(deriveConversationKeys(identity(), 'c').keyPair.publicKey)!.revision);
    tap.before = undefined;
    const loaded = await sm.loadConversation('c');
    expect(loaded?.messages.map((m) => m.id).sort()).toEqual(['m0', 'o0', 'o1', 'o2']);
  });

  it('defect 14: while others keep winning, a device gets extra attempts (bounded), and then its turn', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    const sm = manager(shared, { backend: tap, retry: { retries: 3 } });
    const other = manager(shared);
    await sm.appendMessage('c', msg('m0'));
    let losses = 6; // more lost races than the 4 base attempts allow
    tap.before = async (name) => {
      if (name === 'registrySet' && losses-- > 0) await other.appendMessage('c', msg(`o${losses}`));
    };
    const r = await sm.appendMessage('c', msg('mine'));
    expect(r.attempts).toBe(7);
    // …but never without bound: 4 + 8 attempts at most
    tap.before = async (name) => {
      if (name === 'registrySet') await other.appendMessage('c', msg(`x${Math.random()}`));
    };
    const err = (await sm.appendMessage('c', msg('late')).catch((e: unknown) => e)) as RevisionConflictError;
    expect(err).toBeInstanceOf(RevisionConflictError);
    expect(err.attempts).toBe(12);
    expect(err.operationId).toBeDefined();
    expect(err.messageIds).toEqual(['late']);
  });
});
