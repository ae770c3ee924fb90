/**
 * One blob + one registry set per write (layout/tail.ts), against the real devnode on the `dart`
 * profile over real sockets: what the node receives per append (its own counters), and that a
 * fresh instance reads every acknowledged message — from the head's tail, from earlier heads
 * listed as segments, from a large batch carried by a larger head, and from a bulk delta segment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type Sdk } from '../../src/index.js';

let node: Awaited<ReturnType<typeof startDevnode>>;
const opened: Sdk[] = [];

beforeAll(async () => {
  node = await startDevnode({ port: 0, profile: 'dart', timeScale: 0.005 });
});
afterAll(async () => {
  for (const sdk of opened) await sdk.close().catch(() => undefined);
  await node?.stop();
});

async function open(seedPhrase: string, deviceId: string): Promise<Sdk> {
  const sdk = await createSdk({ portalUrl: node.url, seedPhrase, deviceId, outbox: false, storage: { compaction: { idleMs: 50 } } });
  opened.push(sdk);
  return sdk;
}

const text = (i: number, n: number) => `message ${i} ${'x'.repeat(n)}`;

describe('head tail on the dart profile', () => {
  it('each later append is one upload + one registry set on the node; a fresh instance reads everything', async () => {
    const seedPhrase = generateSeedPhrase();
    const writer = await open(seedPhrase, 'writer');
    const id = 'tail-dart';
    await writer.appendMessage(id, { id: 'first', role: 'user', content: 'hello', timestamp: 1 });
    await writer.flush();
    const perAppend: { uploads: number; sets: number; gets: number }[] = [];
    for (let i = 0; i < 30; i++) {
      node.resetStats();
      await writer.appendMessage(id, { id: `m${String(i).padStart(2, '0')}`, role: 'user', content: text(i, 500), timestamp: 10 + i });
      const s = node.stats();
      perAppend.push({ uploads: s.uploads, sets: s.registry.sets, gets: s.registry.gets });
      await writer.flush(); // compaction (of moved-out tails) outside the measured append
    }
    for (const p of perAppend) expect(p).toEqual({ uploads: 1, sets: 1, gets: 0 });

    // a stream's batch larger than one block, then a bulk delta beyond any head
    const batch = Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, role: 'assistant' as const, content: text(i, 600), timestamp: 100 + i }));
    node.resetStats();
    await writer.appendMessages(id, batch);
    expect(node.stats().uploads).toBe(1);
    const bulk = Array.from({ length: 80 }, (_, i) => ({ id: `k${String(i).padStart(2, '0')}`, role: 'user' as const, content: text(i, 600), timestamp: 200 + i }));
    node.resetStats();
    await writer.appendMessages(id, bulk);
    expect(node.stats().uploads).toBe(2); // head + one delta segment
    await writer.appendMessage(id, { id: 'last', role: 'user', content: 'bye', timestamp: 999 });
    await writer.flush();

    const reader = await open(seedPhrase, 'reader');
    const loaded = (await reader.loadConversation(id))!;
    const expected = ['first', ...perAppend.map((_, i) => `m${String(i).padStart(2, '0')}`), ...batch.map((m) => m.id), ...bulk.map((m) => m.id), 'last'];
    expect(loaded.messages.map((m) => m.id)).toEqual(expected);
    expect(loaded.messages.find((m) => m.id === 'm07')!.content).toBe(text(7, 500));

    // the fresh instance writes on top: after its first append, one upload + one set each
    await reader.appendMessage(id, { id: 'r0', role: 'user', content: 'from the reader', timestamp: 1000 });
    node.resetStats();
    await reader.appendMessage(id, { id: 'r1', role: 'user', content: text(1, 500), timestamp: 1001 });
    expect(node.stats().uploads).toBe(1);
    expect(node.stats().registry.sets).toBe(1);
    const again = await open(seedPhrase, 'third');
    expect((await again.loadConversation(id))!.messages.map((m) => m.id)).toEqual([...expected, 'r0', 'r1']);
  }, 60_000);
});
