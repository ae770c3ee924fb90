import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryEntryToJson, toBase64Url } from '@s5chat/s5';
import { CURRENT_REVISION_HEADER, REVISION_TOO_LOW, seededRandom, type Devnode } from '../src/index.js';
import { isLoopback } from '../src/http/dispatcher.js';
import { FaultInjector } from '../src/faults.js';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed, uploadRaw } from './helpers.js';

const bed = new TestBed();
afterAll(() => bed.cleanup());

let node: Devnode;
let token: string;
beforeAll(async () => {
  node = await bed.node({ faults: { seed: 42 } });
  token = await register(node.url);
});

function adminPost(path: string, body: unknown): Promise<Response> {
  return fetch(`${node.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function withFaults<T>(f: Parameters<Devnode['setFaults']>[0], fn: () => Promise<T>): Promise<T> {
  node.setFaults(f);
  try {
    return await fn();
  } finally {
    node.setFaults({ latencyMs: 0, jitterMs: 0, errorRate: 0, conflictRate: 0, staleReadRate: 0, resetRate: 0 });
  }
}

describe('fault injection', () => {
  it('latencyMs delays every /s5 request (admin routes are not delayed)', async () => {
    await withFaults({ latencyMs: 150 }, async () => {
      const t0 = performance.now();
      await getEntry(node.url, randomKeyPair().publicKey);
      // Behaviour, not performance: an injected delay of 150 ms cannot complete sooner than 150 ms.
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    });
  });

  it('errorRate 1 → every /s5 request is answered 503 JSON and counted; nothing is stored', async () => {
    const kp = randomKeyPair();
    node.resetStats();
    await withFaults({ errorRate: 1 }, async () => {
      const res = await postEntry(node.url, token, entry(kp, 1));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'INJECTED_FAULT' });
      expect((await uploadRaw(node.url, token, new Uint8Array([1]))).status).toBe(503);
      // Admin routes are never faulted.
      expect((await fetch(`${node.url}/admin/stats`)).status).toBe(200);
    });
    expect(node.stats().faults.errors).toBe(2);
    expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
  });

  it('conflictRate 1 → valid sets get "Revision number too low" + current revision, nothing is stored', async () => {
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 3))).status).toBe(204);
    node.resetStats();
    await withFaults({ conflictRate: 1 }, async () => {
      const res = await postEntry(node.url, token, entry(kp, 4));
      expect(res.status).toBe(500);
      expect(await res.text()).toBe(REVISION_TOO_LOW);
      expect(res.headers.get(CURRENT_REVISION_HEADER)).toBe('3');
      // Invalid entries still get their real 400, not a spurious conflict.
      const bad = { ...registryEntryToJson(entry(kp, 5)), signature: registryEntryToJson(entry(randomKeyPair(), 5)).signature };
      expect((await postEntry(node.url, token, bad)).status).toBe(400);
    });
    expect(node.stats().faults.conflicts).toBe(1);
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(3);
    expect((await postEntry(node.url, token, entry(kp, 4))).status).toBe(204);
  });

  it('staleReadRate 1 → GET returns the previous revision (404 when there is none)', async () => {
    const kp = randomKeyPair();
    await postEntry(node.url, token, entry(kp, 1));
    await withFaults({ staleReadRate: 1 }, async () => {
      expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
      await postEntry(node.url, token, entry(kp, 2));
      await postEntry(node.url, token, entry(kp, 7));
      expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(2);
    });
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(7);
  });

  it('resetRate 1 → the connection is destroyed; with a reset after handling the write still happened', async () => {
    node.resetStats();
    const kp = randomKeyPair();
    await withFaults({ resetRate: 1 }, async () => {
      for (let rev = 1; rev <= 12; rev++) {
        await expect(postEntry(node.url, token, entry(kp, rev))).rejects.toThrow();
      }
    });
    expect(node.stats().faults.resets).toBe(12);
    // Resets are split between "before handling" (nothing stored) and "after handling" (stored, ack lost).
    const stored = await getEntry(node.url, kp.publicKey);
    expect(stored.status).toBe(200);
    const { revision } = (await stored.json()) as { revision: number };
    expect(revision).toBeGreaterThan(0);
    expect(revision).toBeLessThanOrEqual(12);
  });

  it('rates between 0 and 1 fire at roughly that rate', async () => {
    node.resetStats();
    await withFaults({ errorRate: 0.3, seed: 7 }, async () => {
      const statuses = await Promise.all(Array.from({ length: 200 }, () => getEntry(node.url, randomKeyPair().publicKey).then((r) => r.status)));
      const errors = statuses.filter((s) => s === 503).length;
      expect(errors).toBe(node.stats().faults.errors);
      expect(errors).toBeGreaterThan(30);
      expect(errors).toBeLessThan(100);
    });
  });

  it('the same seed replays the same fault decisions', async () => {
    const run = async () => {
      const n = await bed.node({ faults: { errorRate: 0.5, seed: 1234 } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await getEntry(n.url, randomKeyPair().publicKey)).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(new Set(a)).toEqual(new Set([404, 503]));
  });

  it('a custom random source drives the decisions', async () => {
    const n = await bed.node({ faults: { errorRate: 0.5 }, random: () => 0.1 });
    expect((await getEntry(n.url, randomKeyPair().publicKey)).status).toBe(503);
    const m = await bed.node({ faults: { errorRate: 0.5 }, random: () => 0.9 });
    expect((await getEntry(m.url, randomKeyPair().publicKey)).status).toBe(404);
  });

  it('seededRandom is deterministic and uniform-ish', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('setFaults rejects bad knobs and changes nothing', () => {
    const f = new FaultInjector({ errorRate: 0.2 });
    expect(() => f.set({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => f.set({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => f.set({ bogus: 1 } as never)).toThrow(/unknown fault knob/);
    expect(f.config.errorRate).toBe(0.2);
  });
});

describe('admin routes', () => {
  it('POST /admin/faults sets knobs (validated), GET /admin/faults reads them', async () => {
    const res = await adminPost('/admin/faults', { conflictRate: 0.25, latencyMs: 0 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ conflictRate: 0.25 });
    expect(node.faults().conflictRate).toBe(0.25);
    expect((await adminPost('/admin/faults', { conflictRate: 'lots' })).status).toBe(400);
    expect((await adminPost('/admin/faults', [1])).status).toBe(400);
    expect((await adminPost('/admin/faults', { conflictRate: 0 })).status).toBe(200);
    expect(node.faults().conflictRate).toBe(0);
  });

  it('GET /admin/stats counts requests by route and registry outcomes; POST /admin/reset-stats clears them', async () => {
    expect((await adminPost('/admin/reset-stats', {})).status).toBe(200);
    const kp = randomKeyPair();
    await postEntry(node.url, token, entry(kp, 1));
    await postEntry(node.url, token, entry(kp, 1));
    await getEntry(node.url, kp.publicKey);
    const stats = (await (await fetch(`${node.url}/admin/stats`)).json()) as ReturnType<Devnode['stats']>;
    expect(stats.requests.byRoute['POST /s5/registry']).toBe(2);
    expect(stats.requests.byRoute['GET /s5/registry']).toBe(1);
    expect(stats.registry).toMatchObject({ sets: 2, setsAccepted: 1, setsRejected: 1, gets: 1 });
    expect(stats.blobs.count).toBeGreaterThanOrEqual(0);
  });

  it('POST /admin/registry stores an entry with a bad signature (for tamper tests) and it is served', async () => {
    const kp = randomKeyPair();
    const forged = { ...registryEntryToJson(entry(kp, 9)), signature: toBase64Url(new Uint8Array(64).fill(3)) };
    expect((await postEntry(node.url, token, forged)).status).toBe(400);
    expect((await adminPost('/admin/registry', forged)).status).toBe(204);
    expect(await (await getEntry(node.url, kp.publicKey)).json()).toEqual(forged);
    expect((await adminPost('/admin/registry', { pk: 'x' })).status).toBe(400);
  });

  it('admin routes answer loopback addresses only', () => {
    for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', '', undefined]) expect(isLoopback(a)).toBe(false);
  });
});
