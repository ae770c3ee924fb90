/**
 * Group commit (leader/follower, as RocksDB's write group): while a write for a key is in flight,
 * new operations queue; when it finishes, the next write takes ALL queued operations at once. No
 * artificial delay by default (`lingerMs` optionally waits before each write to grow batches).
 * Each submitter's promise settles with the outcome of the write that carried its operation.
 *
 * "Lazy" operations (maintenance such as compaction) never start a write on their own right away:
 * they ride along with the next user write, or start one after `lazyDelayMs` of quiet.
 */

export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<Op, R> {
  /** Perform one write carrying `ops`; return one outcome per op, in order. Throw = all fail. */
  commit: (key: string, ops: Op[]) => Promise<Settled<R>[]>;
  lingerMs?: number;
  /**
   * Delay before a write, decided per write: `busy` = operations arrived while the previous write
   * was in flight (sustained traffic) and the queue is not yet a full batch. Overrides `lingerMs`.
   */
  lingerFor?: (key: string, busy: boolean) => number;
  /** Skip the linger when at least this many operations are already queued. */
  fullBatch?: number;
  lazyDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Operations whose batch keys differ are never carried by one write (e.g. encryption mode). */
  batchKey?: (op: Op) => string;
  /**
   * Size of an operation (e.g. bytes of its messages). A write carries operations while their sum
   * stays within `maxBatchWeight` (always at least one), so a burst of large messages becomes
   * several writes instead of one blob too large to upload.
   */
  weight?: (op: Op) => number;
  maxBatchWeight?: number;
  onDepth?: (key: string, delta: number) => void;
}

interface Pending<Op, R> {
  op: Op;
  lazy: boolean;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

interface Queue<Op, R> {
  pending: Pending<Op, R>[];
  running: boolean;
  lazyTimer?: ReturnType<typeof setTimeout>;
  idle: Promise<void>;
  markIdle: () => void;
}

export class GroupCommitter<Op, R> {
  readonly #queues = new Map<string, Queue<Op, R>>();
  readonly #opts: GroupCommitOptions<Op, R>;
  #outstanding = 0;

  constructor(opts: GroupCommitOptions<Op, R>) {
    this.#opts = opts;
  }

  /** Operations submitted and not yet settled (lazy maintenance ops excluded). */
  get outstanding(): number {
    return this.#outstanding;
  }

  submit(key: string, op: Op, opts: { lazy?: boolean } = {}): Promise<R> {
    const q = this.#queue(key);
    const lazy = opts.lazy ?? false;
    return new Promise<R>((resolve, reject) => {
      if (!lazy) this.#outstanding++;
      this.#opts.onDepth?.(key, 1);
      const done = () => {
        if (!lazy) this.#outstanding--;
        this.#opts.onDepth?.(key, -1);
      };
      q.pending.push({
        op,
        lazy,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      if (q.running) return;
      if (!lazy) {
        this.#start(key, q);
      } else if (q.pending.every((p) => p.lazy) && q.lazyTimer === undefined) {
        q.lazyTimer = setTimeout(() => {
          q.lazyTimer = undefined;
          if (!q.running && q.pending.length) this.#start(key, q);
        }, this.#opts.lazyDelayMs ?? 1000);
      }
    });
  }

  /** Start every waiting write now (lazy ones too) and resolve when all keys are idle. */
  async flush(): Promise<void> {
    for (;;) {
      const busy: Promise<void>[] = [];
      for (const [key, q] of this.#queues) {
        if (!q.running && q.pending.length) this.#start(key, q);
        if (q.running || q.pending.length) busy.push(q.idle);
      }
      if (busy.length === 0) return;
      await Promise.all(busy);
    }
  }

  #queue(key: string): Queue<Op, R> {
    let q = this.#queues.get(key);
    if (!q) {
      let markIdle!: () => void;
      const idle = new Promise<void>((r) => (markIdle = r));
      q = { pending: [], running: false, idle, markIdle };
      this.#queues.set(key, q);
    }
    return q;
  }

  #start(key: string, q: Queue<Op, R>): void {
    if (q.lazyTimer !== undefined) {
      clearTimeout(q.lazyTimer);
      q.lazyTimer = undefined;
    }
    q.running = true;
    void this.#lead(key, q);
  }

  async #lead(key: string, q: Queue<Op, R>): Promise<void> {
    const batchKey = this.#opts.batchKey ?? (() => '');
    let busy = false;
    try {
      // Yield once (a microtask, not a timer): operations submitted in the same synchronous run as
      // the first one — e.g. 50 appends fired in a loop — ride in the first write.
      await Promise.resolve();
      while (q.pending.length) {
        // A queue that already holds a full batch does not wait to grow (it is not "busy" waiting for more).
        const full = q.pending.length >= (this.#opts.fullBatch ?? Infinity);
        const linger = this.#opts.lingerFor ? this.#opts.lingerFor(key, busy && !full) : full ? 0 : (this.#opts.lingerMs ?? 0);
        if (linger > 0) await (this.#opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms))))(linger);
        busy = true; // whatever is queued after this write arrived while it was in flight
        const first = batchKey(q.pending[0]!.op);
        const cap = this.#opts.maxBatchWeight ?? Infinity;
        let n = 0;
        let weight = 0;
        while (n < q.pending.length && batchKey(q.pending[n]!.op) === first) {
          const w = this.#opts.weight?.(q.pending[n]!.op) ?? 0;
          if (n > 0 && weight + w > cap) break;
          weight += w;
          n++;
        }
        const batch = q.pending.splice(0, n);
        try {
          const outcomes = await this.#opts.commit(
            key,
            batch.map((p) => p.op),
          );
          batch.forEach((p, i) => {
            const o = outcomes[i];
            if (!o) p.reject(new Error('group commit: missing outcome'));
            else if (o.ok) p.resolve(o.value);
            else p.reject(o.error);
          });
        } catch (error) {
          for (const p of batch) p.reject(error);
        }
      }
    } finally {
      q.running = false;
      if (q.pending.length === 0) {
        if (this.#queues.get(key) === q) this.#queues.delete(key);
        q.markIdle();
      } else {
        // A submit raced the end of the loop (cannot happen synchronously, but stay safe).
        this.#start(key, q);
      }
    }
  }
}
