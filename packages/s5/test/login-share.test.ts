/**
 * One login per (portal, account) across "tabs": two LoginShare realms connected by Node's real
 * BroadcastChannel and a lock manager with Web Locks semantics (exclusive, FIFO per name; Node 20
 * has no navigator.locks). The tab that waits for the lock takes the token the other one announced.
 */
import { describe, expect, it } from 'vitest';
import { LoginShare, type ChannelLike, type LockManagerLike } from '../src/index.js';

/** Exclusive locks, granted FIFO per name; `ifAvailable` gets `null` when the lock is held (Web Locks semantics). */
function webLocks(): LockManagerLike {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  function request<T>(name: string, a: unknown, b?: unknown): Promise<T> {
    const callback = (b ?? a) as (lock: unknown) => Promise<T>;
    if (b !== undefined && (a as { ifAvailable?: boolean }).ifAvailable && held.has(name)) return callback(null);
    const previous = tails.get(name) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        held.add(name);
        try {
          return await callback({ name });
        } finally {
          held.delete(name);
        }
      });
    tails.set(name, run);
    return run;
  }
  return { request } as LockManagerLike;
}

const channel = (name: string) => new BroadcastChannel(name) as unknown as ChannelLike;

describe('LoginShare across tabs', () => {
  it('a second tab waiting on the lock reuses the token the first tab obtained; one login in total', async () => {
    const locks = webLocks();
    const name = `test-${Math.random()}`;
    const tabA = new LoginShare({ locks, channel: channel(name) });
    const tabB = new LoginShare({ locks, channel: channel(name) });
    let logins = 0;
    const login = async () => {
      logins++;
      await new Promise((r) => setTimeout(r, 50));
      return `token-${logins}`;
    };
    const a = tabA.slot('https://portal', 'key').obtain(login);
    await new Promise((r) => setTimeout(r, 5));
    const b = tabB.slot('https://portal', 'key').obtain(login);
    expect(await a).toBe('token-1');
    expect(await b).toBe('token-1');
    expect(logins).toBe(1);
    // Within one tab, concurrent callers share the in-flight login and then the cached token.
    const [x, y] = await Promise.all([tabA.slot('https://portal', 'other').obtain(login), tabA.slot('https://portal', 'other').obtain(login)]);
    expect(x).toBe(y);
    expect(logins).toBe(2);
  });

  it('a refused token is dropped and a new login runs once', async () => {
    const share = new LoginShare({ locks: null, channel: null });
    const slot = share.slot('https://portal', 'k');
    let n = 0;
    const login = async () => `t${++n}`;
    expect(await slot.obtain(login)).toBe('t1');
    slot.invalidate('t0'); // stale: not the current token, ignored
    expect(await slot.obtain(login)).toBe('t1');
    slot.invalidate('t1');
    const [p, q] = await Promise.all([slot.obtain(login), slot.obtain(login)]);
    expect([p, q]).toEqual(['t2', 't2']);
  });
});
