/**
 * The bench's baseline must reproduce the known-bad strategy faithfully, or the comparison means
 * nothing. These tests force the two interleavings DESIGN-NOTES describes, against a real devnode,
 * and check that the baseline loses an acknowledged message exactly the way the field's SDKs do.
 */
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, PortalClient, S5Identity, type S5Backend } from '@s5chat/s5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NaiveConversationStore, type BaselineMessage } from '../../bench/baseline/naive-conversation-store';
import { withReferenceReadCache } from '../../bench/baseline/reference-read-cache';

let node: Awaited<ReturnType<typeof startDevnode>>;
beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

const msg = (id: string): BaselineMessage => ({ id, role: 'user', content: `content of ${id}`, timestamp: Date.now() });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A backend whose Nth call of `method` waits for `gate` before going to the node. */
function gatedBackend(inner: S5Backend, method: keyof S5Backend, nth: number, gate: Promise<void>) {
  let calls = 0;
  const reached = deferred();
  const backend: S5Backend = {
    registryGet: (...a) => wrap('registryGet', () => inner.registryGet(...a)),
    registrySet: (...a) => wrap('registrySet', () => inner.registrySet(...a)),
    uploadBlob: (...a) => wrap('uploadBlob', () => inner.uploadBlob(...a)),
    downloadBlob: (...a) => wrap('downloadBlob', () => inner.downloadBlob(...a)),
  };
  async function wrap<T>(name: keyof S5Backend, call: () => Promise<T>): Promise<T> {
    if (name === method && ++calls === nth) {
      reached.resolve();
      await gate;
    }
    return call();
  }
  return { backend, reached: reached.promise };
}

function twoDevices() {
  const phrase = generateSeedPhrase();
  const clientA = new PortalClient({ portalUrl: node.url, identity: S5Identity.fromSeedPhrase(phrase) });
  const clientB = new PortalClient({ portalUrl: node.url, identity: S5Identity.fromSeedPhrase(phrase) });
  return { phrase, clientA, clientB };
}

describe('bench baseline (naive conversation store)', () => {
  it('appends and reads back on a single device, one blob per conversation', async () => {
    const { phrase, clientA } = twoDevices();
    const store = new NaiveConversationStore({ backend: clientA, identity: S5Identity.fromSeedPhrase(phrase) });
    await Promise.all([store.appendMessage('c1', msg('m1')), store.appendMessage('c1', msg('m2')), store.appendMessage('c1', msg('m3'))]);
    const loaded = await store.loadConversation('c1');
    expect(loaded?.messages.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(await store.loadConversation('never-written')).toBeNull();
  });

  it('a failed predecessor in the promise chain is swallowed and the next operation runs', async () => {
    const { phrase, clientA } = twoDevices();
    const identity = S5Identity.fromSeedPhrase(phrase);
    let failNextUpload = true;
    const flaky: S5Backend = {
      registryGet: (...a) => clientA.registryGet(...a),
      registrySet: (...a) => clientA.registrySet(...a),
      downloadBlob: (...a) => clientA.downloadBlob(...a),
      uploadBlob: async (...a) => {
        if (failNextUpload) {
          failNextUpload = false;
          throw new Error('network down');
        }
        return clientA.uploadBlob(...a);
      },
    };
    const store = new NaiveConversationStore({ backend: flaky, identity });
    const first = store.appendMessage('c2', msg('x1'));
    const second = store.appendMessage('c2', msg('x2'));
    await expect(first).rejects.toThrow('network down');
    await expect(second).resolves.toBeUndefined();
    expect((await store.loadConversation('c2'))?.messages.map((m) => m.id)).toEqual(['x2']);
  });

  it('loses an acknowledged message when a stale snapshot is saved at the re-read revision (no error)', async () => {
    const { phrase, clientA, clientB } = twoDevices();
    const gate = deferred();
    // Device A stops after loading (before its upload); device B appends meanwhile.
    const a = gatedBackend(clientA, 'uploadBlob', 2, gate.promise);
    const storeA = new NaiveConversationStore({ backend: a.backend, identity: S5Identity.fromSeedPhrase(phrase) });
    const storeB = new NaiveConversationStore({ backend: clientB, identity: S5Identity.fromSeedPhrase(phrase) });
    await storeA.appendMessage('c3', msg('a1'));
    const aSecond = storeA.appendMessage('c3', msg('a2'));
    await a.reached;
    await storeB.appendMessage('c3', msg('b1')); // acknowledged
    gate.resolve();
    await aSecond; // "succeeds"
    const ids = (await storeB.loadConversation('c3'))?.messages.map((m) => m.id);
    expect(ids).toEqual(['a1', 'a2']); // b1 was acknowledged and is gone
    expect(storeA.counters.revisionErrors).toBe(0);
  });

  it('retries "Revision number too low" after 200 ms with the same snapshot and overwrites the winner', async () => {
    const { phrase, clientA, clientB } = twoDevices();
    const gate = deferred();
    // Device A stops between re-reading the revision and setting it; B's write lands in between.
    const a = gatedBackend(clientA, 'registrySet', 2, gate.promise);
    const storeA = new NaiveConversationStore({ backend: a.backend, identity: S5Identity.fromSeedPhrase(phrase) });
    const storeB = new NaiveConversationStore({ backend: clientB, identity: S5Identity.fromSeedPhrase(phrase) });
    await storeA.appendMessage('c4', msg('a1'));
    const aSecond = storeA.appendMessage('c4', msg('a2'));
    await a.reached;
    await storeB.appendMessage('c4', msg('b1'));
    gate.resolve();
    await aSecond;
    expect(storeA.counters.revisionErrors).toBe(1);
    expect(storeA.counters.failedSaves).toBe(0);
    const ids = (await storeB.loadConversation('c4'))?.messages.map((m) => m.id);
    expect(ids).toEqual(['a1', 'a2']);
  });
});

describe('bench baseline read cache (reference client caches)', () => {
  it('serves its own writes from memory, misses other devices, and re-reads after a rejected set', async () => {
    const { phrase, clientA, clientB } = twoDevices();
    const storeA = new NaiveConversationStore({ backend: withReferenceReadCache(clientA), identity: S5Identity.fromSeedPhrase(phrase) });
    const storeB = new NaiveConversationStore({ backend: clientB, identity: S5Identity.fromSeedPhrase(phrase) });
    await storeA.appendMessage('c5', msg('a1'));

    node.resetStats();
    await storeA.appendMessage('c5', msg('a2'));
    // Load and re-read come from memory: only the upload and the registry set reach the node.
    expect(node.stats().requests.total).toBe(2);

    await storeB.appendMessage('c5', msg('b1'));
    // A still sees its own last write, not B's (the reference client's 60 s registry cache).
    expect((await storeA.loadConversation('c5'))?.messages.map((m) => m.id)).toEqual(['a1', 'a2']);

    // A's next save is rejected (B holds that revision), the cache entry is dropped, the retry
    // re-reads the node and overwrites B's message with A's stale snapshot.
    await storeA.appendMessage('c5', msg('a3'));
    expect(storeA.counters.revisionErrors).toBe(1);
    expect((await storeB.loadConversation('c5'))?.messages.map((m) => m.id)).toEqual(['a1', 'a2', 'a3']);
  });
});
