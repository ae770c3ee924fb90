import { describe, expect, it } from 'vitest';
import { PortalUnavailableError } from '@s5chat/s5';
import {
  ConversationDeletedError,
  LockTimeoutError,
  MemoryBackend,
  RevisionConflictError,
  ValidationError,
  deriveConversationKeys,
  deriveIndexKeys,
  type ErrorEvent,
} from '../../src/index.js';
import { Tap, identity, manager, msg } from '../support/helpers.js';

const pk = (id: string) => deriveConversationKeys(identity(), id).keyPair.publicKey;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('group commit', () => {
  it('N concurrent appends → few writes; every promise resolves with its own durable revision', async () => {
    const backend = new MemoryBackend({ faults: { latencyMs: 2 } });
    const sm = manager(backend, { compaction: { enabled: false } });
    const durable: boolean[] = [];
    const append = (id: string, i: number) =>
      sm.appendMessage('burst', msg(id, `message ${id}`, 1000 + i)).then((r) => {
        // resolved only once the node holds (at least) the revision that carries this message
        durable.push(backend.peekEntry(pk('burst'))!.revision >= r.revision);
        return r;
      });
    // 50 fired in one synchronous run: all carried by the first write
    const wave1 = await Promise.all(Array.from({ length: 50 }, (_, i) => append(`a${String(i).padStart(2, '0')}`, i)));
    expect(sm.metrics().conversations.burst!.writes).toBe(1);
    expect(new Set(wave1.map((r) => r.revision))).toEqual(new Set([1]));
    expect(wave1[49]!).toMatchObject({ batchSize: 50, messageCount: 50 });
    // one append starts a write; 30 more arrive while it is in flight and share the next write
    const leader = append('b-leader', 100);
    await new Promise((r) => setTimeout(r, 1));
    const followers = Array.from({ length: 30 }, (_, i) => append(`b${String(i).padStart(2, '0')}`, 101 + i));
    const wave2 = await Promise.all([leader, ...followers]);
    expect(wave2[0]!.revision).toBe(2);
    expect(new Set(wave2.slice(1).map((r) => r.revision))).toEqual(new Set([3]));
    expect(wave2[30]!).toMatchObject({ batchSize: 30, messageCount: 81 });
    expect(sm.metrics().conversations.burst!.writes).toBe(3);
    expect(durable).toHaveLength(81);
    expect(durable.every(Boolean)).toBe(true);
    const loaded = (await sm.loadConversation('burst'))!;
    expect(loaded.messages.map((x) => x.id)).toEqual([...wave1, ...wave2].map((r) => r.message.id));
  });

  it('lingerMs grows batches with a delay before each write', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { lingerMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), compaction: { enabled: false } });
    await Promise.all(Array.from({ length: 10 }, (_, i) => sm.appendMessage('l', msg(`m${i}`))));
    expect(sm.metrics().conversations.l!.writes).toBe(1);
  });

  it('fire-and-forget writes are tracked: pendingWrites(), flush(), failures reach the error event', async () => {
    const tap = new Tap(new MemoryBackend());
    const sm = manager(new MemoryBackend(), { backend: tap });
    const errors: ErrorEvent[] = [];
    sm.on('error', (e) => errors.push(e));
    tap.before = (name) => {
      if (name === 'registrySet') throw new PortalUnavailableError('down', { status: 503 });
    };
    void sm.appendMessage('f', msg('m1')).catch(() => undefined);
    void sm.appendMessage('f', msg('m2')).catch(() => undefined);
    expect(sm.pendingWrites()).toBe(2);
    await sm.flush();
    expect(sm.pendingWrites()).toBe(0);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors[0]).toMatchObject({ conversationId: 'f', during: 'commit' });
    expect((errors[0]!.error as PortalUnavailableError).code).toBe('PORTAL_UNAVAILABLE');
  });
});

