import { afterAll, describe, expect, it } from 'vitest';
import { registryEntryToJson } from '@s5chat/s5';
import { entry, getEntry, percentile, randomKeyPair, register, TestBed } from './helpers.js';

const CLIENTS = 20;
const SETS_PER_CLIENT = 200;
const bed = new TestBed();
afterAll(() => bed.cleanup());

/**
 * Bounded load test: 20 concurrent clients × 200 registry sets each (4,000 signed, verified and
 * fsync'd writes) against a persistent node. Reports throughput and latency percentiles; asserts
 * only behaviour (every set accepted exactly once, final revisions right), never timings.
 */
describe('load (bounded)', () => {
  it(`${CLIENTS} clients × ${SETS_PER_CLIENT} registry sets on a persistent node`, { timeout: 180_000 }, async () => {
    const node = await bed.node({ dataDir: await bed.tempDir() });
    const token = await register(node.url);
    const clients = Array.from({ length: CLIENTS }, () => randomKeyPair());
    // Sign up front so the measurement is the node, not the test's own signing.
    const bodies = clients.map((kp) =>
      Array.from({ length: SETS_PER_CLIENT }, (_, i) => JSON.stringify(registryEntryToJson(entry(kp, i + 1)))),
    );
    const latencies: number[] = [];
    const statuses = new Map<number, number>();
    const started = performance.now();
    await Promise.all(
      bodies.map(async (mine) => {
        for (const body of mine) {
          const t0 = performance.now();
          const res = await fetch(`${node.url}/s5/registry`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body,
          });
          await res.arrayBuffer();
          latencies.push(performance.now() - t0);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const total = CLIENTS * SETS_PER_CLIENT;
    console.log(
      `load: ${total} registry sets by ${CLIENTS} clients in ${(elapsedMs / 1000).toFixed(2)} s → ` +
        `${(total / (elapsedMs / 1000)).toFixed(0)} sets/s; latency p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
    expect(statuses.get(204)).toBe(total);
    expect(node.stats().registry).toMatchObject({ sets: total, setsAccepted: total, setsRejected: 0 });
    for (const kp of clients) {
      expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(SETS_PER_CLIENT);
    }
  });
});
