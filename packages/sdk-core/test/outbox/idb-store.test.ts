/** The browser store on an in-memory IndexedDB implementation (fake-indexeddb), through a StorageManager. */
import 'fake-indexeddb/auto';
import { PortalUnavailableError } from '@s5chat/s5';
import { describe, expect, it } from 'vitest';
import { IndexedDbOutboxStore, MemoryBackend, StorageManager, type OutboxEvent } from '../../src/index.js';
import { identity } from '../support/helpers.js';
import { waitFor } from '../live/support.js';

describe('IndexedDbOutboxStore', () => {
  it("is what 'auto' picks where indexedDB exists, and its records outlive the manager that queued them", async () => {
    let down = true;
    const backend = new MemoryBackend({ schedule: async (_c, execute) => (down ? Promise.reject(new PortalUnavailableError('down')) : execute()) });
    const opts = { backend, identity: identity(12), crossTab: false as const, outboxRetry: { initialMs: 10, maxMs: 40 }, live: { transport: 'poll' as const } };
    const first = new StorageManager(opts); // outbox 'auto' → IndexedDB here
    const r = await first.appendMessage('idb', { id: 'i1', role: 'user', content: 'kept in IndexedDB' });
    expect(r.status).toBe('queued');
    first.outbox!.close();
    expect((await new IndexedDbOutboxStore().list()).map((x) => x.operationId)).toEqual([r.operationId]);

    down = false;
    const second = new StorageManager(opts);
    const events: OutboxEvent[] = [];
    second.on('outbox', (e) => events.push(e));
    await waitFor(() => events.some((e) => e.state === 'sent'), 5000, 'sent');
    expect((await second.loadConversation('idb'))!.messages.map((m) => m.id)).toEqual(['i1']);
    expect(await new IndexedDbOutboxStore().list()).toEqual([]);
    await second.close();
  });
});