describe('appends and saves', () => {
  it('appendMessage creates the conversation, fills id + timestamp, and is idempotent by id', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { now: () => 12345 });
    const r1 = await sm.appendMessage('c', { role: 'user', content: 'hello' });
    expect(r1.message.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r1.message.timestamp).toBe(12345);
    const sets = backend.stats().registrySets;
    const again = await sm.appendMessage('c', r1.message);
    expect(again.revision).toBe(r1.revision);
    expect(backend.stats().registrySets).toBe(sets); // no write at all
    expect(sm.metrics().total.noops).toBe(1);
    expect((await sm.loadConversation('c'))!.messages).toEqual([r1.message]);
  });

  it('saving a stale snapshot never erases messages appended since, nor newer metadata', async () => {
    const backend = new MemoryBackend();
    // 'always': the subject is the merge a read finds (a skipped read would meet it as a lost race, 'reapplied').
    const ui = manager(backend, { deviceId: 'ui', readBeforeWrite: 'always' });
    const other = manager(backend, { deviceId: 'other' });
    await ui.appendMessage('c', msg('m1', 'one', 1));
    const snapshot = (await ui.loadConversation('c'))!;
    await other.appendMessage('c', msg('m2', 'two', 2));
    await other.updateMetadata('c', { status: 'ended' });
    // The snapshot carries its revision: only what this caller changed (title, m3) is applied.
    const stale = { ...snapshot, metadata: { ...snapshot.metadata, title: 'Renamed' }, messages: [...snapshot.messages, msg('m3', 'three', 3)] };
    const merged: string[] = [];
    ui.on('merged', (e) => merged.push(e.reason));
    const r = await ui.saveConversation(stale);
    expect(r.messageCount).toBe(3);
    expect(merged).toEqual(['foreign-messages']);
    const loaded = (await other.loadConversation('c'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(loaded.metadata).toEqual({ status: 'ended', title: 'Renamed' });
  });

  it("onConflict 'fail' is optimistic locking: RevisionConflictError with currentRevision, nothing written", async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    const created = await sm.saveConversation({ id: 'o', metadata: { title: 'v1' } }, { onConflict: 'fail', expectedRevision: 0 });
    expect(created.revision).toBe(1);
    await expect(sm.saveConversation({ id: 'o' }, { onConflict: 'fail', expectedRevision: 0 })).rejects.toBeInstanceOf(RevisionConflictError);
    await sm.appendMessage('o', msg('m1'));
    const sets = backend.stats().registrySets;
    const err = (await sm
      .saveConversation({ id: 'o', metadata: { title: 'v2' } }, { onConflict: 'fail', expectedRevision: 1 })
      .catch((e: unknown) => e)) as RevisionConflictError;
    expect(err.code).toBe('REVISION_CONFLICT');
    expect(err.currentRevision).toBe(2);
    expect(err.expectedRevision).toBe(1);
    expect(backend.stats().registrySets).toBe(sets);
    const ok = await sm.updateMetadata('o', { title: 'v2' }, { onConflict: 'fail', expectedRevision: 2 });
    expect(ok.revision).toBe(3);
    const loaded = (await sm.loadConversation('o'))!;
    expect(loaded.metadata.title).toBe('v2');
    expect(loaded.messages.map((m) => m.id)).toEqual(['m1']); // 'fail' merges once the revision matched
  });

  it("onConflict 'overwrite' replaces messages and metadata (explicit opt-in)", async () => {
    const sm = manager(new MemoryBackend());
    await sm.appendMessage('w', msg('m1'));
    await sm.updateMetadata('w', { a: 1, title: 'x' });
    await sm.saveConversation({ id: 'w', messages: [msg('m9', 'only', 9)], metadata: { b: 2 } }, { onConflict: 'overwrite' });
    const loaded = (await manager(new MemoryBackend(), {}).loadConversation('w'));
    expect(loaded).toBeNull(); // another backend knows nothing
    const again = (await sm.loadConversation('w'))!;
    expect(again.messages.map((m) => m.id)).toEqual(['m9']);
    expect(again.metadata).toEqual({ b: 2 });
  });

  it('updateMetadata merges keys and its value beats a stored clock that runs ahead', async () => {
    const backend = new MemoryBackend();
    const ahead = manager(backend, { now: () => 10_000_000, deviceId: 'ahead' });
    const behind = manager(backend, { now: () => 1_000, deviceId: 'behind' });
    await ahead.updateMetadata('k', { status: 'active', title: 't' });
    await behind.updateMetadata('k', { status: 'ended' });
    expect((await ahead.loadConversation('k'))!.metadata).toEqual({ status: 'ended', title: 't' });
  });

  it('validates input with every offending path and writes nothing', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { limits: { maxContentBytes: 10 } });
    const bad: [() => Promise<unknown>, string[]][] = [
      [() => sm.appendMessage('a/b', msg('m')), ['conversationId']],
      [() => sm.appendMessage('', msg('m')), ['conversationId']],
      [() => sm.appendMessage('x'.repeat(129), msg('m')), ['conversationId']],
      [() => sm.appendMessage('..', msg('m')), ['conversationId']],
      [() => sm.appendMessage('c', msg('.')), ['message.id']],
      [() => sm.appendMessage('c', { role: 'bot', content: 5 } as never), ['message.role', 'message.content']],
      [() => sm.appendMessage('c', { role: 'user', content: 'x'.repeat(11) }), ['message.content']],
      [() => sm.appendMessage('c', { id: 'has space', role: 'user', content: 'x' }), ['message.id']],
      [() => sm.saveConversation({ id: 'c', messages: [{ role: 'user', content: 'ok' }, { role: 'nope', content: 'x' } as never] }), ['conversation.messages.1.role']],
      [() => sm.saveConversation({ id: 'c' }, { onConflict: 'fail' }), ['options.expectedRevision']],
      [() => sm.updateMetadata('c', 'nope' as never), ['metadata']],
      [() => sm.listConversations({ limit: 0 }), ['options.limit']],
      [() => sm.listConversations({ cursor: 'garbage' }), ['options.cursor']],
    ];
    for (const [call, paths] of bad) {
      const err = (await call().catch((e: unknown) => e)) as ValidationError;
      expect(err, paths.join()).toBeInstanceOf(ValidationError);
      expect(err.code).toBe('VALIDATION');
      expect(err.issues.map((i) => i.path).sort()).toEqual([...paths].sort());
    }
    expect(backend.stats().uploads).toBe(0);
    expect(backend.stats().registrySets).toBe(0);
  });

  it('enforces the message-count limit per conversation (that operation fails, others go on)', async () => {
    const sm = manager(new MemoryBackend(), { limits: { maxMessages: 2 } });
    await sm.appendMessage('c', msg('m1'));
    const [ok, tooMany] = await Promise.allSettled([sm.appendMessage('c', msg('m2')), sm.appendMessage('c', msg('m3'))]);
    expect(ok.status).toBe('fulfilled');
    expect(tooMany.status === 'rejected' && (tooMany.reason as ValidationError).code).toBe('VALIDATION');
    expect((await sm.loadConversation('c'))!.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
  });
});

