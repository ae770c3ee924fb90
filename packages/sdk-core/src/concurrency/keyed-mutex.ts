/**
 * A mutex per key (one per conversation) on top of a FIFO promise-chain mutex.
 *
 * The per-key mutex is hand-written (it replaced async-mutex 0.5.0's Mutex, of which we used only
 * acquire/release) because of the 60 KB gzip browser budget of an app importing createSdk: async-mutex
 * ships Semaphore, withTimeout, tryAcquire and its errors in one module (~0.9 KB gzip). Same
 * semantics: waiters get the lock strictly in arrival order; a releaser is idempotent.
 *
 * Why not a bare mutex per key with a timeout wrapper:
 * - a mutex with a timed-out waiter still hands the lock to that dead waiter for a tick before it
 *   is released again, so its "is locked" would read true. We keep our own
 *   counters (holder, live waiters), so `isLocked`/`lockInfo` only ever report live holders, and a
 *   timed-out waiter's function never runs: when its abandoned acquire resolves later it releases
 *   immediately without calling anything.
 * - We need holder labels, wait times (metrics) and removal of idle keys (no leak per conversation).
 */
import { LockTimeoutError } from '../errors.js';

export interface LockInfo {
  locked: boolean;
  /** Live waiters (timed-out waiters are not counted). */
  pending: number;
  /** Label of the operation holding the lock. */
  holder?: string;
  /** When the current holder acquired it (ms since epoch). */
  since?: number;
}

export interface LockOptions {
  /** Shown by lockInfo() while this operation holds the lock. */
  label?: string;
  /** Give up waiting after this many ms (LockTimeoutError). 0/undefined = wait forever. */
  timeoutMs?: number;
}

type Releaser = () => void;

/** FIFO mutex: each acquire waits for the previous holder's release. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<Releaser> {
    let free!: () => void;
    const released = new Promise<void>((resolve) => (free = resolve));
    const ready = this.#tail.then(() => {
      let done = false;
      return () => {
        if (!done) (done = true), free();
      };
    });
    this.#tail = released;
    return ready;
  }
}

interface Entry {
  mutex: Mutex;
  locked: boolean;
  pending: number;
  holder?: string;
  since?: number;
}

export interface KeyedMutexOptions {
  /** Default wait timeout for every acquire (ms); 0/undefined = none. */
  timeoutMs?: number;
  now?: () => number;
  /** Called with the time each successful acquire waited (metrics). */
  onAcquired?: (key: string, waitMs: number) => void;
}

export class KeyedMutex {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: KeyedMutexOptions;

  constructor(opts: KeyedMutexOptions = {}) {
    this.#opts = opts;
  }

  /** Run `fn` while holding the lock for `key`; released when `fn` settles (also on failure). */
  async runExclusive<T>(key: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
    const now = this.#opts.now ?? Date.now;
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), locked: false, pending: 0 };
      this.#entries.set(key, entry);
    }
    const e = entry;
    e.pending++;
    const started = now();
    const timeoutMs = opts.timeoutMs ?? this.#opts.timeoutMs ?? 0;
    const acquire = e.mutex.acquire();
    let release: Releaser;
    if (timeoutMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        release = await Promise.race([
          acquire,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new LockTimeoutError(key, timeoutMs, e.holder)), timeoutMs);
          }),
        ]);
      } catch (err) {
        e.pending--;
        // The abandoned acquire still resolves one day: release at once, never run fn.
        void acquire.then((r) => r(), () => undefined);
        this.#cleanup(key, e);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    } else {
      release = await acquire;
    }
    e.pending--;
    e.locked = true;
    if (opts.label !== undefined) e.holder = opts.label;
    e.since = now();
    this.#opts.onAcquired?.(key, e.since - started);
    try {
      return await fn();
    } finally {
      e.locked = false;
      delete e.holder;
      delete e.since;
      release();
      this.#cleanup(key, e);
    }
  }

  isLocked(key: string): boolean {
    return this.#entries.get(key)?.locked ?? false;
  }

  lockInfo(key: string): LockInfo {
    const e = this.#entries.get(key);
    if (!e) return { locked: false, pending: 0 };
    const info: LockInfo = { locked: e.locked, pending: e.pending };
    if (e.holder !== undefined) info.holder = e.holder;
    if (e.since !== undefined) info.since = e.since;
    return info;
  }

  /** Live waiters across all keys. */
  get queueDepth(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.pending;
    return n;
  }

  /** Keys currently tracked (held or waited for); idle keys are removed. */
  get size(): number {
    return this.#entries.size;
  }

  #cleanup(key: string, e: Entry): void {
    if (!e.locked && e.pending === 0 && this.#entries.get(key) === e) this.#entries.delete(key);
  }
}
