/**
 * Counters per conversation and in total. Plain numbers, cheap to update on every write; rates
 * and percentiles are computed when metrics() is called.
 */

export interface Counters {
  /** saveConversation calls accepted (after validation). */
  saves: number;
  /** appendMessage calls accepted. */
  appends: number;
  /** updateMetadata calls accepted. */
  metadataUpdates: number;
  deletes: number;
  /** editMessage / deleteMessage calls accepted. */
  edits: number;
  /** Writes committed (user operations; one write may carry many operations). */
  writes: number;
  /** Maintenance writes committed (compaction). */
  compactions: number;
  /** Registry set requests issued (every attempt). */
  registryWrites: number;
  /** Attempts that lost the registry race ("Revision number too low"). */
  conflicts: number;
  /** Waits before a re-read and re-apply. */
  retries: number;
  /** Writes that merged concurrent changes (re-applied on a newer revision, or a save met foreign messages). */
  merges: number;
  /** Operations that needed no write (e.g. a message appended again). */
  noops: number;
  /** Writes that failed (any error). */
  failures: number;
  /** Writes that needed at least one retry / of those, how many then succeeded. */
  writesRetried: number;
  writesRetriedOk: number;
  /** Sum of attempts over committed writes. */
  attempts: number;
  /** Operations carried by committed writes. */
  operationsCommitted: number;
  bytesUploaded: number;
  bytesDownloaded: number;
}

export interface MetricsSnapshot extends Counters {
  /** conflicts / registryWrites. */
  conflictRate: number;
  /** writesRetriedOk / writesRetried (1 when nothing needed a retry). */
  retrySuccessRate: number;
  /** attempts / writes. */
  avgAttemptsPerWrite: number;
  /** operationsCommitted / writes: how well group commit coalesces. */
  avgOperationsPerWrite: number;
  lockWaitP50Ms: number;
  lockWaitP99Ms: number;
  /** Operations waiting or in flight right now. */
  queueDepth: number;
  maxQueueDepth: number;
}

export interface Metrics {
  total: MetricsSnapshot;
  conversations: Record<string, MetricsSnapshot>;
}

const zero = (): Counters => ({
  saves: 0,
  appends: 0,
  metadataUpdates: 0,
  deletes: 0,
  edits: 0,
  writes: 0,
  compactions: 0,
  registryWrites: 0,
  conflicts: 0,
  retries: 0,
  merges: 0,
  noops: 0,
  failures: 0,
  writesRetried: 0,
  writesRetriedOk: 0,
  attempts: 0,
  operationsCommitted: 0,
  bytesUploaded: 0,
  bytesDownloaded: 0,
});

/** A bounded sample of recent values (ring buffer) for percentiles. */
class Samples {
  readonly #buf: number[] = [];
  #next = 0;
  constructor(private readonly cap: number) {}
  add(v: number) {
    if (this.#buf.length < this.cap) this.#buf.push(v);
    else {
      this.#buf[this.#next] = v;
      this.#next = (this.#next + 1) % this.cap;
    }
  }
  percentile(p: number): number {
    if (this.#buf.length === 0) return 0;
    const sorted = [...this.#buf].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  }
}

interface Slot {
  counters: Counters;
  lockWaits: Samples;
  queueDepth: number;
  maxQueueDepth: number;
}

export class MetricsRecorder {
  readonly #total: Slot = { counters: zero(), lockWaits: new Samples(4096), queueDepth: 0, maxQueueDepth: 0 };
  readonly #byConversation = new Map<string, Slot>();

  #slot(id: string): Slot {
    let s = this.#byConversation.get(id);
    if (!s) {
      s = { counters: zero(), lockWaits: new Samples(256), queueDepth: 0, maxQueueDepth: 0 };
      this.#byConversation.set(id, s);
    }
    return s;
  }

  add(conversationId: string, field: keyof Counters, n = 1): void {
    if (n === 0) return;
    this.#total.counters[field] += n;
    if (conversationId) this.#slot(conversationId).counters[field] += n;
  }

  lockWait(conversationId: string, ms: number): void {
    this.#total.lockWaits.add(ms);
    if (conversationId) this.#slot(conversationId).lockWaits.add(ms);
  }

  queueDepth(conversationId: string, delta: number): void {
    const c = this.#slot(conversationId);
    c.queueDepth += delta;
    c.maxQueueDepth = Math.max(c.maxQueueDepth, c.queueDepth);
    this.#total.queueDepth += delta;
    this.#total.maxQueueDepth = Math.max(this.#total.maxQueueDepth, this.#total.queueDepth);
  }

  snapshot(): Metrics {
    const conversations: Record<string, MetricsSnapshot> = {};
    for (const [id, slot] of this.#byConversation) conversations[id] = view(slot);
    return { total: view(this.#total), conversations };
  }
}

function view(s: Slot): MetricsSnapshot {
  const c = s.counters;
  return {
    ...c,
    conflictRate: c.registryWrites ? c.conflicts / c.registryWrites : 0,
    retrySuccessRate: c.writesRetried ? c.writesRetriedOk / c.writesRetried : 1,
    avgAttemptsPerWrite: c.writes + c.compactions ? c.attempts / (c.writes + c.compactions) : 0,
    avgOperationsPerWrite: c.writes ? c.operationsCommitted / c.writes : 0,
    lockWaitP50Ms: s.lockWaits.percentile(50),
    lockWaitP99Ms: s.lockWaits.percentile(99),
    queueDepth: s.queueDepth,
    maxQueueDepth: s.maxQueueDepth,
  };
}