describe('delete', () => {
  it('tombstone: acknowledged-before messages are gone; a later append re-creates with only new messages', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    await sm.appendMessage('d', msg('before'));
    await sm.updateMetadata('d', { title: 'Doomed' });
    const del = await sm.deleteConversation('d');
    expect(del.messageCount).toBe(0);
    expect(await sm.loadConversation('d')).toBeNull();
    expect(await manager(backend).loadConversation('d')).toBeNull();
    expect((await sm.listConversations()).items).toEqual([]);
    await expect(sm.updateMetadata('d', { status: 'ended' })).rejects.toBeInstanceOf(ConversationDeletedError);
    const again = await sm.appendMessage('d', msg('after', 'new life', 5));
    expect(again.messageCount).toBe(1);
    const loaded = (await sm.loadConversation('d'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['after']);
    expect(loaded.metadata).toEqual({});
    expect((await sm.listConversations()).items.map((i) => i.id)).toEqual(['d']);
    // deleting what does not exist is a no-op
    expect((await sm.deleteConversation('never')).revision).toBe(0);
  });

  it('an append racing a delete that commits after it re-creates the conversation with only that append', async () => {
    const shared = new MemoryBackend();
    const tapB = new Tap(shared);
    const a = manager(shared, { deviceId: 'A' });
    const b = manager(shared, { backend: tapB, deviceId: 'B' });
    await a.appendMessage('r', msg('old1'));
    await b.appendMessage('r', msg('old2'));
    let raced = false;
    tapB.before = async (name) => {
      if (name === 'registrySet' && !raced) {
        raced = true;
        await a.deleteConversation('r'); // the delete commits while B's append is in flight
      }
    };
    const r = await b.appendMessage('r', msg('late', 'after the delete', 9));
    expect(r.attempts).toBe(2);
    const loaded = (await a.loadConversation('r'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['late']);
  });

  it('an append that commits before the delete is deleted with it', async () => {
    const shared = new MemoryBackend();
    const tapA = new Tap(shared);
    const a = manager(shared, { backend: tapA, deviceId: 'A' });
    const b = manager(shared, { deviceId: 'B' });
    await a.appendMessage('r', msg('old'));
    let raced = false;
    tapA.before = async (name) => {
      if (name === 'registrySet' && !raced) {
        raced = true;
        await b.appendMessage('r', msg('sneaky'));
      }
    };
    const del = await a.deleteConversation('r');
    expect(del.attempts).toBe(2);
    expect(await b.loadConversation('r')).toBeNull();
  });
});

describe('locks', () => {
  it('writes go through the conversation lock; different conversations do not wait', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend);
    let release!: () => void;
    const held = sm.withConversationLock('c', () => new Promise<void>((r) => (release = r)), { label: 'ui-edit' });
    await tick();
    expect(sm.lockInfo('c')).toMatchObject({ locked: true, holder: 'ui-edit' });
    const pending = sm.appendMessage('c', msg('m1'));
    await sm.appendMessage('other', msg('x')); // not blocked
    await tick();
    expect(sm.lockInfo('c').pending).toBe(1);
    expect(backend.peekEntry(pk('c'))).toBeNull();
    release();
    await held;
    expect((await pending).revision).toBe(1);
    expect(sm.isLocked('c')).toBe(false);
    expect(sm.lockInfo('c')).toEqual({ locked: false, pending: 0 });
  });

  it('a write that times out waiting for the lock fails with LockTimeoutError and never runs later', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { lockTimeoutMs: 20 });
    let release!: () => void;
    const held = sm.withConversationLock('c', () => new Promise<void>((r) => (release = r)), { timeoutMs: 0 });
    const err = await sm.appendMessage('c', msg('m1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    release();
    await held;
    await sm.flush();
    await tick();
    expect(backend.stats().registrySets).toBe(0);
    expect(await sm.loadConversation('c')).toBeNull();
  });

  it('shows the committing write as holder', async () => {
    const tap = new Tap(new MemoryBackend());
    const sm = manager(new MemoryBackend(), { backend: tap });
    let seen: unknown;
    tap.before = (name) => {
      if (name === 'registrySet') seen ??= sm.lockInfo('c');
    };
    await sm.appendMessage('c', msg('m'));
    expect(seen).toMatchObject({ locked: true, holder: 'commit 1 op(s)' });
  });
});

