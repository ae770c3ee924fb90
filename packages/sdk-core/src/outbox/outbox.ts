import { isTransientError, transientBackoffDelay } from '@s5chat/s5';
import { uuidv7 } from '../util/uuidv7.js';
import type { Op } from '../ops.js';
import type { StorageResult } from '../schemas.js';
import type { OutboxRecord, OutboxStore } from './store.js';

/** Web Locks with the options we use (`ifAvailable`: a tab that cannot drain now just skips). */
export interface OutboxLockManager {
  request<T>(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

export interface OutboxEvent {
  conversationId: string;
  operationId: string;
  /** queued: persisted, will be sent; sent: durable now; failed: the portal refused it for good (see `error`). */
  state: 'queued' | 'sent' | 'failed';
  /** Records still waiting after this change. */
  pending: number;
  error?: unknown;
}

export interface OutboxOptions {
  store: OutboxStore;
  owner: string;
  /** Send one record through the normal write path (group commit → revision-safe write). */
  send: (record: OutboxRecord) => Promise<StorageResult>;
  onEvent: (e: OutboxEvent) => void;
  /** Default `navigator.locks` when present; null = this process drains alone. */
  locks?: OutboxLockManager | null;
  /** Drain retry backoff (defaults 1 s → 30 s, jittered). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  now?: () => number;
}

export type QueuedResult = StorageResult & { status: 'queued'; operationId: string };

/**
 * The durable outbox. A write whose direct attempt fails transiently (portal unreachable, or
 * failing past the transport's retry budget) is persisted and replayed — the same normalized
 * operation, same message ids and operation id, so a replay of a write that did land is a no-op —
 * when the portal answers again. While a conversation has queued records, its new writes queue
 * behind them: one conversation's operations are never reordered. One tab drains (a Web Lock);
 * the others leave their records in the shared store for it.
 */
export class Outbox {
  readonly #o: OutboxOptions;
  readonly #locks: OutboxLockManager | null;
  /** Known records (this session's and those found in the store), by operation id. */
  readonly #records = new Map<string, OutboxRecord>();
  readonly #sending = new Set<string>();
  #counter = 0;
  #failures = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #draining: Promise<void> | undefined;
  #again = false;
  #closed = false;
  readonly #loaded: Promise<void>;
  readonly #offOnline: (() => void) | undefined;

  /** The manager's outbox: none when the setting resolved to no store (outbox: false). */
  static create(
    store: OutboxStore | null,
    o: Omit<OutboxOptions, 'store' | 'retryInitialMs' | 'retryMaxMs'> & { retry?: { initialMs?: number; maxMs?: number } | undefined },
  ): Outbox | null {
    if (!store) return null;
    const { retry, ...rest } = o;
    return new Outbox({
      ...rest,
      store,
      ...(retry?.initialMs !== undefined ? { retryInitialMs: retry.initialMs } : {}),
      ...(retry?.maxMs !== undefined ? { retryMaxMs: retry.maxMs } : {}),
    });
  }

  constructor(o: OutboxOptions) {
    this.#o = o;
    const nav = (globalThis as { navigator?: { locks?: OutboxLockManager } }).navigator;
    this.#locks = o.locks === undefined ? (nav?.locks ?? null) : o.locks;
    // Records left by an earlier session (reload, tab closed, process exit) are sent now.
    this.#loaded = this.#refresh().catch(() => undefined);
    void this.#loaded.then(() => this.kick());
    const g = globalThis as { addEventListener?: (n: string, f: () => void) => void; removeEventListener?: (n: string, f: () => void) => void };
    if (typeof g.addEventListener === 'function' && typeof g.removeEventListener === 'function') {
      const onOnline = () => this.kick(true);
      g.addEventListener('online', onOnline);
      this.#offOnline = () => g.removeEventListener!('online', onOnline);
    }
  }

  /** Records not yet durable (excluding the one being sent right now, which pendingWrites counts already). */
  get pending(): number {
    let n = 0;
    for (const id of this.#records.keys()) if (!this.#sending.has(id)) n++;
    return n;
  }

  /** Every queued record, oldest first (a copy). */
  list(): OutboxRecord[] {
    return [...this.#records.values()].sort((a, b) => a.seq - b.seq).map((r) => structuredClone(r));
  }

  hasQueued(conversationId: string): boolean {
    for (const r of this.#records.values()) if (r.conversationId === conversationId) return true;
    return false;
  }

  /**
   * Write through the outbox: straight to `direct` unless the conversation has queued records; a
   * transient failure of `direct` queues the operation instead of failing the caller.
   */
  async submit(conversationId: string, op: Op, encrypted: boolean, direct: () => Promise<StorageResult>): Promise<StorageResult & { status: 'durable' } | QueuedResult> {
    await this.#loaded;
    if (this.hasQueued(conversationId)) return this.#enqueue(conversationId, op, encrypted);
    try {
      const result = await direct();
      if (this.#records.size > 0) this.kick(true); // the portal answers: send what waits
      return { ...result, status: 'durable' };
    } catch (error) {
      if (!isTransientError(error) || this.#closed) throw error;
      return this.#enqueue(conversationId, op, encrypted, 1);
    }
  }

  /** Start a drain now (or after the current one); `reset` forgets the backoff. */
  kick(reset = false): void {
    if (this.#closed) return;
    if (reset) this.#failures = 0;
    if (this.#timer) {
      if (!reset) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#closed) return;
      if (this.#again) {
        this.#again = false;
        this.kick();
      } else if (this.#records.size > 0) this.#schedule(); // back off, then try again
    });
  }

  /** Resolves when the current drain round (if any) ends. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#offOnline?.();
  }

  async #enqueue(conversationId: string, op: Op, encrypted: boolean, attempts = 0): Promise<QueuedResult> {
    const now = (this.#o.now ?? Date.now)();
    // The operation's own id (exactly-once on replay: the head's applied-operations window).
    const operationId = (op as { id?: unknown }).id ?? (op as { operationId?: unknown }).operationId;
    const record: OutboxRecord = {
      v: 1,
      operationId: typeof operationId === 'string' ? operationId : uuidv7(),
      seq: now * 1000 + (this.#counter++ % 1000),
      owner: this.#o.owner,
      conversationId,
      op,
      encrypted,
      queuedAt: now,
      attempts,
    };
    await this.#o.store.put(record); // durable before we say 'queued'; a failing store fails the write
    this.#records.set(record.operationId, record);
    this.#o.onEvent({ conversationId, operationId: record.operationId, state: 'queued', pending: this.pending });
    this.#schedule();
    return {
      conversationId,
      revision: 0,
      messageCount: 0,
      encrypted,
      bytesUploaded: 0,
      attempts,
      batchSize: 1,
      status: 'queued',
      operationId: record.operationId,
    };
  }

  /** The store is the truth: add what others queued, forget what another instance already sent. */
  async #refresh(): Promise<void> {
    const stored = new Map((await this.#o.store.list()).filter((r) => r.owner === this.#o.owner).map((r) => [r.operationId, r]));
    for (const id of [...this.#records.keys()]) if (!stored.has(id) && !this.#sending.has(id)) this.#records.delete(id);
    for (const [id, r] of stored) if (!this.#records.has(id)) this.#records.set(id, r);
  }

  #schedule(): void {
    if (this.#closed || this.#timer || this.#draining) return;
    const delay = transientBackoffDelay(this.#failures, {
      initialDelayMs: this.#o.retryInitialMs ?? 1000,
      maxDelayMs: this.#o.retryMaxMs ?? 30_000,
      jitter: 0.5,
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, delay);
  }

  async #drain(): Promise<void> {
    const round = async () => {
      await this.#refresh().catch(() => undefined); // pick up records other tabs left behind
      const blocked = new Set<string>();
      for (const record of this.list()) {
        if (this.#closed) return;
        if (blocked.has(record.conversationId)) continue; // never send a later one before an earlier one
        const outcome = await this.#sendOne(record);
        if (outcome === 'retry') {
          blocked.add(record.conversationId);
          // The portal is down for everyone: stop this round and back off.
          this.#failures++;
          return;
        }
      }
      this.#failures = 0;
    };
    try {
      if (this.#locks) await this.#locks.request(`s5chat:outbox:${this.#o.owner}`, { ifAvailable: true }, (lock) => (lock ? round() : Promise.resolve()));
      else await round();
    } catch {
      this.#failures++; // a failing store or lock manager: try again later
    }
  }

  async #sendOne(record: OutboxRecord): Promise<'sent' | 'failed' | 'retry'> {
    this.#sending.add(record.operationId);
    record.attempts++;
    let result: StorageResult | undefined;
    let error: unknown;
    try {
      result = await this.#o.send(record);
    } catch (e) {
      error = e;
    } finally {
      this.#sending.delete(record.operationId);
    }
    if (result === undefined && isTransientError(error)) {
      await this.#o.store.put(record).catch(() => undefined); // attempts count survives a reload
      return 'retry';
    }
    await this.#o.store.delete(record.operationId).catch(() => undefined);
    this.#records.delete(record.operationId);
    const base = { conversationId: record.conversationId, operationId: record.operationId, pending: this.pending };
    if (result !== undefined) {
      this.#o.onEvent({ ...base, state: 'sent' });
      return 'sent';
    }
    this.#o.onEvent({ ...base, state: 'failed', error });
    return 'failed';
  }
}
