/**
 * Device logs (issue 14, contention): each device appends to its own log (its own registry key),
 * listed once in the conversation's main head, merged on read. Against the real devnode over real
 * sockets on the `dart` profile (timeScale 0.005). Nothing here times anything: every assertion is
 * about what is stored, counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, isS5ChatError, PortalClient, S5Identity } from '@s5chat/s5';
import { deriveConversationKeys, StorageManager, type Message, type WatchEvent } from '../../src/index.js';
import { logKeyId } from '../../src/device-logs/ids.js';
import { decodePointer } from '../../src/layout/keys.js';
import { decodeDocument } from '../../src/layout/codec.js';

type Node = Awaited<ReturnType<typeof startDevnode>>;
let node: Node;

beforeAll(async () => {
  node = await startDevnode({ port: 0, profile: 'dart', timeScale: 0.005 });
});
afterAll(async () => {
  await node?.stop();
});

const open: StorageManager[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => s.close().catch(() => undefined)));
});

/** One device of an identity: its own PortalClient (real sockets) and StorageManager. */
function device(seedPhrase: string, deviceId: string, deviceLogs = true, extra: Partial<ConstructorParameters<typeof StorageManager>[0]> = {}) {
  const identity = S5Identity.fromSeedPhrase(seedPhrase);
  const backend = new PortalClient({ portalUrl: node.url, identity });
  const storage = new StorageManager({ backend, identity, deviceId, crossTab: false, outbox: false, deviceLogs, ...extra });
  open.push(storage);
  return { storage, identity, backend };
}

const text = (i: number, d: string) => ({ id: `${d}-m${i}`, role: 'user' as const, content: `message ${i} from ${d}` });

/** The main head's listed logs, read straight from the registry (what a reader finds). */
async function listedLogs(d: ReturnType<typeof device>, conversationId: string): Promise<Record<string, string>> {
  const keys = deriveConversationKeys(d.identity, conversationId);
  const entry = await d.backend.registryGet(keys.keyPair.publicKey);
  if (!entry) return {};
  const bytes = await d.backend.downloadBlob(decodePointer(entry.data, 'main'));
  const { doc } = decodeDocument(bytes, keys.encryptionKey, 'head');
  return ((doc as { logs?: Record<string, string> }).logs ?? {}) as Record<string, string>;
}

function ids(ms: Message[] | undefined): string[] {
  return (ms ?? []).map((m) => m.id);
}