describe('listConversations', () => {
  it('lists live conversations newest first with cursor pagination and titles', async () => {
    let t = 1000;
    const sm = manager(new MemoryBackend(), { now: () => (t += 10) });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await sm.appendMessage(id, msg(`${id}1`));
    await sm.updateMetadata('b', { title: 'Bee' });
    await sm.deleteConversation('c');
    const p1 = await sm.listConversations({ limit: 2 });
    expect(p1.items.map((i) => i.id)).toEqual(['b', 'e']);
    expect(p1.items[0]!.title).toBe('Bee');
    const p2 = await sm.listConversations({ limit: 2, cursor: p1.nextCursor! });
    expect(p2.items.map((i) => i.id)).toEqual(['d', 'a']);
    expect(p2.nextCursor).toBeUndefined();
    // another device sees the same list
    const other = manager(new MemoryBackend());
    expect((await other.listConversations()).items).toEqual([]);
  });

  it('a failed list update does not fail the write and is repaired in the background', async () => {
    const tap = new Tap(new MemoryBackend());
    const sm = manager(new MemoryBackend(), { backend: tap });
    const indexKey = deriveIndexKeys(identity()).keyPair.publicKey;
    let failures = 1;
    tap.before = (name, entry) => {
      if (name === 'registrySet' && entry && entry.publicKey.every((b, i) => b === indexKey[i]) && failures-- > 0) {
        throw new PortalUnavailableError('index write failed', { status: 503 });
      }
    };
    const errors: ErrorEvent[] = [];
    sm.on('error', (e) => errors.push(e));
    const r = await sm.appendMessage('listed', msg('m1'));
    expect(r.revision).toBe(1);
    expect(errors.map((e) => e.during)).toEqual(['index']);
    await sm.flush();
    expect((await sm.listConversations()).items.map((i) => i.id)).toEqual(['listed']);
  });

  it('concurrent creates from two devices both land in the index', async () => {
    const shared = new MemoryBackend();
    const a = manager(shared, { deviceId: 'A' });
    const b = manager(shared, { deviceId: 'B' });
    await Promise.all([a.appendMessage('x', msg('1')), b.appendMessage('y', msg('2')), a.appendMessage('z', msg('3'))]);
    const ids = (await manager(shared).listConversations()).items.map((i) => i.id).sort();
    expect(ids).toEqual(['x', 'y', 'z']);
  });
});

