import { describe, expect, it } from 'vitest';
import { KeyedMutex, LockTimeoutError } from '../../src/index.js';

const tick = () => new Promise((r) => setTimeout(r, 0));
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedMutex', () => {
  it('serialises one key and runs different keys in parallel', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const gate = deferred();
    const a1 = m.runExclusive('a', async () => {
      log.push('a1 start');
      await gate.promise;
      log.push('a1 end');
    });
    const a2 = m.runExclusive('a', () => void log.push('a2'));
    const b = m.runExclusive('b', () => void log.push('b'));
    await b;
    expect(log).toEqual(['a1 start', 'b']); // b did not wait for a
    gate.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
  });

  it('reports holder, since and live waiters; removes idle keys', async () => {
    let t = 1000;
    const m = new KeyedMutex({ now: () => t });
    const gate = deferred();
    expect(m.lockInfo('k')).toEqual({ locked: false, pending: 0 });
    const p1 = m.runExclusive('k', () => gate.promise, { label: 'first' });
    const p2 = m.runExclusive('k', () => 'second', { label: 'second' });
    await tick();
    expect(m.isLocked('k')).toBe(true);
    expect(m.lockInfo('k')).toEqual({ locked: true, pending: 1, holder: 'first', since: 1000 });
    expect(m.queueDepth).toBe(1);
    t = 2000;
    gate.resolve();
    await p1;
    expect(await p2).toBe('second');
    expect(m.isLocked('k')).toBe(false);
    expect(m.lockInfo('k')).toEqual({ locked: false, pending: 0 });
    expect(m.size).toBe(0);
  });

  it('releases the lock when the operation fails', async () => {
    const m = new KeyedMutex();
    await expect(m.runExclusive('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(m.isLocked('k')).toBe(false);
    expect(m.size).toBe(0);
    expect(await m.runExclusive('k', () => 42)).toBe(42);
  });

  it('a timed-out waiter never runs and never shows as holder, even when the lock frees up later', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const ran: string[] = [];
    const holder = m.runExclusive('k', () => gate.promise, { label: 'holder' });
    const dead = m.runExclusive('k', () => void ran.push('dead'), { label: 'dead', timeoutMs: 20 });
    const err = await dead.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect((err as LockTimeoutError).code).toBe('LOCK_TIMEOUT');
    expect((err as LockTimeoutError).holder).toBe('holder');
    expect(m.lockInfo('k')).toMatchObject({ locked: true, pending: 0, holder: 'holder' });
    gate.resolve();
    await holder;
    // async-mutex hands the lock to the dead waiter for a tick; our state must never show it.
    expect(m.isLocked('k')).toBe(false);
    await Promise.resolve();
    expect(m.isLocked('k')).toBe(false);
    await tick();
    expect(m.isLocked('k')).toBe(false);
    expect(ran).toEqual([]);
    expect(m.size).toBe(0);
    expect(await m.runExclusive('k', () => 'next')).toBe('next');
    expect(ran).toEqual([]);
  });

  it('a live waiter queued behind a timed-out one still gets the lock, in order', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const ran: string[] = [];
    const holder = m.runExclusive('k', () => gate.promise);
    const dead = m.runExclusive('k', () => void ran.push('dead'), { timeoutMs: 10 }).catch((e: unknown) => e);
    const live = m.runExclusive('k', () => void ran.push('live'));
    expect(await dead).toBeInstanceOf(LockTimeoutError);
    expect(m.lockInfo('k').pending).toBe(1);
    gate.resolve();
    await Promise.all([holder, live]);
    expect(ran).toEqual(['live']);
    expect(m.size).toBe(0);
  });

  it('reports wait times', async () => {
    const waits: number[] = [];
    let t = 0;
    const m = new KeyedMutex({ now: () => t, onAcquired: (_k, ms) => waits.push(ms) });
    const gate = deferred();
    const a = m.runExclusive('k', () => gate.promise);
    const b = m.runExclusive('k', () => undefined);
    await tick();
    t = 50;
    gate.resolve();
    await Promise.all([a, b]);
    expect(waits).toEqual([0, 50]);
  });
});
