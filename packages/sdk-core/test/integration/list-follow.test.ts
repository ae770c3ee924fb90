/**
 * listUpdate 'follow': the list entry of a new conversation is written after the conversation,
 * off the acknowledgement (list/conversation-index.ts). Against a real devnode over real sockets:
 * the ack does not wait for the list write; this manager's own list does; others see the entry
 * once it lands; a failed update is repaired; a list write lost with its process is repaired by
 * the next write of any manager that has read the list. And the default still stores the entry
 * before the ack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, PortalClient, PortalUnavailableError, S5Identity, type RegistryEntry } from '@s5chat/s5';
import { deriveIndexKeys, StorageManager, type ErrorEvent, type StorageManagerOptions } from '../../src/index.js';
import { msg, Tap } from '../support/helpers.js';

let node: Awaited<ReturnType<typeof startDevnode>>;
beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

function device(seedPhrase: string, deviceId: string, opts: Partial<StorageManagerOptions> = {}) {
  const identity = S5Identity.fromSeedPhrase(seedPhrase);
  const tap = new Tap(new PortalClient({ portalUrl: node.url, identity }));
  const storage = new StorageManager({ backend: tap, identity, deviceId, crossTab: false, outbox: false, ...opts });
  const indexKey = deriveIndexKeys(identity).keyPair.publicKey;
  const isIndexSet = (name: string, entry?: RegistryEntry) =>
    name === 'registrySet' && entry !== undefined && entry.publicKey.every((b, i) => b === indexKey[i]);
  return { tap, storage, isIndexSet };
}

const ids = async (s: StorageManager) => (await s.listConversations()).items.map((i) => i.id).sort();

describe("listUpdate 'follow'", () => {
  it('acknowledges before the list write; its own list waits for it, others see it once it lands', async () => {
    const phrase = generateSeedPhrase();
    const a = device(phrase, 'a', { listUpdate: 'follow' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let listSets = 0;
    a.tap.before = async (name, entry) => {
      if (a.isIndexSet(name, entry)) {
        listSets++;
        await held; // the list write cannot land until the test says so
      }
    };
    const id = a.storage.newConversationId();
    const r = await a.storage.appendMessage(id, msg('m1'));
    expect(r.revision).toBe(1); // durable: the conversation head is set, the list write not landed
    for (let i = 0; listSets === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
    expect(listSets).toBe(1); // the list write follows, held at its registry set
    const other = device(phrase, 'other');
    expect(await ids(other.storage)).toEqual([]); // not listed anywhere yet…
    expect((await other.storage.loadConversation(id))!.messages.map((m) => m.id)).toEqual(['m1']); // …but found by id
    let listed: string[] | undefined;
    const own = ids(a.storage).then((x) => (listed = x));
    await new Promise((r) => setTimeout(r, 100));
    expect(listed).toBeUndefined(); // its own list waits for its own update
    release();
    expect(await own).toEqual([id]);
    expect(await ids(device(phrase, 'late').storage)).toEqual([id]);
    await a.storage.close();
  });

  it('a failed list update is reported and repaired in the background', async () => {
    const phrase = generateSeedPhrase();
    const a = device(phrase, 'a', { listUpdate: 'follow', sleep: () => Promise.resolve() });
    let failures = 1;
    a.tap.before = (name, entry) => {
      if (a.isIndexSet(name, entry) && failures-- > 0) throw new PortalUnavailableError('list write failed', { status: 503 });
    };
    const errors: ErrorEvent[] = [];
    a.storage.on('error', (e) => errors.push(e));
    await a.storage.appendMessage('repaired', msg('m1'));
    await a.storage.flush();
    expect(errors.map((e) => e.during)).toContain('index');
    expect(await ids(device(phrase, 'b').storage)).toEqual(['repaired']);
    await a.storage.close();
  });

  it('a list write lost with its process is repaired by the next write of a manager that read the list', async () => {
    const phrase = generateSeedPhrase();
    // A acknowledges, then every list write fails (its process "dies" before the entry lands).
    const a = device(phrase, 'a', { listUpdate: 'follow', sleep: () => Promise.resolve() });
    a.tap.before = (name, entry) => {
      if (a.isIndexSet(name, entry)) throw new PortalUnavailableError('gone', { status: 503 });
    };
    a.storage.on('error', () => undefined);
    await a.storage.appendMessage('orphan', msg('m1'));
    await a.storage.appendMessage('listed', msg('x1'));
    await a.storage.flush(); // its repair rounds fail too
    const b = device(phrase, 'b', { listUpdate: 'follow' });
    expect(await ids(b.storage)).toEqual([]); // B's list lacks both
    await b.storage.appendMessage('orphan', msg('m2')); // an ordinary append, no create
    await b.storage.flush();
    expect(await ids(device(phrase, 'c').storage)).toEqual(['orphan']);
    await Promise.all([a.storage.close(), b.storage.close()]);
  });

  it("default ('with-write'): the entry is stored before the ack", async () => {
    const phrase = generateSeedPhrase();
    const a = device(phrase, 'a');
    await a.storage.appendMessage('now', msg('m1'));
    expect(await ids(device(phrase, 'b').storage)).toEqual(['now']);
    await a.storage.close();
  });
});
