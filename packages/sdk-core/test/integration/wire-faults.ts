/**
 * Driving the devnode's reset-after-handling fault at one chosen moment: the node applies a
 * request, then destroys the socket before answering (the client sees a network error and does
 * not know the outcome). The fault is the devnode's own `resetRate` knob; a seed is picked so that
 * its before/after coin says "after" for the one request in flight when it is armed.
 */
import { PortalClient, S5Identity, generateSeedPhrase, seededRandom } from '@s5chat/s5';
import type { startDevnode } from '@s5chat/devnode';
import { StorageManager, type StorageManagerOptions } from '../../src/index.js';

export type Node = Awaited<ReturnType<typeof startDevnode>>;

/** A seed whose first fault draws are: reset (rate 1 always hits), then coin = "after handling". */
export const RESET_AFTER_SEED = (() => {
  for (let seed = 1; seed < 10_000; seed++) {
    const r = seededRandom(seed);
    r(); // roll(resetRate = 1)
    if (!(r() < 0.5)) return seed; // coin(): true = before handling
  }
  throw new Error('no seed found');
})();

type Fetch = typeof fetch;

export interface Device {
  storage: StorageManager;
  /** The next registry set of this device lands on the node, then its connection is reset. `during` runs before the client sees the reset. */
  resetAfterNextSet(during?: () => Promise<void>, opts?: { keepFailing?: boolean }): void;
  /** Stop failing registry sets (after keepFailing). */
  heal(): void;
}

/** A device = its own PortalClient (own fetch) + StorageManager on the shared identity. */
export function device(node: Node, identity: S5Identity, name: string, opts: Partial<StorageManagerOptions> = {}): Device {
  let armed: { during?: () => Promise<void>; keepFailing: boolean } | null = null;
  let failing = false;
  const wrapped: Fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const isSet = (init?.method ?? 'GET') === 'POST' && url.endsWith('/s5/registry');
    if (isSet && armed) {
      const a = armed;
      armed = null;
      node.setFaults({ resetRate: 1, seed: RESET_AFTER_SEED });
      try {
        return await fetch(input, init);
      } catch (error) {
        failing = a.keepFailing;
        if (!failing) node.setFaults({ resetRate: 0 });
        await a.during?.();
        throw error;
      }
    }
    if (isSet && failing) throw new TypeError('fetch failed (test: connection refused)');
    return fetch(input, init);
  };
  const backend = new PortalClient({
    portalUrl: node.url,
    identity,
    fetch: wrapped,
    policy: { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 20, breakerThreshold: 1000 },
  });
  const storage = new StorageManager({
    backend,
    identity,
    deviceId: name,
    crossTab: false,
    retry: { baseMs: 5 },
    compaction: { enabled: false },
    outbox: false, // these tests judge the write loop itself; the outbox has its own below
    ...opts,
  });
  return {
    storage,
    resetAfterNextSet(during, o = {}) {
      armed = { keepFailing: o.keepFailing ?? false };
      if (during) armed.during = during;
    },
    heal() {
      failing = false;
      node.setFaults({ resetRate: 0 });
    },
  };
}

export function freshIdentity(): S5Identity {
  return S5Identity.fromSeedPhrase(generateSeedPhrase());
}