describe('device logs: appends from several devices never race for one key', () => {
  it('3 devices × 8 concurrent appends: every acknowledged message once for a fresh reader, in one deterministic order', async () => {
    const seed = generateSeedPhrase();
    const devices = ['a', 'b', 'c'].map((n) => device(seed, `dev-${n}`));
    const id = 'race-3';
    const acked: string[] = [];
    // Two waves at once per device: the first lists each device's log in the main head (those
    // appends ride in the contended main write), the second goes to the devices' own logs.
    for (const [from, to] of [
      [0, 2],
      [2, 8],
    ] as const) {
      await Promise.all(
        devices.map((d, k) =>
          Promise.all(
            Array.from({ length: to - from }, (_, j) =>
              d.storage.appendMessage(id, text(from + j, `d${k}`)).then((r) => {
                acked.push(r.message.id);
              }),
            ),
          ),
        ),
      );
    }
    expect(acked).toHaveLength(24);
    const r1 = await device(seed, 'reader-1', false).storage.loadConversation(id);
    const r2 = await device(seed, 'reader-2', true).storage.loadConversation(id);
    expect(new Set(ids(r1?.messages))).toEqual(new Set(acked));
    expect(ids(r1?.messages)).toHaveLength(24); // no duplicates
    expect(ids(r2?.messages)).toEqual(ids(r1?.messages)); // same order on every reader
    const sorted = [...(r1?.messages ?? [])].sort((x, y) => x.timestamp - y.timestamp || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    expect(ids(r1?.messages)).toEqual(ids(sorted));
    // Every device listed its log in the main head once; the later appends went to the logs.
    expect(Object.keys(await listedLogs(devices[0]!, id)).sort()).toEqual(['dev-a', 'dev-b', 'dev-c']);
    const logEntry = await devices[0]!.backend.registryGet(deriveConversationKeys(devices[0]!.identity, logKeyId(id, 'dev-a')).keyPair.publicKey);
    expect(logEntry?.revision ?? 0).toBeGreaterThan(0);
  });

  it('10 devices × 20 appends at once: 0 REVISION_CONFLICT failures, all 200 stored once', async () => {
    const seed = generateSeedPhrase();
    const devices = Array.from({ length: 10 }, (_, k) => device(seed, `ten-${k}`));
    const id = 'race-10';
    let conflicts = 0;
    let otherFailures = 0;
    const acked: string[] = [];
    await Promise.all(
      devices.map(async (d, k) => {
        for (let wave = 0; wave < 4; wave++) {
          await Promise.all(
            Array.from({ length: 5 }, (_, j) =>
              d.storage.appendMessage(id, text(wave * 5 + j, `t${k}`)).then(
                (r) => acked.push(r.message.id),
                (e: unknown) => (isS5ChatError(e, 'REVISION_CONFLICT') ? conflicts++ : otherFailures++),
              ),
            ),
          );
        }
      }),
    );
    expect(conflicts).toBe(0);
    expect(otherFailures).toBe(0);
    expect(acked).toHaveLength(200);
    // After the first wave every device wrote its own log.
    for (let k = 0; k < 10; k++) {
      const e = await devices[0]!.backend.registryGet(deriveConversationKeys(devices[0]!.identity, logKeyId(id, `ten-${k}`)).keyPair.publicKey);
      expect(e?.revision ?? 0).toBeGreaterThan(0);
    }
    const read = await device(seed, 'reader-10', false).storage.loadConversation(id);
    expect(ids(read?.messages)).toHaveLength(200);
    expect(new Set(ids(read?.messages))).toEqual(new Set(acked));
  });
});

describe('device logs: other writes see every log', () => {
  it('edit and delete of another device’s message win over its log', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'edit-a');
    const b = device(seed, 'edit-b');
    const id = 'edits';
    await a.storage.appendMessage(id, text(0, 'a')); // registers a's log in the main head
    await a.storage.appendMessage(id, text(1, 'a')); // in a's log
    await a.storage.appendMessage(id, text(2, 'a'));
    expect(Object.keys(await listedLogs(a, id))).toEqual(['edit-a']);
    await b.storage.editMessage(id, 'a-m1', { content: 'edited by b' });
    await b.storage.deleteMessage(id, 'a-m2');
    await a.storage.appendMessage(id, text(3, 'a'));
    for (const reader of [device(seed, 'edit-r1', false), device(seed, 'edit-r2')]) {
      const c = await reader.storage.loadConversation(id);
      expect(ids(c?.messages)).toEqual(['a-m0', 'a-m1', 'a-m3'].filter((x) => ids(c?.messages).includes(x)));
      expect(ids(c?.messages).sort()).toEqual(['a-m0', 'a-m1', 'a-m3']);
      expect(c?.messages.find((m) => m.id === 'a-m1')?.content).toBe('edited by b');
    }
    // a's own view agrees, and a re-sent append of the deleted message does not bring it back.
    await a.storage.appendMessage(id, text(2, 'a'));
    expect(ids((await a.storage.loadConversation(id))?.messages).sort()).toEqual(['a-m0', 'a-m1', 'a-m3']);
  });

  it('a loaded snapshot (composite revision) saved without a log message deletes it; a stale one is refused', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'snap-a');
    const b = device(seed, 'snap-b');
    const id = 'snapshots';
    for (let i = 0; i < 3; i++) await a.storage.appendMessage(id, text(i, 'a'));
    const loaded = await b.storage.loadConversation(id);
    expect(ids(loaded?.messages)).toEqual(['a-m0', 'a-m1', 'a-m2']);
    await b.storage.saveConversation({ ...loaded!, messages: loaded!.messages.filter((m) => m.id !== 'a-m1') });
    expect(ids((await device(seed, 'snap-r').storage.loadConversation(id))?.messages)).toEqual(['a-m0', 'a-m2']);
    // Optimistic locking on the composite revision: another device's log append moves it on.
    const seen = await b.storage.loadConversation(id);
    await a.storage.appendMessage(id, text(3, 'a'));
    await expect(b.storage.updateMetadata(id, { title: 'x' }, { expectedRevision: seen!.revision, onConflict: 'fail' })).rejects.toMatchObject({ code: 'REVISION_CONFLICT' });
    const now = await b.storage.loadConversation(id);
    await b.storage.updateMetadata(id, { title: 'y' }, { expectedRevision: now!.revision, onConflict: 'fail' });
    const c = await device(seed, 'snap-r2').storage.loadConversation(id);
    expect(c?.metadata.title).toBe('y');
    expect(ids(c?.messages)).toEqual(['a-m0', 'a-m2', 'a-m3']);
  });

  it('a delete hides every log message written before it; an append after it re-creates the conversation', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'del-a');
    const b = device(seed, 'del-b');
    const id = 'deletes';
    for (let i = 0; i < 3; i++) await a.storage.appendMessage(id, text(i, 'a'));
    await b.storage.appendMessage(id, text(0, 'b'));
    await b.storage.appendMessage(id, text(1, 'b'));
    await b.storage.deleteConversation(id);
    expect(await device(seed, 'del-r1').storage.loadConversation(id)).toBeNull();
    await a.storage.appendMessage(id, text(9, 'a')); // to a's log, after the delete's cut
    const c = await device(seed, 'del-r2', false).storage.loadConversation(id);
    expect(ids(c?.messages)).toEqual(['a-m9']);
    // An overwrite replaces everything in every log too.
    await b.storage.saveConversation({ id, messages: [{ id: 'fresh', role: 'user', content: 'only this', timestamp: 5 }] }, { onConflict: 'overwrite' });
    expect(ids((await device(seed, 'del-r3').storage.loadConversation(id))?.messages)).toEqual(['fresh']);
  });
});

