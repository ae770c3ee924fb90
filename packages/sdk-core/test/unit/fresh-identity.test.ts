/**
 * `freshIdentity` on the in-memory backend (the registry rules of a real node): which reads it
 * skips, that every decision it cannot take from a guess still gets a real read, and that another
 * tab's announcement ends it. The Dart-profile numbers are in test/integration/fresh-identity.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { MemoryBackend, type BroadcastChannelLike } from '../../src/index.js';
import { identity, manager, msg } from '../support/helpers.js';

const channel = (name: string) => new NodeBroadcastChannel(name) as unknown as BroadcastChannelLike;
const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('freshIdentity', () => {
  it('a first session reads nothing: list, load, watch and two first writes cost 0 registry reads', async () => {
    const backend = new MemoryBackend();
    let used = 0;
    const sm = manager(backend, { identity: identity(901), freshIdentity: true, onFreshIdentityUsed: () => used++ });
    const events: unknown[] = [];
    const off = sm.watchConversations((e) => events.push(e));
    expect((await sm.listConversations()).items).toEqual([]);
    expect(await sm.loadConversation('c1')).toBeNull();
    expect(used).toBe(0); // reads alone do not use the identity
    await sm.appendMessage('c1', msg('m1'));
    await sm.updateMetadata('c1', { title: 'one' });
    await sm.flush();
    expect(used).toBe(1);
    expect(backend.stats().registryGets).toBe(0);
    expect((await sm.listConversations()).items.map((i) => i.title)).toEqual(['one']);
    expect((await sm.loadConversation('c1'))?.messages.map((m) => m.id)).toEqual(['m1']);
    expect(sm.freshIdentity).toBe(true);
    off();
    await sm.close();
  });

  it('a write that changes nothing on a guess still asks the registry once, and ends', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { identity: identity(902), freshIdentity: true });
    const r = await sm.deleteConversation('never-written');
    expect(r.revision).toBe(0);
    expect(backend.stats().registryGets).toBe(1);
    expect(backend.stats().registrySets).toBe(0);
    await sm.close();
  });

  it('without freshIdentity the same first session reads every key first', async () => {
    const backend = new MemoryBackend();
    const sm = manager(backend, { identity: identity(903) });
    await sm.listConversations();
    await sm.appendMessage('c1', msg('m1'));
    await sm.flush();
    expect(backend.stats().registryGets).toBeGreaterThanOrEqual(2);
    expect(sm.freshIdentity).toBe(false);
    await sm.close();
  });

  it("another tab's commit ends it: the conversation it wrote then loads from the registry", async () => {
    const backend = new MemoryBackend();
    const crossTab = { locks: null, createChannel: channel };
    const a = manager(backend, { identity: identity(904), freshIdentity: true, crossTab });
    const b = manager(backend, { identity: identity(904), crossTab });
    expect(await a.loadConversation('shared')).toBeNull(); // derives the key name A listens for
    await b.appendMessage('shared', msg('from-b'));
    await until(() => !a.freshIdentity);
    expect((await a.loadConversation('shared'))?.messages.map((m) => m.id)).toEqual(['from-b']);
    await Promise.all([a.close(), b.close()]);
  });
});
