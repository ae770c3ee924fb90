/**
 * Against the REAL devnode over real sockets (loopback, random port): several SDK instances with
 * one identity (= several devices) racing on one conversation, without and with injected faults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { BlobId, generateSeedPhrase, utf8ToBytes } from '@s5chat/s5';
import { createSdk, deriveConversationKeys, type Message, type Sdk } from '../../src/index.js';
import { containsBytes } from '../support/helpers.js';

type Node = Awaited<ReturnType<typeof startDevnode>>;
let node: Node;

beforeAll(async () => {
  node = await startDevnode({ port: 0 });
});
afterAll(async () => {
  await node?.stop();
});

async function devices(n: number, seedPhrase: string, extra: Partial<Parameters<typeof createSdk>[0]> = {}): Promise<Sdk[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => createSdk({ portalUrl: node.url, seedPhrase, deviceId: `device-${i}`, ...extra })));
}

/**
 * Each device fires `perDevice` appends at once and, mid-way, saves a stale snapshot (loaded
 * before its own appends landed) with a renamed title. An append that fails after all attempts
 * is re-submitted by the "app" with the same id (appends are idempotent), as a UI would.
 */
async function race(sdks: Sdk[], conversationId: string, perDevice: number, spreadMs = 300) {
  const acked = new Map<string, string>();
  let resubmitted = 0;
  let staleSaves = 0;
  await Promise.all(
    sdks.map(async (sdk, d) => {
      const snapshot = await sdk.loadConversation(conversationId);
      const appends = Array.from({ length: perDevice }, async (_, i) => {
        // spread the appends so the devices keep colliding instead of coalescing into one write each
        await new Promise((r) => setTimeout(r, Math.random() * spreadMs));
        const m: Message = { id: `d${d}-m${String(i).padStart(3, '0')}`, role: 'user', content: `device ${d} message ${i}`, timestamp: Date.now() };
        for (let tries = 0; ; tries++) {
          try {
            await sdk.storage.appendMessage(conversationId, m);
            acked.set(m.id, m.content);
            return;
          } catch (e) {
            if (tries >= 5) throw e;
            resubmitted++;
          }
        }
      });
      const stale = (async () => {
        await new Promise((r) => setTimeout(r, spreadMs / 2));
        const base = snapshot ?? { id: conversationId, messages: [], metadata: {}, createdAt: 0, updatedAt: 0 };
        await sdk.saveConversation({ id: conversationId, messages: base.messages, metadata: { ...base.metadata, title: `renamed by ${d}` }, updatedAt: Date.now() });
        staleSaves++;
      })();
      await Promise.all([...appends, stale]);
    }),
  );
  return { acked, resubmitted, staleSaves };
}

async function verify(seedPhrase: string, conversationId: string, acked: Map<string, string>) {
  const [fresh] = await devices(1, seedPhrase);
  const loaded = (await fresh!.loadConversation(conversationId))!;
  const ids = loaded.messages.map((m) => m.id);
  const lost = [...acked.keys()].filter((id) => !ids.includes(id));
  const duplicates = ids.length - new Set(ids).size;
  const unknown = ids.filter((id) => !acked.has(id));
  for (const m of loaded.messages) expect(m.content).toBe(acked.get(m.id));
  await fresh!.close();
  return { loaded, lost, duplicates, unknown };
}

describe('devnode: 3 devices × 50 concurrent appends + stale snapshot saves', () => {
  it('keeps all 150 acknowledged messages, no duplicates, devices converge', async () => {
    const seed = generateSeedPhrase();
    const sdks = await devices(3, seed);
    const { acked, resubmitted } = await race(sdks, 'shared-chat', 50);
    expect(acked.size).toBe(150);
    await Promise.all(sdks.map((s) => s.storage.flush()));
    const { loaded, lost, duplicates, unknown } = await verify(seed, 'shared-chat', acked);
    expect({ lost, duplicates, unknown }).toEqual({ lost: [], duplicates: 0, unknown: [] });
    expect(loaded.messages).toHaveLength(150);
    expect(String(loaded.metadata.title)).toMatch(/^renamed by \d$/);
    // every device converges to the same state
    const views = await Promise.all(sdks.map((s) => s.loadConversation('shared-chat')));
    for (const v of views) expect(v).toEqual(views[0]);
    const writes = sdks.reduce((n, s) => n + s.storage.metrics().total.writes, 0);
    const conflicts = sdks.reduce((n, s) => n + s.storage.metrics().total.conflicts, 0);
    console.log(`[devnode clean] 150 acked, 0 lost; writes=${writes} (${(writes / 150).toFixed(3)} per append), conflicts=${conflicts}, app re-submits=${resubmitted}`);
    await Promise.all(sdks.map((s) => s.close()));
  }, 120_000);

  it('still loses nothing with devnode faults on (latency, 5xx, spurious conflicts, stale reads)', async () => {
    node.setFaults({ latencyMs: 5, jitterMs: 10, errorRate: 0.05, conflictRate: 0.05, staleReadRate: 0.3 });
    try {
      const seed = generateSeedPhrase();
      const sdks = await devices(3, seed);
      const { acked, resubmitted } = await race(sdks, 'faulty-chat', 50);
      expect(acked.size).toBe(150);
      await Promise.all(sdks.map((s) => s.storage.flush()));
      node.setFaults({ latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0 });
      const { loaded, lost, duplicates, unknown } = await verify(seed, 'faulty-chat', acked);
      expect({ lost, duplicates, unknown }).toEqual({ lost: [], duplicates: 0, unknown: [] });
      expect(loaded.messages).toHaveLength(150);
      const stats = node.stats();
      expect(stats.faults.errors + stats.faults.conflicts + stats.faults.staleReads).toBeGreaterThan(0);
      const m = sdks.map((s) => s.storage.metrics().total);
      console.log(
        `[devnode faults] 150 acked, 0 lost; conflicts=${m.reduce((n, x) => n + x.conflicts, 0)} retries=${m.reduce((n, x) => n + x.retries, 0)} ` +
          `app re-submits=${resubmitted}; node faults ${JSON.stringify(stats.faults)} registry ${JSON.stringify(stats.registry)}`,
      );
      await Promise.all(sdks.map((s) => s.close()));
    } finally {
      node.setFaults({ latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0 });
    }
  }, 180_000);
});

