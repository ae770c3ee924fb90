/**
 * The durable outbox against the REAL devnode over real sockets: writes made while the node is
 * down are queued, then sent in order, exactly once, after it restarts on the same data dir and
 * port; a file outbox written by another process (which exited without closing) is drained by a
 * new StorageManager on the same directory.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevnode, type Devnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type OutboxEvent, type StorageResult } from '../../src/index.js';
import { bundleForChild, childEnv, spawnJsonLines } from '../reliability/support.js';
import { waitFor } from '../live/support.js';

const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 's5chat-outbox-'));
let node: Devnode | undefined;
afterAll(async () => {
  await node?.stop();
  rmSync(work, { recursive: true, force: true });
});

// The Dart HEAD profile (a real portal's wire and persistence) unless S5CHAT_TEST_PROFILE says otherwise.
const PROFILE = (process.env.S5CHAT_TEST_PROFILE as 'dart' | 'devnode' | undefined) ?? 'dart';
const start = (o: { port: number; dataDir?: string }) => startDevnode({ ...o, profile: PROFILE, timeScale: 0.005 });

/** Fast transport budget so a write to a dead node gives up in about a second. */
const quick = { timeoutMs: 1000, outboxRetry: { initialMs: 100, maxMs: 500 } };

describe('outbox across a node outage', () => {
  it('stop the node, send 3 → queued; restart on the same data dir and port → all 3 durable, in order, exactly once', async () => {
    const dataDir = join(work, 'node-1');
    node = await start({ port: 0, dataDir });
    const port = Number(new URL(node.url).port);
    const seedPhrase = generateSeedPhrase();
    const a = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'offline-a', timeoutMs: quick.timeoutMs, storage: { outboxRetry: quick.outboxRetry } });
    const outboxEvents: OutboxEvent[] = [];
    a.storage.on('outbox', (e) => outboxEvents.push(e));
    const conv = 'offline';
    try {
      const first = await a.storage.appendMessage(conv, { id: 'm0', role: 'user', content: 'online' });
      expect(first.status).toBe('durable');

      await node.stop();
      const results: StorageResult[] = [];
      for (const i of [1, 2, 3]) results.push(await a.storage.appendMessage(conv, { id: `q${i}`, role: 'user', content: `offline ${i}` }));
      expect(results.map((r) => r.status)).toEqual(['queued', 'queued', 'queued']);
      expect(new Set(results.map((r) => r.operationId)).size).toBe(3);
      expect(a.storage.pendingWrites()).toBe(3);
      expect(outboxEvents.filter((e) => e.state === 'queued')).toHaveLength(3);

      node = await start({ port, dataDir });
      await waitFor(() => outboxEvents.filter((e) => e.state === 'sent').length === 3, 30_000, 'three sent');
      const sent = outboxEvents.filter((e) => e.state === 'sent');
      expect(sent.map((e) => e.operationId)).toEqual(results.map((r) => r.operationId)); // in order
      expect(sent.at(-1)!.pending).toBe(0);
      expect(outboxEvents.some((e) => e.state === 'failed')).toBe(false);
      await a.storage.flush();
      expect(a.storage.pendingWrites()).toBe(0);

      const reader = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'offline-reader', outbox: false });
      const loaded = (await reader.loadConversation(conv))!;
      expect(loaded.messages.map((m) => m.id)).toEqual(['m0', 'q1', 'q2', 'q3']); // exactly once each
      // In order on the registry too: each queued write got its own later revision (1 + 3 writes).
      expect(loaded.revision).toBe(4);
      await reader.close();
    } finally {
      await a.close();
    }
  });

  it('a write while its conversation has queued ones waits behind them even when the node is back', async () => {
    node ??= await start({ port: 0 });
    const port = Number(new URL(node.url).port);
    const dataDir = join(work, 'node-2');
    await node.stop();
    node = await start({ port, dataDir });
    const seedPhrase = generateSeedPhrase();
    const a = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'order-a', timeoutMs: quick.timeoutMs, storage: { outboxRetry: { initialMs: 2000, maxMs: 2000 } } });
    try {
      await a.storage.appendMessage('order', { id: 'o0', role: 'user', content: 'online' });
      await node.stop();
      const q = await a.storage.appendMessage('order', { id: 'o1', role: 'user', content: 'queued' });
      expect(q.status).toBe('queued');
      node = await start({ port, dataDir });
      // The node answers again, but o1 is still waiting for its resend: o2 must queue behind it.
      const r = await a.storage.appendMessage('order', { id: 'o2', role: 'user', content: 'after' });
      expect(r.status).toBe('queued');
      await waitFor(() => a.storage.pendingWrites() === 0, 30_000, 'drained');
      const loaded = (await a.loadConversation('order'))!;
      expect(loaded.messages.map((m) => m.id)).toEqual(['o0', 'o1', 'o2']);
      expect(loaded.revision).toBe(3);
    } finally {
      await a.close();
    }
  });

  it("outbox: false fails fast with the transport's typed error", async () => {
    node ??= await start({ port: 0 });
    const port = Number(new URL(node.url).port);
    await node.stop();
    const a = await createSdk({ portalUrl: `http://127.0.0.1:${port}`, seedPhrase: generateSeedPhrase(), outbox: false, timeoutMs: 500 });
    try {
      await expect(a.storage.appendMessage('ff', { role: 'user', content: 'x' })).rejects.toMatchObject({ code: 'PORTAL_UNAVAILABLE' });
      expect(a.storage.pendingWrites()).toBe(0);
    } finally {
      await a.close();
      node = undefined;
    }
  });
});

describe('file outbox across processes', () => {
  it('records written by a process that exited are drained by a new StorageManager on the same dir', async () => {
    const dataDir = join(work, 'node-3');
    const outboxDir = join(work, 'outbox-3');
    node = await start({ port: 0, dataDir });
    const port = Number(new URL(node.url).port);
    await node.stop(); // the child sees the portal down from the start
    node = undefined;
    const seedPhrase = generateSeedPhrase();
    const script = await bundleForChild(join(here, 'children', 'queue-writer.ts'), work);
    const child = spawnJsonLines(
      script,
      childEnv({
        S5CHAT_OUTBOX_PORTAL: `http://127.0.0.1:${port}`,
        S5CHAT_OUTBOX_SEED: seedPhrase,
        S5CHAT_OUTBOX_DIR: outboxDir,
        S5CHAT_OUTBOX_CONVERSATION: 'from-child',
        S5CHAT_OUTBOX_COUNT: '2',
      }),
    );
    const done = await child.waitFor((l) => l.event === 'done' || l.event === 'fatal', 45_000, 'child done');
    expect(done).toMatchObject({ event: 'done', pending: 2 });
    expect(child.lines.filter((l) => l.event === 'result').map((l) => l.status)).toEqual(['queued', 'queued']);
    expect((await child.exited).code).toBe(0);
    expect(readdirSync(outboxDir).filter((f) => f.endsWith('.json'))).toHaveLength(2);

    node = await start({ port, dataDir });
    const sent: OutboxEvent[] = [];
    const b = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'drainer', outboxDir, storage: { outboxRetry: quick.outboxRetry } });
    b.storage.on('outbox', (e) => sent.push(e));
    try {
      await waitFor(() => sent.filter((e) => e.state === 'sent').length === 2, 30_000, 'child records sent');
      const loaded = (await b.loadConversation('from-child'))!;
      expect(loaded.messages.map((m) => m.id)).toEqual(['child-0', 'child-1']);
      expect(readdirSync(outboxDir).filter((f) => f.endsWith('.json'))).toHaveLength(0);
    } finally {
      await b.close();
    }
  });
});
