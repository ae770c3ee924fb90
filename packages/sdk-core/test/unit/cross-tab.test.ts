import { describe, expect, it } from 'vitest';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { MemoryBackend, createCrossTab, deriveConversationKeys, type BroadcastChannelLike, type LockManagerLike, type RemoteEvent } from '../../src/index.js';
import { Tap, identity, manager, msg } from '../support/helpers.js';

/** A same-process stand-in for navigator.locks: exclusive per name, FIFO (what Web Locks guarantee). */
class FakeLocks implements LockManagerLike {
  readonly #tails = new Map<string, Promise<unknown>>();
  held = new Set<string>();
  names: string[] = [];
  request<T>(name: string, cb: () => Promise<T>): Promise<T> {
    this.names.push(name);
    const prev = this.#tails.get(name) ?? Promise.resolve();
    const run = prev.then(async () => {
      this.held.add(name);
      try {
        return await cb();
      } finally {
        this.held.delete(name);
      }
    });
    this.#tails.set(name, run.catch(() => undefined));
    return run;
  }
}

const channel = (name: string) => new NodeBroadcastChannel(name) as unknown as BroadcastChannelLike;

describe('cross-tab coordination', () => {
  it('falls back to a no-op where Web Locks do not exist (Node)', async () => {
    const ct = createCrossTab({ instanceId: 'x' });
    expect(ct.locking).toBe(false);
    expect(await ct.withLock('k', async () => 7)).toBe(7);
    ct.announce('k', 1); // no channel: nothing happens, nothing throws
    ct.close();
  });

  it('holds the Web Lock across registry read → upload → set; the name reveals no conversation id', async () => {
    const locks = new FakeLocks();
    const tap = new Tap(new MemoryBackend());
    const sm = manager(new MemoryBackend(), { backend: tap, crossTab: { locks, createChannel: null } });
    const heldDuring: string[] = [];
    tap.before = (name) => {
      heldDuring.push(`${name}:${[...locks.held].length}`);
    };
    await sm.appendMessage('secret-conversation', msg('m1'));
    const key = deriveConversationKeys(identity(), 'secret-conversation').name;
    expect(locks.names[0]).toBe(`s5chat:${key}`);
    expect(locks.names.some((n) => n.includes('secret-conversation'))).toBe(false);
    // the conversation write (get, one upload: the head with the message in its tail, set) happened inside the lock
    expect(heldDuring.slice(0, 3)).toEqual(['registryGet:1', 'uploadBlob:1', 'registrySet:1']);
  });

  it('two tabs take turns instead of conflicting, and announce new revisions to each other', async () => {
    const locks = new FakeLocks();
    const backend = new MemoryBackend();
    const name = `s5chat-test-${Math.random()}`;
    const tabA = manager(backend, { deviceId: 'A', crossTab: { locks, createChannel: channel, channelName: name } });
    const tabB = manager(backend, { deviceId: 'B', crossTab: { locks, createChannel: channel, channelName: name } });
    await tabB.loadConversation('c'); // B knows the conversation (maps its key back to the id)
    const seen = new Promise<RemoteEvent>((resolve) => tabB.on('remote', resolve));
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? tabA : tabB).appendMessage('c', msg(`m${i}`))));
    expect(tabA.metrics().total.conflicts + tabB.metrics().total.conflicts).toBe(0);
    const remote = await seen;
    expect(remote.conversationId).toBe('c');
    expect(remote.revision).toBeGreaterThan(0);
    expect((await tabA.loadConversation('c'))!.messages).toHaveLength(10);
    await Promise.all([tabA.close(), tabB.close()]);
  });
});
