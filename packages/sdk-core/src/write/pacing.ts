/**
 * Pacing of group-commit writes per conversation: how long the leader waits before the next
 * write. Measured reasons (CONCURRENCY.md, "Pacing"): under sustained traffic a short linger makes
 * one write carry several appends; after lost registry races an AIMD pause makes contending
 * devices take turns instead of colliding again.
 */

/**
 * Minimum contention pause (ms). Above the first two revision retry waits (200–250, 400–500 ms),
 * so a device that keeps winning pauses longer than a device that just lost needs to retry.
 * Measured (3 devices × 100 appends at 20/s, 50 ms/request): floor 300 → 0–11 failed appends per
 * run, floor 600 → 0–1 (ack p99 ≈ 3.5 s).
 */
export const CONTENTION_FLOOR_MS = 600;

export interface PacerOptions {
  /** Fixed wait before every write (default 0). */
  lingerMs: number;
  /** Extra wait (±25 %) when operations queued while the previous write was in flight. */
  busyLingerMs: number;
  /** Cap of the contention pause; 0 disables it. */
  contentionMaxMs: number;
  random: () => number;
  /** Wall clock, for the decay of contention pauses. */
  now: () => number;
}

/**
 * Half-life of a contention pause while nobody contends (ms): a device that lost races keeps a
 * pause only while the races go on; on an idle conversation it fades (2 s → < 0.1 s in ~4.5 s)
 * instead of slowing every later single write.
 */
export const CONTENTION_HALF_LIFE_MS = 1000;

export class WritePacer {
  readonly #opts: PacerOptions;
  /** Per conversation: extra pause after lost races (AIMD: doubles on conflict, halves on a clean write). */
  readonly #contention = new Map<string, { pause: number; at: number }>();
  /** Per conversation: the revision of our last committed write (to notice other writers). */
  readonly #lastOwnRevision = new Map<string, number>();

  constructor(opts: PacerOptions) {
    this.#opts = opts;
  }

  /**
   * Idle → the configured lingerMs (default 0: an append to a quiet conversation goes out at once).
   * Busy → about busyLingerMs more, so one write carries a stream's next several appends. After
   * lost races → an extra jittered pause.
   */
  lingerFor(conversationId: string, busy: boolean): number {
    const jitter = () => 0.75 + 0.5 * this.#opts.random();
    const busyPart = busy ? this.#opts.busyLingerMs * jitter() : 0;
    const contention = this.#pause(conversationId) * jitter();
    return Math.round(this.#opts.lingerMs + busyPart + contention);
  }

  /** A write failed: a lost race (RevisionConflictError) raises the pause. */
  writeFailed(conversationId: string, lostRace: boolean): void {
    this.#record(conversationId, lostRace, false);
  }

  /**
   * A write resolved. `readRevision` is the revision it started from: above our own last write
   * means another device wrote in between.
   */
  writeResolved(conversationId: string, attempts: number, readRevision: number, wroteRevision: number | null): void {
    const last = this.#lastOwnRevision.get(conversationId);
    const foreign = last !== undefined && readRevision > last;
    if (wroteRevision !== null) this.#lastOwnRevision.set(conversationId, wroteRevision);
    this.#record(conversationId, attempts > 1, foreign);
  }

  /**
   * AIMD. Lost a race (or gave up) → double (at least CONTENTION_FLOOR_MS); another device wrote
   * since our last write → at least the floor; a clean write → halve.
   */
  #record(conversationId: string, lostRace: boolean, foreign: boolean): void {
    const max = this.#opts.contentionMaxMs;
    if (max <= 0) return;
    const cur = this.#pause(conversationId);
    const floor = Math.min(CONTENTION_FLOOR_MS, max);
    let next: number;
    if (lostRace) next = Math.min(max, Math.max(floor, cur * 2));
    else if (foreign) next = Math.max(cur, floor);
    else next = cur / 2 < 25 ? 0 : cur / 2;
    if (next === 0) this.#contention.delete(conversationId);
    else this.#contention.set(conversationId, { pause: next, at: this.#opts.now() });
  }

  /** The current pause: the last recorded one, halved per CONTENTION_HALF_LIFE_MS since. */
  #pause(conversationId: string): number {
    const c = this.#contention.get(conversationId);
    if (!c) return 0;
    const p = c.pause * 2 ** (-Math.max(0, this.#opts.now() - c.at) / CONTENTION_HALF_LIFE_MS);
    return p < 25 ? 0 : p;
  }

  /** For tests and metrics: the pause the next write of `conversationId` would get (before jitter). */
  contentionPause(conversationId: string): number {
    return this.#pause(conversationId);
  }
}
