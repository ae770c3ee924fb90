/**
 * Outbox semantics on the in-memory backend (which enforces the registry rules): a lost reply
 * (the write landed, the client never heard) replays as a no-op; a definitely refused record fails
 * alone and the conversation's later records still go; with a shared lock only one instance drains.
 */
import { PortalUnavailableError } from '@s5chat/s5';
import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryOutboxStore, StorageManager, type OutboxEvent, type OutboxRecord } from '../../src/index.js';
import { Outbox, type OutboxLockManager } from '../../src/outbox/index.js';
import { identity } from '../support/helpers.js';
import { waitFor } from '../live/support.js';

function manager(backend: MemoryBackend, store = new MemoryOutboxStore()) {
  const events: OutboxEvent[] = [];
  const sm = new StorageManager({ backend, identity: identity(11), crossTab: false, outbox: store, outboxRetry: { initialMs: 10, maxMs: 40 }, live: { transport: 'poll' } });
  sm.on('outbox', (e) => events.push(e));
  return { sm, events, store };
}

describe('outbox replays', () => {
  it('a write whose reply was lost is queued, replayed under the same ids, and stored exactly once', async () => {
    let loseReplies = 1;
    const backend = new MemoryBackend({
      schedule: async (call, execute) => {
        const value = execute(); // the node stores it…
        if (call.name === 'registrySet' && loseReplies-- > 0) throw new PortalUnavailableError('connection reset after the write'); // …the reply is lost
        return value;
      },
    });
    const { sm, events } = manager(backend);
    const r = await sm.appendMessage('lost', { id: 'x', role: 'user', content: 'once' });
    expect(r.status).toBe('queued');
    await waitFor(() => events.some((e) => e.state === 'sent'), 5000, 'sent');
    const loaded = (await sm.loadConversation('lost'))!;
    expect(loaded.messages.map((m) => m.id)).toEqual(['x']);
    expect(loaded.revision).toBe(1); // the replay changed nothing: the first write had landed
    await sm.close();
  });

  it('a record the portal refuses for good fails alone; the conversation’s later records are still sent, in order', async () => {
    let down = true;
    const backend = new MemoryBackend({
      schedule: async (_call, execute) => {
        if (down) throw new PortalUnavailableError('portal down');
        return execute();
      },
    });
    const { sm, events } = manager(backend);
    const refused = await sm.saveConversation({ id: 'c', messages: [] }, { onConflict: 'fail', expectedRevision: 7 });
    const later = await sm.appendMessage('c', { id: 'after', role: 'user', content: 'still sent' });
    expect([refused.status, later.status]).toEqual(['queued', 'queued']);
    expect(sm.pendingWrites()).toBe(2);
    down = false;
    await waitFor(() => sm.pendingWrites() === 0, 5000, 'drained');
    expect(events.filter((e) => e.state !== 'queued').map((e) => [e.operationId, e.state])).toEqual([
      [refused.operationId, 'failed'],
      [later.operationId, 'sent'],
    ]);
    expect(events.find((e) => e.state === 'failed')!.error).toMatchObject({ code: 'REVISION_CONFLICT' });
    expect((await sm.loadConversation('c'))!.messages.map((m) => m.id)).toEqual(['after']);
    await sm.close();
  });

  it('records survive the manager: a new one on the same store sends them', async () => {
    let down = true;
    const backend = new MemoryBackend({ schedule: async (_c, execute) => (down ? Promise.reject(new PortalUnavailableError('down')) : execute()) });
    const store = new MemoryOutboxStore();
    const first = manager(backend, store);
    await first.sm.appendMessage('kept', { id: 'k1', role: 'user', content: 'one' });
    await first.sm.appendMessage('kept', { id: 'k2', role: 'user', content: 'two' });
    first.sm.outbox!.close(); // as a closed tab: nothing more from it
    expect(await store.list()).toHaveLength(2);
    down = false;
    const second = manager(backend, store);
    await waitFor(() => second.events.filter((e) => e.state === 'sent').length === 2, 5000, 'sent by the new manager');
    expect((await second.sm.loadConversation('kept'))!.messages.map((m) => m.id)).toEqual(['k1', 'k2']);
    expect(await store.list()).toHaveLength(0);
    await second.sm.close();
  });
});

describe('one drainer', () => {
  it('with a shared lock, two instances on one store send each record once', async () => {
    // An in-process lock manager with the Web Locks `ifAvailable` semantics (Node 20 has no navigator.locks).
    const held = new Set<string>();
    const locks: OutboxLockManager = {
      async request(name, { ifAvailable }, cb) {
        if (held.has(name)) {
          if (ifAvailable) return cb(null);
          throw new Error('only ifAvailable is used');
        }
        held.add(name);
        try {
          return await cb({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    const store = new MemoryOutboxStore();
    for (let i = 0; i < 5; i++) {
      await store.put({ v: 1, operationId: `op-${i}`, seq: i, owner: 'me', conversationId: 'c', op: { kind: 'delete', at: i }, encrypted: true, queuedAt: i, attempts: 0 });
    }
    const sent: string[] = [];
    const make = () =>
      new Outbox({
        store,
        owner: 'me',
        locks,
        retryInitialMs: 5,
        retryMaxMs: 10,
        onEvent: () => undefined,
        send: async (r: OutboxRecord) => {
          sent.push(r.operationId);
          await new Promise((res) => setTimeout(res, 5));
          return { conversationId: r.conversationId, revision: 1, messageCount: 0, encrypted: true, bytesUploaded: 0, attempts: 1, batchSize: 1 };
        },
      });
    const [x, y] = [make(), make()];
    x.kick();
    y.kick();
    await waitFor(() => x.pending === 0 && y.pending === 0 && held.size === 0, 5000, 'drained');
    await Promise.all([x.idle(), y.idle()]);
    expect(sent).toEqual(['op-0', 'op-1', 'op-2', 'op-3', 'op-4']);
    x.close();
    y.close();
  });
});
