// Soak (bounded): 20 concurrent conversations × 500 appends through ONE SDK instance against a real
// devnode with faults on. Every acknowledged append must be present exactly once, memory growth
// must stay bounded (heap reported before/after), and nothing may leak: no held or queued locks,
// no pending writes, unsubscribed listeners stay unsubscribed, no process-level handlers or
// timers left behind after close().
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk } from '../../src/index';
import { afterAll, describe, expect, it } from 'vitest';
import { check, explain, History, summarize, type ReadMessage, type SentMessage } from './checker';
import { fullGc, mib, runSeed } from './support';

const SEED = runSeed('SOAK_SEED', 'soak');
const CONVERSATIONS = 20;
const APPENDS = 500;
/** Appends per conversation fired together before awaiting them (a fast stream). */
const WAVE = 25;
const FAULTS = { errorRate: 0.03, resetRate: 0.01, conflictRate: 0.03, staleReadRate: 0.03, latencyMs: 0, jitterMs: 2 };
const HEAP_GROWTH_LIMIT_MB = 200;

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

const PROCESS_EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'] as const;
const processListeners = () => Object.fromEntries(PROCESS_EVENTS.map((e) => [e, process.listenerCount(e)]));
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('soak: 20 conversations × 500 appends, one SDK instance, faults on', () => {
  it('keeps every ack, bounded memory, and no lock, listener or timer leaks', async () => {
    const started = performance.now();
    const node = await startDevnode({ port: 0, faults: { ...FAULTS, seed: SEED } });
    cleanup.push(() => node.stop());
    const seedPhrase = generateSeedPhrase();
    const listenersBefore = processListeners();
    const timersBefore = timers();

    const sdk = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'soak' });
    let closed = false;
    cleanup.push(async () => {
      if (!closed) await sdk.close();
    });
    // Every listener the soak subscribes must be gone again at the end.
    const storageListenersBefore = sdk.storage.listenerCount();
    let retries = 0;
    let conflicts = 0;
    let errors = 0;
    const unsubscribers = [
      sdk.storage.on('retry', () => retries++),
      sdk.storage.on('conflict', () => conflicts++),
      sdk.storage.on('error', () => errors++),
    ];

    fullGc();
    const heapBefore = process.memoryUsage().heapUsed;
    const history = new History();
    const ids = Array.from({ length: CONVERSATIONS }, (_, c) => `soak-${String(c).padStart(2, '0')}`);

    await Promise.all(
      ids.map(async (conversationId, c) => {
        for (let start = 0; start < APPENDS; start += WAVE) {
          const wave: Promise<unknown>[] = [];
          for (let i = start; i < Math.min(start + WAVE, APPENDS); i++) {
            const m: SentMessage = {
              id: `c${String(c).padStart(2, '0')}-${String(i).padStart(4, '0')}`,
              role: i % 2 ? 'assistant' : 'user',
              content: `soak ${SEED} conversation ${c} message ${i} ${'·'.repeat(i % 64)}`,
              timestamp: 1_760_000_000_000 + i,
            };
            wave.push(history.run('soak', 'append', conversationId, [m], () => sdk.storage.appendMessage(conversationId, { ...m })));
          }
          await Promise.all(wave);
        }
      }),
    );
    await sdk.storage.flush();

    // Leak checks while the instance is still open.
    expect(sdk.storage.pendingWrites()).toBe(0);
    const metrics = sdk.storage.metrics().total;
    expect(metrics.queueDepth).toBe(0);
    for (const id of ids) {
      expect(sdk.storage.isLocked(id), `lock on ${id} still held`).toBe(false);
      expect(sdk.storage.lockInfo(id), `lock info of ${id}`).toMatchObject({ locked: false, pending: 0 });
    }
    // Unsubscribed listeners are really gone: the next write fires no event into them.
    for (const off of unsubscribers) off();
    const counted = { retries, conflicts, errors };
    node.setFaults({ conflictRate: 1 }); // force at least one conflict event on the next write
    await sdk.storage.appendMessage(ids[0]!, { id: 'after-unsubscribe', role: 'user', content: 'x', timestamp: 1_760_000_000_000 }).catch(() => undefined);
    node.setFaults({ errorRate: 0, resetRate: 0, conflictRate: 0, staleReadRate: 0, jitterMs: 0 });
    expect({ retries, conflicts, errors }).toEqual(counted);
    expect(sdk.storage.listenerCount()).toBe(storageListenersBefore);

    fullGc();
    const heapAfter = process.memoryUsage().heapUsed;
    const faultStats = node.stats().faults;

    // Judge every ack from a fresh instance (faults off: we judge the SDK, not the checker's read).
    const verifier = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'soak-verifier' });
    cleanup.push(() => verifier.close());
    const final = new Map<string, ReadMessage[]>();
    for (const id of ids) {
      const c = await verifier.storage.loadConversation(id);
      final.set(id, (c?.messages ?? []).filter((m) => m.id !== 'after-unsubscribe').map((m) => ({ id: m.id, role: m.role, content: m.content, timestamp: m.timestamp })));
    }
    const result = check({ history: history.ops(), final });

    await sdk.close();
    closed = true;
    await new Promise((r) => setTimeout(r, 50));
    const listenersAfter = processListeners();
    const timersAfter = timers();

    const growthMb = mib(heapAfter - heapBefore);
    console.log(
      summarize('soak', result, {
        seed: SEED,
        retries: counted.retries,
        conflicts: counted.conflicts,
        errorEvents: counted.errors,
        registryWrites: metrics.registryWrites,
        opsPerWrite: metrics.avgOperationsPerWrite.toFixed(1),
        maxQueueDepth: metrics.maxQueueDepth,
        injected: `errors:${faultStats.errors},resets:${faultStats.resets},conflicts:${faultStats.conflicts},staleReads:${faultStats.staleReads}`,
        heapBeforeMB: mib(heapBefore),
        heapAfterMB: mib(heapAfter),
        heapGrowthMB: growthMb,
        timers: `${timersBefore}->${timersAfter}`,
        seconds: ((performance.now() - started) / 1000).toFixed(1),
      }),
    );

    expect(result.valid, `seed ${SEED}\n${explain(result)}`).toBe(true);
    expect(result.acknowledged, 'most appends acknowledged despite faults').toBeGreaterThan(CONVERSATIONS * APPENDS * 0.95);
    expect(growthMb).toBeLessThan(HEAP_GROWTH_LIMIT_MB);
    expect(listenersAfter).toEqual(listenersBefore);
    // A per-write timer leak would leave hundreds; allow the HTTP client's few keep-alive timers.
    expect(timersAfter).toBeLessThanOrEqual(timersBefore + 5);
  }, 240_000);
});