describe('pacing under load', () => {
  it('sustained traffic: the next write waits busyLingerMs to carry more; an idle append goes at once', async () => {
    const run = async (busyLingerMs: number) => {
      const backend = new MemoryBackend({ faults: { latencyMs: 2 } });
      const sleeps: number[] = [];
      const sm = manager(backend, {
        busyLingerMs,
        compaction: { enabled: false },
        sleep: (ms) => {
          sleeps.push(ms);
          return new Promise((r) => setTimeout(r, ms));
        },
      });
      const first = await sm.appendMessage('s', msg('first'));
      expect(sleeps).toEqual([]); // idle conversation: no linger
      expect(first.revision).toBe(1);
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        all.push(sm.appendMessage('s', msg(`m${i}`)));
        await new Promise((r) => setTimeout(r, 2));
      }
      await Promise.all(all);
      return { writes: sm.metrics().conversations.s!.writes, sleeps };
    };
    const eager = await run(0);
    const paced = await run(40);
    expect(paced.writes).toBeLessThan(eager.writes);
    expect(paced.sleeps.length).toBeGreaterThan(0);
    for (const ms of paced.sleeps) expect(ms).toBeGreaterThanOrEqual(30); // 40 ms ± 25 %
  });

  it('after lost races the conversation backs off (and recovers on clean writes)', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    const sleeps: number[] = [];
    let clock = 5000; // pauses decay with time; this clock stands still until the end
    const sm = manager(shared, { backend: tap, busyLingerMs: 0, retry: { random: () => 0.5 }, sleep: async (ms) => void sleeps.push(ms), now: () => clock });
    const other = manager(shared);
    await sm.appendMessage('x', msg('a'));
    let races = 1;
    tap.before = async (name) => {
      if (name === 'registrySet' && races-- > 0) await other.appendMessage('x', msg(`o${races}`));
    };
    await sm.appendMessage('x', msg('b')); // one lost race → contention pause for the next write
    sleeps.length = 0;
    await sm.appendMessage('x', msg('c'));
    expect(sleeps[0]).toBe(600); // the contention floor × jitter(0.5 → 1.0)
    sleeps.length = 0;
    await sm.appendMessage('x', msg('d'));
    expect(sleeps[0]).toBe(300); // halved after a clean write
    // defect 14: on an idle conversation the pause fades with time (half-life 1 s), not only per write
    clock += 2000;
    sleeps.length = 0;
    await sm.appendMessage('x', msg('e'));
    expect(sleeps[0]).toBe(38); // 'd' left 150; two half-lives later 37.5 (× jitter 1.0)
  });
});