describe('device logs: readers find every log', () => {
  it('watch on device B sees device A’s log appends', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'watch-a');
    const b = device(seed, 'watch-b', true, { live: { transport: 'poll', pollMinMs: 50, pollMaxMs: 100 } });
    const id = 'watched';
    await a.storage.appendMessage(id, text(0, 'a'));
    const seen = new Set<string>();
    const events: WatchEvent[] = [];
    const stop = b.storage.watch(id, (e) => {
      events.push(e);
      for (const m of e.messages) seen.add(m.id);
    });
    try {
      for (let i = 1; i <= 4; i++) await a.storage.appendMessage(id, text(i, 'a')); // all to a's log
      const want = ['a-m0', 'a-m1', 'a-m2', 'a-m3', 'a-m4'];
      for (let i = 0; i < 200 && !want.every((x) => seen.has(x)); i++) await new Promise((r) => setTimeout(r, 50));
      expect([...seen].sort()).toEqual(want);
      expect(events.every((e) => e.source === 'device' && e.conversationId === id)).toBe(true);
    } finally {
      stop();
    }
  });

  it('a watcher is not told of its own log appends, only of the other device’s', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'own-a', true, { live: { transport: 'poll', pollMinMs: 50, pollMaxMs: 100 } });
    const b = device(seed, 'own-b');
    const id = 'own-writes';
    await a.storage.appendMessage(id, text(0, 'a'));
    await b.storage.appendMessage(id, text(0, 'b'));
    const seen: string[] = [];
    const stop = a.storage.watch(id, (e) => seen.push(...e.messages.map((m) => m.id)), { initial: false });
    try {
      await new Promise((r) => setTimeout(r, 200)); // the baseline read
      for (let i = 1; i <= 3; i++) await a.storage.appendMessage(id, text(i, 'a'));
      await b.storage.appendMessage(id, text(1, 'b'));
      for (let i = 0; i < 200 && !seen.includes('b-m1'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toContain('b-m1');
      expect(seen.filter((x) => x.startsWith('a-'))).toEqual([]);
    } finally {
      stop();
    }
  });

  it('two tabs sharing one log id take turns on their log: every append stored once', async () => {
    const seed = generateSeedPhrase();
    const t1 = device(seed, 'same-device');
    const t2 = device(seed, 'same-device');
    const id = 'two-tabs';
    await t1.storage.appendMessage(id, text(0, 't1'));
    await t2.storage.appendMessage(id, text(0, 't2'));
    const acked: string[] = [];
    await Promise.all(
      [t1, t2].flatMap((t, k) => Array.from({ length: 6 }, (_, i) => t.storage.appendMessage(id, text(i + 1, `t${k + 1}`)).then((r) => acked.push(r.message.id)))),
    );
    expect(Object.keys(await listedLogs(t1, id))).toEqual(['same-device']);
    const c = await device(seed, 'tabs-reader', false).storage.loadConversation(id);
    expect(ids(c?.messages)).toHaveLength(14);
    expect(new Set(ids(c?.messages))).toEqual(new Set([...acked, 't1-m0', 't2-m0']));
  });

  it('a device added later is found by readers that loaded before it', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'late-a');
    const reader = device(seed, 'late-reader', false);
    const id = 'late';
    await a.storage.appendMessage(id, text(0, 'a'));
    await a.storage.appendMessage(id, text(1, 'a'));
    expect(ids((await reader.storage.loadConversation(id))?.messages)).toEqual(['a-m0', 'a-m1']);
    const c = device(seed, 'late-c');
    await c.storage.appendMessage(id, text(0, 'c'));
    await c.storage.appendMessage(id, text(1, 'c'));
    const again = await reader.storage.loadConversation(id);
    expect(ids(again?.messages).sort()).toEqual(['a-m0', 'a-m1', 'c-m0', 'c-m1']);
    expect(Object.keys(await listedLogs(a, id)).sort()).toEqual(['late-a', 'late-c']);
  });

  it('a conversation written in the one-key layout still loads, and takes device-log appends', async () => {
    const seed = generateSeedPhrase();
    const old = device(seed, 'old', false);
    const id = 'old-layout';
    for (let i = 0; i < 3; i++) await old.storage.appendMessage(id, text(i, 'o'));
    expect(await listedLogs(old, id)).toEqual({});
    const n = device(seed, 'new-one');
    expect(ids((await n.storage.loadConversation(id))?.messages)).toEqual(['o-m0', 'o-m1', 'o-m2']);
    await n.storage.appendMessage(id, text(0, 'n'));
    await n.storage.appendMessage(id, text(1, 'n'));
    await old.storage.appendMessage(id, text(3, 'o'));
    const c = await device(seed, 'old-reader', false).storage.loadConversation(id);
    expect(ids(c?.messages).sort()).toEqual(['n-m0', 'n-m1', 'o-m0', 'o-m1', 'o-m2', 'o-m3']);
  });

  it('re-submitting an append (same operationId) to a log stores it once', async () => {
    const seed = generateSeedPhrase();
    const a = device(seed, 'once-a');
    const id = 'once';
    await a.storage.appendMessage(id, text(0, 'a'));
    const first = await a.storage.appendMessage(id, { role: 'user', content: 'no id' }, { operationId: 'op-1' });
    const again = await a.storage.appendMessage(id, { role: 'user', content: 'no id' }, { operationId: 'op-1' });
    expect(again.message.id).toBe(first.message.id);
    expect(ids((await device(seed, 'once-r').storage.loadConversation(id))?.messages)).toHaveLength(2);
    const list = await a.storage.listConversations();
    expect(list.items.map((x) => x.id)).toEqual([id]); // logs are not conversations
  });
});