describe('devnode: the same race with pacing off (pure leader/follower, maximum contention)', () => {
  it('loses nothing; appends that gave up after 4 attempts are re-submitted by id and land once', async () => {
    node.setFaults({ latencyMs: 5, jitterMs: 10, conflictRate: 0.05, staleReadRate: 0.2 });
    try {
      const seed = generateSeedPhrase();
      const sdks = await devices(3, seed, { storage: { busyLingerMs: 0, contentionBackoffMaxMs: 0 } });
      const { acked, resubmitted } = await race(sdks, 'no-pacing-chat', 50, 600);
      expect(acked.size).toBe(150);
      await Promise.all(sdks.map((s) => s.storage.flush()));
      node.setFaults({ latencyMs: 0, jitterMs: 0, conflictRate: 0, staleReadRate: 0 });
      const { loaded, lost, duplicates, unknown } = await verify(seed, 'no-pacing-chat', acked);
      expect({ lost, duplicates, unknown }).toEqual({ lost: [], duplicates: 0, unknown: [] });
      expect(loaded.messages).toHaveLength(150);
      const m = sdks.map((s) => s.storage.metrics().total);
      console.log(`[devnode no pacing] 150 acked, 0 lost; writes=${m.reduce((n, x) => n + x.writes, 0)} conflicts=${m.reduce((n, x) => n + x.conflicts, 0)} app re-submits=${resubmitted}`);
      await Promise.all(sdks.map((s) => s.close()));
    } finally {
      node.setFaults({ latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0 });
    }
  }, 180_000);
});

describe('devnode: createSdk round trip', () => {
  for (const encryption of ['on', 'off'] as const) {
    it(`encryption ${encryption}: save, load from another device, list, delete`, async () => {
      const seed = generateSeedPhrase();
      const [a, b] = await devices(2, seed, { encryption });
      const r = await a!.saveConversation({
        id: `round-trip-${encryption}`,
        messages: [{ id: 'm1', role: 'user', content: `PLAIN-CHECK-${encryption}`, timestamp: 1 }],
        metadata: { title: 'Round trip' },
      });
      expect(r).toMatchObject({ revision: 1, messageCount: 1, encrypted: encryption === 'on' });
      const loaded = (await b!.loadConversation(`round-trip-${encryption}`))!;
      expect(loaded.messages[0]!.content).toBe(`PLAIN-CHECK-${encryption}`);
      expect(loaded.encrypted).toBe(encryption === 'on');
      expect((await b!.storage.listConversations()).items.map((i) => i.title)).toEqual(['Round trip']);
      // the head as the node serves it
      const keys = deriveConversationKeys(a!.identity, `round-trip-${encryption}`);
      const entry = (await a!.backend.registryGet(keys.keyPair.publicKey))!;
      const head = await a!.backend.downloadBlob(BlobId.fromMultihash(entry.data.subarray(0, 33), entry.data.subarray(33).reduceRight((x, y) => x * 256 + y, 0)));
      expect(containsBytes(head, utf8ToBytes('Round trip'))).toBe(encryption === 'off');
      await b!.storage.deleteConversation(`round-trip-${encryption}`);
      expect(await a!.loadConversation(`round-trip-${encryption}`)).toBeNull();
      await Promise.all([a!.close(), b!.close()]);
    }, 60_000);
  }
});

describe('devnode: a streamed reply cut short is stored marked partial', () => {
  it('aborting via signal stores the text so far with metadata.partial; another device reads it', async () => {
    const seedPhrase = generateSeedPhrase();
    const [writer, reader] = await devices(2, seedPhrase);
    try {
      const session = writer!.sessions.start({ conversationId: 'partial-stream' });
      const controller = new AbortController();
      async function* source() {
        yield 'only ';
        yield 'this';
        controller.abort();
        yield ' not this';
      }
      await session.streamAssistant(source(), { messageId: 'cut', signal: controller.signal });
      await session.end();
      const loaded = (await reader!.loadConversation('partial-stream'))!;
      expect(loaded.messages).toEqual([expect.objectContaining({ id: 'cut', content: 'only this', metadata: { partial: true } })]);
      expect(loaded.metadata.status).toBe('ended');
    } finally {
      await writer!.close();
      await reader!.close();
    }
  });
});
