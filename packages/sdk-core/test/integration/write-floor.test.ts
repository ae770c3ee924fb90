/**
 * The write path at its floor (issue 14), against the real devnode over real sockets: what a write
 * sends (counted per device by a Tap over a real PortalClient) and that every shortcut converges
 * with nothing lost when its guess is wrong. Runs on the `devnode` profile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, PortalClient, S5Identity, type RegistryEntry } from '@s5chat/s5';
import { deriveConversationKeys, StorageManager } from '../../src/index.js';
import { msg, Tap } from '../support/helpers.js';

type Node = Awaited<ReturnType<typeof startDevnode>>;
let node: Node;

beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

/** A device: its own PortalClient (real sockets) behind a Tap that counts and can intercept calls. */
function device(seedPhrase: string, deviceId: string) {
  const identity = S5Identity.fromSeedPhrase(seedPhrase);
  const tap = new Tap(new PortalClient({ portalUrl: node.url, identity }));
  const storage = new StorageManager({ backend: tap, identity, deviceId, crossTab: false });
  return { tap, storage, identity, seedPhrase };
}

/** Registry sets that the node rejected, seen from one device. */
function rejectedSets(tap: Tap): { count: number } {
  const counter = { count: 0 };
  const set = tap.registrySet.bind(tap);
  tap.registrySet = async (e: RegistryEntry, o) => {
    try {
      return await set(e, o);
    } catch (err) {
      counter.count++;
      throw err;
    }
  };
  return counter;
}

describe('no registry read before a write that cannot conflict', () => {
  it('a fresh conversation id is written at revision 1 directly, and its next write without a read', async () => {
    const a = device(generateSeedPhrase(), 'a');
    const id = a.storage.newConversationId();
    await a.storage.listConversations(); // the running app has shown its list
    a.tap.calls = [];
    const first = await a.storage.appendMessage(id, msg('m1'));
    expect(first.revision).toBe(1);
    // conversation: upload + set; list entry: upload + set (the list was just read) — no registry GET
    expect(a.tap.count('registryGet')).toBe(0);
    expect(a.tap.count('registrySet')).toBe(2);
    a.tap.calls = [];
    await a.storage.appendMessage(id, msg('m2'));
    expect(a.tap.calls.filter((c) => c.startsWith('registry'))).toEqual(['registrySet']); // it wrote the latest revision itself

    const reader = device(a.seedPhrase, 'reader');
    const loaded = await reader.storage.loadConversation(id);
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  it('a fresh-id write that meets an existing key is rejected, re-reads and keeps both sides', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'a');
    const b = device(seed, 'b');
    const id = b.storage.newConversationId();
    await a.storage.appendMessage(id, msg('from-a')); // the "impossible" collision: another device holds the key
    const rejected = rejectedSets(b.tap);
    const r = await b.storage.appendMessage(id, msg('from-b'));
    expect(rejected.count).toBe(1); // the guess cost one rejected set …
    expect(r.revision).toBe(2); // … and the write landed on top of a's
    const fresh = device(seed, 'fresh');
    const loaded = await fresh.storage.loadConversation(id);
    expect(loaded?.messages.map((m) => m.id).sort()).toEqual(['from-a', 'from-b']);
  });

  it('a device whose last write was overtaken by another device loses nothing and reads again next time', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'a');
    const b = device(seed, 'b');
    const id = a.storage.newConversationId();
    await a.storage.appendMessage(id, msg('a1'));
    await b.storage.appendMessage(id, msg('b1')); // a does not know: it still believes revision 1
    const rejected = rejectedSets(a.tap);
    a.tap.calls = [];
    const r = await a.storage.appendMessage(id, msg('a2'));
    expect(rejected.count).toBe(1);
    expect(r.revision).toBe(3);
    expect(a.tap.calls.filter((c) => c === 'registryGet').length).toBeGreaterThan(0);
    // After a wrong guess the key has another writer: the next write reads first (no second rejection).
    a.tap.calls = [];
    await a.storage.appendMessage(id, msg('a3'));
    expect(a.tap.calls[0]).toBe('registryGet');
    expect(rejected.count).toBe(1);
    const loaded = await device(seed, 'fresh').storage.loadConversation(id);
    expect(loaded?.messages.map((m) => m.id).sort()).toEqual(['a1', 'a2', 'a3', 'b1']);
  });

  it('an idempotent re-append is judged on a real read, never on the remembered entry', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'a');
    const b = device(seed, 'b');
    const id = a.storage.newConversationId();
    await a.storage.appendMessage(id, msg('m1'));
    await b.storage.deleteConversation(id); // a still believes revision 1 holds m1
    const r = await a.storage.appendMessage(id, msg('m1'));
    expect(r.revision).toBe(3); // not a no-op: the conversation was deleted, m1 is stored again
    const loaded = await device(seed, 'fresh').storage.loadConversation(id);
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m1']);
  });
});

describe('appends fired in the same tick join one write', () => {
  it('a burst of 50 appends is one registry set of the conversation', async () => {
    const a = device(generateSeedPhrase(), 'a');
    const id = a.storage.newConversationId();
    await a.storage.listConversations();
    const convKey = hex(deriveConversationKeys(a.identity, id).keyPair.publicKey);
    const sets: string[] = [];
    a.tap.before = (name, entry) => {
      if (name === 'registrySet' && entry) sets.push(hex(entry.publicKey));
    };
    await Promise.all(Array.from({ length: 50 }, (_, i) => a.storage.appendMessage(id, msg(`m${String(i).padStart(2, '0')}`))));
    expect(sets.filter((k) => k.endsWith(convKey)).length).toBe(1);
    const loaded = await device(a.seedPhrase, 'fresh').storage.loadConversation(id);
    expect(loaded?.messages.length).toBe(50);
  });
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
