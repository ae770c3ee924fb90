import { setTimeout as sleep } from 'node:timers/promises';
import type { AccountService } from './accounts.js';
import type { FaultInjector } from './faults.js';
import type { RegistryStore } from './registry-store.js';
import type { StatsCollector } from './stats.js';
import type { BlobStore } from './storage/blob-store.js';

/** What every route handler of every profile works with: the node's stores, faults, stats and clock. */
export interface Services {
  accounts: AccountService;
  registry: RegistryStore;
  blobs: BlobStore;
  faults: FaultInjector;
  stats: StatsCollector;
  log: (line: string) => void;
  maxBlobBytes: number;
  verifyBlobsOnRead: boolean;
  /**
   * Wait `ms` real-portal milliseconds, multiplied by the node's `timeScale` (tests use e.g. 0.005 so
   * Dart's 60 s blob miss takes 300 ms). Rejects when the node stops, so no handler outlives it.
   */
  wait(ms: number): Promise<void>;
  /** Send a registry query (13) for `pk` to every connected P2P peer (portal profiles do on HTTP reads). */
  queryPeers(pk: Uint8Array): void;
}

/** The scaled, stop-aware `wait` of {@link Services}. */
export function scaledWait(timeScale: number, signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) => {
    const scaled = ms * timeScale;
    if (scaled <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    return sleep(scaled, undefined, { signal });
  };
}
