import { describe, expect, it } from 'vitest';
import { RegistryStore } from '../src/registry-store.js';
import { MemoryKv, type KvStore } from '../src/storage/kv.js';
import { entry, randomKeyPair } from './helpers.js';

/** A KV whose writes take a while, so concurrent set() calls really interleave around the write. */
class SlowKv extends MemoryKv implements KvStore {
  writes = 0;
  override async write(puts: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    await new Promise((r) => setTimeout(r, 2));
    this.writes++;
    return super.write(puts);
  }
}

describe('RegistryStore (check-and-store per key)', () => {
  it('50 concurrent sets of one revision → one accepted, one durable write', async () => {
    const kv = new SlowKv();
    const store = new RegistryStore(kv);
    const kp = randomKeyPair();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.set(entry(kp, 1, new Uint8Array(33).fill(i)), 'http')),
    );
    expect(outcomes.filter((o) => o.accepted)).toHaveLength(1);
    expect(kv.writes).toBe(1);
    const rejected = outcomes.filter((o) => !o.accepted);
    for (const o of rejected) if (!o.accepted) expect(o.current.entry.revision).toBe(1);
  });

  it('different keys do not wait for each other', async () => {
    const kv = new SlowKv();
    const store = new RegistryStore(kv);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.set(entry(randomKeyPair(), 1), 'http')));
    expect(outcomes.every((o) => o.accepted)).toBe(true);
  });

  it('a fresh store over the same KV sees current and previous entries', async () => {
    const kv = new MemoryKv();
    const kp = randomKeyPair();
    const a = new RegistryStore(kv);
    await a.set(entry(kp, 1), 'http');
    await a.set(entry(kp, 2), 'http');
    const b = new RegistryStore(kv);
    expect((await b.get(kp.publicKey))?.entry.revision).toBe(2);
    expect((await b.getPrevious(kp.publicKey))?.entry.revision).toBe(1);
  });

  it('notifies listeners only for accepted updates, and a throwing listener does not fail the write', async () => {
    const store = new RegistryStore(new MemoryKv());
    const seen: number[] = [];
    store.onUpdate(() => {
      throw new Error('listener bug');
    });
    store.onUpdate((u) => seen.push(u.entry.revision));
    const kp = randomKeyPair();
    expect((await store.set(entry(kp, 2), 'http')).accepted).toBe(true);
    expect((await store.set(entry(kp, 1), 'http')).accepted).toBe(false);
    expect((await store.set(entry(kp, 3), 'http')).accepted).toBe(true);
    expect(seen).toEqual([2, 3]);
  });

  it('invalid entries throw before anything is stored; trusted (admin) sets skip signature and ordering', async () => {
    const store = new RegistryStore(new MemoryKv());
    const kp = randomKeyPair();
    const forged = { ...entry(kp, 5), signature: new Uint8Array(64) };
    await expect(store.set(forged, 'http')).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    await expect(store.set({ ...entry(kp, 1), data: new Uint8Array(65) }, 'http')).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(await store.get(kp.publicKey)).toBeUndefined();
    expect((await store.set(forged, 'admin', { trusted: true })).accepted).toBe(true);
    expect((await store.set(entry(kp, 1), 'admin', { trusted: true })).accepted).toBe(true);
    expect((await store.get(kp.publicKey))?.entry.revision).toBe(1);
  });
});