describe('tail in the head', () => {
  it('another device reads a small new write from the head alone (the message is in its tail)', async () => {
    const shared = new MemoryBackend();
    const a = manager(shared, { deviceId: 'A' });
    const tapB = new Tap(shared);
    const b = manager(shared, { backend: tapB, deviceId: 'B' });
    await a.appendMessage('i', msg('m1'));
    await b.loadConversation('i');
    await a.appendMessage('i', msg('m2'));
    tapB.calls = [];
    const loaded = (await b.loadConversation('i'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(tapB.calls).toEqual(['registryGet', 'downloadBlob']); // registry + head only
  });
});

describe('metrics', () => {
  it('counts per conversation and in total, with rates, lock-wait percentiles and queue depth', async () => {
    const shared = new MemoryBackend();
    const tap = new Tap(shared);
    const sm = manager(shared, { backend: tap, busyLingerMs: 0 });
    const other = manager(shared);
    await sm.appendMessage('a', msg('a1'));
    let raced = false;
    tap.before = async (name) => {
      if (name === 'registrySet' && !raced) {
        raced = true;
        await other.appendMessage('a', msg('o1'));
      }
    };
    await sm.appendMessage('a', msg('a2'));
    tap.before = undefined;
    await sm.saveConversation({ id: 'b', messages: [msg('b1')] });
    await sm.updateMetadata('b', { title: 'B' });
    await sm.deleteConversation('b');
    const depth: number[] = [];
    const burst = Array.from({ length: 5 }, (_, i) => sm.appendMessage('a', msg(`q${i}`)));
    depth.push(sm.metrics().total.queueDepth);
    await Promise.all(burst);
    const { total, conversations } = sm.metrics();
    expect(depth[0]).toBe(5);
    expect(total.queueDepth).toBe(0);
    expect(total.maxQueueDepth).toBeGreaterThanOrEqual(5);
    const a = conversations.a!;
    expect(a).toMatchObject({ appends: 7, writes: 3, conflicts: 1, retries: 1, merges: 1, writesRetried: 1, writesRetriedOk: 1, failures: 0 });
    expect(a.avgAttemptsPerWrite).toBeCloseTo(4 / 3);
    expect(a.avgOperationsPerWrite).toBeCloseTo(7 / 3);
    expect(a.retrySuccessRate).toBe(1);
    expect(a.conflictRate).toBeCloseTo(1 / 4);
    expect(a.bytesUploaded).toBeGreaterThan(0);
    expect(conversations.b).toMatchObject({ saves: 1, metadataUpdates: 1, deletes: 1, writes: 3 });
    expect(total.appends).toBe(7);
    expect(total.bytesUploaded).toBeGreaterThanOrEqual(a.bytesUploaded + conversations.b!.bytesUploaded);
    expect(total.lockWaitP99Ms).toBeGreaterThanOrEqual(total.lockWaitP50Ms);
  });
});
