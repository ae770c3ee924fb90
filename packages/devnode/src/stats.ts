import type { DevnodeStats } from './types.js';

/** Counters behind `node.stats()` and `GET /admin/stats`. Blob totals describe the store, so a reset keeps them. */
export class StatsCollector {
  #s: DevnodeStats = StatsCollector.#empty();

  static #empty(): DevnodeStats {
    return {
      requests: { total: 0, byRoute: {} },
      blobs: { count: 0, bytes: 0 },
      uploads: 0,
      registry: { sets: 0, setsAccepted: 0, setsRejected: 0, gets: 0 },
      faults: { errors: 0, conflicts: 0, staleReads: 0, resets: 0 },
      p2p: { connections: 0, handshakes: 0, framesIn: 0, framesRejected: 0 },
    };
  }

  get counters(): DevnodeStats {
    return this.#s;
  }

  request(route: string): void {
    this.#s.requests.total++;
    this.#s.requests.byRoute[route] = (this.#s.requests.byRoute[route] ?? 0) + 1;
  }

  blobStored(bytes: number): void {
    this.#s.blobs.count++;
    this.#s.blobs.bytes += bytes;
  }

  blobRemoved(bytes: number): void {
    this.#s.blobs.count--;
    this.#s.blobs.bytes -= bytes;
  }

  /** A deep copy, safe to hand out. */
  snapshot(): DevnodeStats {
    return structuredClone(this.#s);
  }

  reset(): void {
    const blobs = this.#s.blobs;
    this.#s = StatsCollector.#empty();
    this.#s.blobs = blobs;
  }
}
