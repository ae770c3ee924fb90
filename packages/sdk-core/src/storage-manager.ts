/**
 * StorageManager: revision-safe conversation storage on S5.
 *
 * Follow one appendMessage: validate (schemas.ts) → an `append` operation (ops.ts) is queued per
 * conversation (group-commit.ts) → the leader takes every queued operation, holds the conversation
 * lock (concurrency/keyed-mutex.ts, plus a Web Lock across tabs: concurrency/cross-tab.ts) and calls
 * `_saveConversationInternal`: registry read → head + segments (layout/reader.ts) → applyOps →
 * upload one delta segment + one head (layout/segments.ts, layout/head.ts) → registry set
 * revision+1. Lost the race? wait revisionRetryDelays() and re-read + re-apply. Every caller then
 * gets the StorageResult of the write that carried its operation.
 */
import { uuidv7 } from 'uuidv7';
import {
  BlobId,
  blake3,
  concatBytes,
  createRegistryEntry,
  fromBase64Url,
  isS5ChatError,
  revisionRetryDelays,
  RevisionTooLowError,
  sleep as s5sleep,
  toBase64Url,
  utf8ToBytes,
  bytesToUtf8,
  ValidationError,
  type RegistryEntry,
  type S5Backend,
} from '@s5chat/s5';
import { KeyedMutex, type LockInfo } from './concurrency/keyed-mutex.js';
import { createCrossTab, type CrossTabCoordinator, type CrossTabOptions } from './concurrency/cross-tab.js';
import { ClosedError, DataMissingError, RevisionConflictError } from './errors.js';
import { Emitter, type StorageEvents } from './events.js';
import { GroupCommitter, type Settled } from './group-commit.js';
import { LruCache } from './layout/cache.js';
import { decodeDocument, encodeDocument } from './layout/codec.js';
import { DEFAULT_COMPACTION, planCompaction, type CompactionPolicy } from './layout/compaction.js';
import { HEAD_VERSION, type Head, type SegmentRef } from './layout/head.js';
import { applyIndexOps, parseIndex, type IndexEntry, type IndexOp } from './layout/index-doc.js';
import { decodePointer, deriveConversationKeys, deriveIndexKeys, encodePointer, type DocumentKeys, type SeedDeriver } from './layout/keys.js';
import { ConversationReader } from './layout/reader.js';
import { buildSegment, segmentLevel } from './layout/segments.js';
import { mergeMessageLists, sameMessage, sortMessages } from './merge.js';
import { MetricsRecorder, type Metrics } from './metrics.js';
import { LiveHub, type ConversationsWatchEvent, type LiveOptions, type WatchEvent, type WatchOptions } from './live/index.js';
import { Outbox, createOutboxStore, outboxOwner, type OutboxRecord, type OutboxSetting } from './outbox/index.js';
import { applyOps, type ApplyResult, type ConversationState, type Op } from './ops.js';
import {
  ListOptionsSchema,
  SaveOptionsSchema,
  assertConversationId,
  normalizeConversation,
  normalizeMessage,
  normalizeMetadataPatch,
  parseOrThrow,
  resolveLimits,
  type ConversationData,
  type ConversationSummary,
  type Limits,
  type Message,
  type MessageInput,
  type ConversationInput,
  type ListOptions,
  type SaveOptions,
  type StorageResult,
} from './schemas.js';

export interface RetryOptions {
  /** First wait after a lost race (default 200 ms; then 400, 800). */
  baseMs?: number;
  /** Retries after the first attempt (default 3 ⇒ up to 4 attempts). */
  retries?: number;
  /** Up to this fraction is added to each wait at random (default 0.25). */
  jitter?: number;
  /** Uniform [0,1) source for the jitter (tests). */
  random?: () => number;
}

export interface StorageManagerOptions {
  backend: S5Backend;
  /** Derives per-conversation keys (an S5Identity). */
  identity: SeedDeriver;
  /** Encrypt heads and segments (default 'on'). */
  encryption?: 'on' | 'off';
  /** Names this device in metadata clocks and heads (default: random). */
  deviceId?: string;
  /** Wait this long before every group-commit write to grow batches (default 0). */
  lingerMs?: number;
  /**
   * Under sustained traffic (operations queued while the previous write was in flight), wait about
   * this long (±25 %, jittered) before the next write so it carries more operations (default 200).
   * An append to an idle conversation never waits. 0 = pure leader/follower.
   */
  busyLingerMs?: number;
  /**
   * After lost registry races, later writes to that conversation wait an extra, growing, jittered
   * pause (doubling up to this many ms, halving on clean writes) so contending devices take turns
   * instead of colliding again (default 2000; 0 disables).
   */
  contentionBackoffMaxMs?: number;
  retry?: RetryOptions;
  /** Injected sleep for retry waits (tests: fake timers or no-wait). */
  sleep?: (ms: number) => Promise<void>;
  limits?: Partial<Limits>;
  /** Give up waiting for a conversation lock after this many ms (default: wait). */
  lockTimeoutMs?: number;
  /** Cross-tab coordination; false disables; default auto-detects Web Locks + BroadcastChannel. */
  crossTab?: false | Partial<Omit<CrossTabOptions, 'instanceId'>>;
  compaction?: Partial<CompactionPolicy> & { enabled?: boolean; idleMs?: number };
  /** Parallel segment downloads per load (default 6). */
  readConcurrency?: number;
  /** Segment cache budget in bytes (default 32 MiB). */
  cacheBytes?: number;
  now?: () => number;
  /** Live updates (watch / watchConversations): how they reach this device (default 'auto'). */
  live?: LiveOptions;
  /** Durable outbox for writes made while the portal is unreachable (default 'auto'; false = fail fast). */
  outbox?: OutboxSetting;
  /** Node: where the 'auto' outbox keeps its files (omitted: in memory). */
  outboxDir?: string;
  /** Outbox resend backoff (defaults 1000 → 30000 ms, jittered). */
  outboxRetry?: { initialMs?: number; maxMs?: number };
}

export interface WriteOptions extends SaveOptions {}

type Item = { target: 'conversation'; op: Op; encrypted: boolean } | { target: 'index'; op: IndexOp };

/** Largest head JSON that still fits one 4 KiB block of the encrypted format (4096 − 46, with margin). */
const INLINE_HEAD_LIMIT = 4000;

/**
 * Minimum contention pause (ms). Above the first two revision retry waits (200–250, 400–500 ms),
 * so a device that keeps winning pauses longer than a device that just lost needs to retry.
 * Measured (3 devices × 100 appends at 20/s, 50 ms/request): floor 300 → 0–11 failed appends per
 * run, floor 600 → 0–1 (ack p99 ≈ 3.5 s).
 */
const CONTENTION_FLOOR_MS = 600;

/** Key of the index queue/lock: '#' cannot occur in a conversation id. */
const INDEX_KEY = '#index';

interface WriteOutcome {
  result: StorageResult;
  opErrors: (Error | undefined)[];
  applied: ApplyResult | null;
  before: ConversationState;
  head: Head | null;
  wrote: boolean;
}

export class StorageManager {
  readonly #backend: S5Backend;
  readonly #identity: SeedDeriver;
  readonly #encrypted: boolean;
  readonly #deviceId: string;
  readonly #limits: Limits;
  readonly #retry: RetryOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #now: () => number;
  readonly #locks: KeyedMutex;
  readonly #crossTab: CrossTabCoordinator;
  readonly #committer: GroupCommitter<Item, StorageResult>;
  readonly #reader: ConversationReader;
  readonly #metrics = new MetricsRecorder();
  readonly #events = new Emitter<StorageEvents>();
  readonly #compaction: CompactionPolicy & { enabled: boolean };
  readonly #keys = new Map<string, DocumentKeys>();
  readonly #idByKeyName = new Map<string, string>();
  readonly #indexHeads = new LruCache<IndexEntry[]>(8 * 1024 * 1024);
  #indexKeys?: DocumentKeys;
  readonly #compacting = new Set<string>();
  readonly #maintenance = new Set<Promise<void>>();
  readonly #indexDirty = new Set<string>();
  #indexRepair?: Promise<void>;
  /** Per conversation: extra pause after lost races (AIMD: doubles on conflict, halves on a clean write). */
  readonly #contention = new Map<string, number>();
  /** Per conversation: the revision of our last committed write (to notice other writers). */
  readonly #lastOwnRevision = new Map<string, number>();
  /**
   * Per conversation: the highest registry revision this manager has read or written. A portal can
   * serve an older entry (lagging replica, devnode staleReadRate); acting on it would let a no-op
   * decision (idempotent re-append, delete of what looks deleted, metadata already at that value)
   * resolve as if durable while the newer state says otherwise. Reads are made monotonic per
   * manager with this floor.
   */
  readonly #seenRevision = new Map<string, number>();
  readonly #busyLingerMs: number;
  readonly #contentionMaxMs: number;
  readonly #random: () => number;
  #closed = false;
  readonly #live: LiveHub;
  readonly #outbox: Outbox | null;

  constructor(opts: StorageManagerOptions) {
    if (!opts || !opts.backend) throw new ValidationError([{ path: 'backend', message: 'an S5Backend is required' }]);
    if (!opts.identity || typeof opts.identity.deriveSeed !== 'function') {
      throw new ValidationError([{ path: 'identity', message: 'expected an S5Identity (deriveSeed)' }]);
    }
    this.#backend = opts.backend;
    this.#identity = opts.identity;
    this.#encrypted = (opts.encryption ?? 'on') !== 'off';
    this.#deviceId = opts.deviceId ?? uuidv7();
    this.#limits = resolveLimits(opts.limits);
    this.#retry = opts.retry ?? {};
    revisionRetryDelays(this.#retry); // validate early: a bad retry config is a ValidationError now, not later
    this.#sleep = opts.sleep ?? ((ms) => s5sleep(ms));
    this.#now = opts.now ?? Date.now;
    this.#busyLingerMs = opts.busyLingerMs ?? 200;
    this.#contentionMaxMs = opts.contentionBackoffMaxMs ?? 2000;
    this.#random = opts.retry?.random ?? Math.random;
    this.#compaction = { ...DEFAULT_COMPACTION, ...(opts.compaction ?? {}), enabled: opts.compaction?.enabled ?? true };
    this.#locks = new KeyedMutex({
      timeoutMs: opts.lockTimeoutMs,
      now: this.#now,
      onAcquired: (key, ms) => this.#metrics.lockWait(key === INDEX_KEY ? '' : key, ms),
    });
    this.#crossTab =
      opts.crossTab === false
        ? createCrossTab({ locks: null, createChannel: null, instanceId: this.#deviceId })
        : createCrossTab({ ...(opts.crossTab ?? {}), instanceId: uuidv7() });
    this.#crossTab.onAnnouncement((a) => {
      const conversationId = this.#idByKeyName.get(a.key);
      if (conversationId) this.#events.emit('remote', { conversationId, revision: a.revision });
    });
    const readerOpts: ConstructorParameters<typeof ConversationReader>[0] = {
      backend: this.#backend,
      onDownload: (id, bytes) => this.#metrics.add(id, 'bytesDownloaded', bytes),
    };
    if (opts.readConcurrency !== undefined) readerOpts.readConcurrency = opts.readConcurrency;
    if (opts.cacheBytes !== undefined) readerOpts.cacheBytes = opts.cacheBytes;
    this.#reader = new ConversationReader(readerOpts);
    this.#committer = new GroupCommitter<Item, StorageResult>({
      commit: (key, items) => (key === INDEX_KEY ? this.#commitIndex(items) : this.#commitConversation(key, items)),
      fullBatch: 8, // a busy linger exists to grow batches; eight queued ops already make one worth writing
      lingerFor: (key, busy) => (key === INDEX_KEY ? 0 : this.#lingerFor(key, busy, opts.lingerMs ?? 0)),
      lazyDelayMs: opts.compaction?.idleMs ?? 500,
      sleep: this.#sleep,
      batchKey: (item) => (item.target === 'conversation' ? (item.encrypted ? 'enc' : 'plain') : 'index'),
      onDepth: (key, d) => {
        if (key !== INDEX_KEY) this.#metrics.queueDepth(key, d);
      },
    });
    this.#live = new LiveHub({
      ...opts.live,
      backend: this.#backend,
      identity: this.#identity,
      read: async (id, entry) => liveSnapshot((await this.#reader.read(id, this.#keysFor(id), entry)).state),
      list: async () => (await this.listConversations({ limit: 1000 })).items,
      onRemote: (fn) => this.#events.on('remote', fn),
      onSaved: (fn) => this.#events.on('saved', fn),
      onError: (conversationId, error) => this.#events.emit('error', { conversationId, error, during: 'watch', operations: 0 }),
    });
    const store = createOutboxStore(opts.outbox, opts.outboxDir);
    this.#outbox = store && new Outbox({
      store,
      owner: outboxOwner(this.#identity),
      send: (r: OutboxRecord) => this.#committer.submit(r.conversationId, { target: 'conversation', op: r.op, encrypted: r.encrypted }),
      onEvent: (e) => this.#events.emit('outbox', e),
      ...(opts.outboxRetry?.initialMs !== undefined ? { retryInitialMs: opts.outboxRetry.initialMs } : {}),
      ...(opts.outboxRetry?.maxMs !== undefined ? { retryMaxMs: opts.outboxRetry.maxMs } : {}),
    });
  }

  get deviceId(): string {
    return this.#deviceId;
  }

  // ---- public writes ---------------------------------------------------------------------------

  /**
   * Append one message (creates the conversation if absent). Idempotent by message id: appending
   * the same message again changes nothing. Resolves once the write carrying it is durable.
   */
  appendMessage(conversationId: string, message: MessageInput): Promise<StorageResult & { message: Message }> {
    return this.#guard(async () => {
      const id = assertConversationId(conversationId);
      const m = normalizeMessage(message, this.#limits, this.#now());
      this.#metrics.add(id, 'appends');
      const result = await this.#submit(id, { kind: 'append', messages: [m], at: this.#now() });
      return { ...result, message: m };
    });
  }

  /** Append several messages in one operation (all or nothing). */
  appendMessages(conversationId: string, messages: MessageInput[]): Promise<StorageResult & { messages: Message[] }> {
    return this.#guard(async () => {
      const id = assertConversationId(conversationId);
      if (!Array.isArray(messages)) throw new ValidationError([{ path: 'messages', message: 'expected an array' }]);
      const now = this.#now();
      const ms = messages.map((m, i) => normalizeMessage(m, this.#limits, now, `messages.${i}`));
      this.#metrics.add(id, 'appends', ms.length);
      const result = await this.#submit(id, { kind: 'append', messages: ms, at: now });
      return { ...result, messages: ms };
    });
  }

  /**
   * Save a whole conversation. 'merge' (default): union with what is stored — never deletes
   * messages it did not know about; metadata keys win only if the snapshot's updatedAt is newer
   * than the stored key. 'fail': only if the stored revision is `expectedRevision` (else
   * RevisionConflictError with currentRevision; nothing written). 'overwrite': replace everything.
   */
  saveConversation(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, this.#encrypted);
  }

  saveConversationEncrypted(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, true);
  }

  /** Store this write in plaintext (marked as such in the head). Only when you mean it. */
  saveConversationPlaintext(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, false);
  }

  /** Patch metadata keys (explicit intent: newer than any stored value of those keys). */
  updateMetadata(conversationId: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#guard(async () => {
      const id = assertConversationId(conversationId);
      const p = normalizeMetadataPatch(patch, this.#limits);
      const o = parseOrThrow(SaveOptionsSchema, options, 'options');
      this.#metrics.add(id, 'metadataUpdates');
      const op: Op = { kind: 'metadata', patch: p, mode: o.onConflict ?? 'merge', at: this.#now() };
      if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
      return this.#submit(id, op);
    });
  }

  /**
   * Delete: writes a tombstone head. Messages acknowledged before the delete are gone by intent;
   * an append that commits after it re-creates the conversation with only the later messages.
   */
  deleteConversation(conversationId: string): Promise<StorageResult> {
    return this.#guard(async () => {
      const id = assertConversationId(conversationId);
      this.#metrics.add(id, 'deletes');
      return this.#submit(id, { kind: 'delete', at: this.#now() });
    });
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** The stored conversation, read from the registry (never a local copy), or null if absent/deleted. */
  async loadConversation(conversationId: string): Promise<(ConversationData & { revision: number; encrypted: boolean }) | null> {
    const id = assertConversationId(conversationId);
    const keys = this.#keysFor(id);
    const entry = await this.#registryGet(id, keys);
    const { state } = await this.#reader.read(id, keys, entry);
    if (!state.exists) return null;
    return {
      id,
      messages: sortMessages(state.messages.values()),
      metadata: { ...state.metadata.values },
      createdAt: state.createdAt,
      updatedAt: state.updatedAt,
      revision: state.revision,
      encrypted: state.encrypted,
    };
  }

  /** Conversations, most recently updated first (list `updatedAt` moves on create/rename/delete only). */
  async listConversations(options: ListOptions = {}): Promise<{ items: ConversationSummary[]; nextCursor?: string }> {
    const o = parseOrThrow(ListOptionsSchema, options, 'options');
    const limit = o.limit ?? 50;
    const { entries } = await this.#readIndex();
    const live = entries
      .filter((e) => !e.deleted)
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let start = 0;
    if (o.cursor !== undefined) {
      const [t, id] = decodeCursor(o.cursor);
      // Keyset pagination: first entry strictly after (t, id) in the list order — stable under inserts.
      start = live.findIndex((e) => e.updatedAt < t || (e.updatedAt === t && e.id > id));
      if (start < 0) start = live.length;
    }
    const page = live.slice(start, start + limit);
    const items = page.map((e) => {
      const s: ConversationSummary = { id: e.id, createdAt: e.createdAt, updatedAt: e.updatedAt };
      if (e.title !== undefined) s.title = e.title;
      return s;
    });
    const last = page[page.length - 1];
    return start + limit < live.length && last ? { items, nextCursor: encodeCursor(last.updatedAt, last.id) } : { items };
  }

  // ---- locks, events, metrics ---------------------------------------------------------------------

  /**
   * Run `op` while holding the conversation's lock (in this instance). Do not await a write to the
   * same conversation inside `op`: that write needs the lock too and would wait for `op` forever
   * (a LockTimeoutError if lockTimeoutMs is set).
   */
  withConversationLock<T>(conversationId: string, op: () => Promise<T> | T, options: { label?: string; timeoutMs?: number } = {}): Promise<T> {
    const id = assertConversationId(conversationId);
    const o: { label: string; timeoutMs?: number } = { label: options.label ?? 'withConversationLock' };
    if (options.timeoutMs !== undefined) o.timeoutMs = options.timeoutMs;
    return this.#locks.runExclusive(id, op, o);
  }

  isLocked(conversationId: string): boolean {
    return this.#locks.isLocked(conversationId);
  }

  lockInfo(conversationId: string): LockInfo {
    return this.#locks.lockInfo(conversationId);
  }

  metrics(): Metrics {
    return this.#metrics.snapshot();
  }

  on<K extends keyof StorageEvents>(event: K, fn: (payload: StorageEvents[K]) => void): () => void {
    return this.#events.on(event, fn);
  }

  /** Subscribed listeners (of one event, or all): lets apps and leak tests check unsubscribes. */
  listenerCount(event?: keyof StorageEvents): number {
    return this.#events.listenerCount(event);
  }

  /** Writes submitted and not yet settled (including fire-and-forget ones and those in the outbox). */
  pendingWrites(): number {
    return this.#committer.outstanding + (this.#outbox?.pending ?? 0);
  }

  /** Another tab or device commits `conversationId` → `listener` gets what changed. Returns the unsubscribe. */
  watch(conversationId: string, listener: (e: WatchEvent) => void, options?: WatchOptions): () => void {
    return this.#live.watch(conversationId, listener, options);
  }

  /** The conversation list, now and whenever another tab or device changes it. Returns the unsubscribe. */
  watchConversations(listener: (e: ConversationsWatchEvent) => void): () => void {
    return this.#live.watchConversations(listener);
  }

  /** The outbox (null when disabled): queued writes, and `idle()` to await a drain round. */
  get outbox(): Outbox | null {
    return this.#outbox;
  }

  /** Resolve when every submitted write and maintenance task has settled (failures go to 'error'). */
  async flush(): Promise<void> {
    for (;;) {
      await this.#committer.flush();
      if (this.#maintenance.size === 0) {
        if (this.#committer.outstanding === 0) return;
        continue;
      }
      await Promise.allSettled([...this.#maintenance]);
    }
  }

  /** Flush, then refuse new writes and release cross-tab resources. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#live.close();
    this.#outbox?.close();
    this.#crossTab.close();
  }

  // ---- internals ------------------------------------------------------------------------------------

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClosedError();
    return fn();
  }

  #save(conversation: ConversationInput, options: WriteOptions, encrypted: boolean): Promise<StorageResult> {
    return this.#guard(async () => {
      const c = normalizeConversation(conversation, this.#limits, this.#now());
      const o = parseOrThrow(SaveOptionsSchema, options ?? {}, 'options');
      this.#metrics.add(c.id, 'saves');
      const op: Op = { kind: 'save', conversation: c, mode: o.onConflict ?? 'merge', at: this.#now() };
      if (o.expectedRevision !== undefined) op.expectedRevision = o.expectedRevision;
      return this.#submit(c.id, op, encrypted);
    });
  }

  #submit(conversationId: string, op: Op, encrypted = this.#encrypted): Promise<StorageResult> {
    const direct = () => this.#committer.submit(conversationId, { target: 'conversation', op, encrypted });
    if (!this.#outbox) return direct().then((r) => ({ ...r, status: 'durable' as const }));
    return this.#outbox.submit(conversationId, op, encrypted, direct);
  }

  #keysFor(conversationId: string): DocumentKeys {
    let k = this.#keys.get(conversationId);
    if (!k) {
      k = deriveConversationKeys(this.#identity, conversationId);
      if (this.#keys.size >= 4096) this.#keys.clear(); // bounded; derivation is cheap to redo
      this.#keys.set(conversationId, k);
      this.#idByKeyName.set(k.name, conversationId);
      if (this.#idByKeyName.size > 4096) this.#idByKeyName.clear();
    }
    return k;
  }

  /**
   * Registry read with a monotonic floor: an entry older than one this manager already saw is
   * re-read (a few times, at once). It may still come back stale; callers that would act on it
   * without writing check `#isBehind` (a write based on it fails at the registry anyway).
   */
  async #registryGet(conversationId: string, keys: DocumentKeys): Promise<RegistryEntry | null> {
    let entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    for (let i = 0; i < 2 && this.#isBehind(conversationId, entry?.revision ?? 0); i++) {
      entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    }
    this.#sawRevision(conversationId, entry?.revision ?? 0);
    return entry;
  }

  #isBehind(conversationId: string, revision: number): boolean {
    return revision < (this.#seenRevision.get(conversationId) ?? 0);
  }

  #sawRevision(conversationId: string, revision: number): void {
    if (revision <= (this.#seenRevision.get(conversationId) ?? 0)) return;
    if (this.#seenRevision.size >= 4096 && !this.#seenRevision.has(conversationId)) this.#seenRevision.clear(); // bounded
    this.#seenRevision.set(conversationId, revision);
  }

  /**
   * How long the group-commit leader waits before the next write of `conversationId`. Idle → the
   * configured lingerMs (default 0: an append to a quiet conversation goes out at once). Busy →
   * about busyLingerMs more, so one write carries a stream's next several appends (fewer registry
   * writes per append, fewer chances to collide). After lost races → an extra jittered pause.
   */
  #lingerFor(conversationId: string, busy: boolean, base: number): number {
    const jitter = () => 0.75 + 0.5 * this.#random();
    const busyPart = busy ? this.#busyLingerMs * jitter() : 0;
    const contention = (this.#contention.get(conversationId) ?? 0) * jitter();
    return Math.round(base + busyPart + contention);
  }

  /**
   * AIMD pause per conversation. Lost a race (or gave up) → double (at least CONTENTION_FLOOR_MS);
   * another device wrote since our last write → at least the floor; a clean write → halve. The
   * floor is above the first retry waits, so a device that keeps winning pauses longer than the
   * device that just lost needs before its retry: contending devices take turns.
   */
  #recordContention(conversationId: string, lostRace: boolean, foreign: boolean): void {
    if (this.#contentionMaxMs <= 0) return;
    const cur = this.#contention.get(conversationId) ?? 0;
    const floor = Math.min(CONTENTION_FLOOR_MS, this.#contentionMaxMs);
    let next: number;
    if (lostRace) next = Math.min(this.#contentionMaxMs, Math.max(floor, cur * 2));
    else if (foreign) next = Math.max(cur, floor);
    else next = cur / 2 < 25 ? 0 : cur / 2;
    if (next === 0) this.#contention.delete(conversationId);
    else this.#contention.set(conversationId, next);
  }

  /** One group-commit write for a conversation: lock → write → index/compaction follow-ups. */
  async #commitConversation(conversationId: string, items: Item[]): Promise<Settled<StorageResult>[]> {
    const ops = items.map((i) => i.op as Op);
    const encrypted = items[0]?.target === 'conversation' ? items[0].encrypted : this.#encrypted;
    const keys = this.#keysFor(conversationId);
    let outcome: WriteOutcome;
    try {
      outcome = await this.#locks.runExclusive(
        conversationId,
        () => this.#crossTab.withLock(keys.name, () => this._saveConversationInternal(conversationId, ops, encrypted)),
        { label: `commit ${ops.length} op(s)` },
      );
    } catch (error) {
      this.#recordContention(conversationId, error instanceof RevisionConflictError, false);
      this.#metrics.add(conversationId, 'failures');
      this.#events.emit('error', { conversationId, error, during: ops.every((o) => o.kind === 'compact') ? 'compaction' : 'commit', operations: ops.length });
      throw error;
    }
    const { applied, before, result } = outcome;
    const foreign = this.#lastOwnRevision.has(conversationId) && before.revision > this.#lastOwnRevision.get(conversationId)!;
    if (outcome.wrote) this.#lastOwnRevision.set(conversationId, result.revision);
    this.#recordContention(conversationId, result.attempts > 1, foreign);
    if (outcome.wrote && applied) {
      this.#crossTab.announce(keys.name, result.revision);
      const existenceChanged = before.exists !== applied.exists || (applied.reset && applied.exists);
      if (existenceChanged || applied.titleChanged || this.#indexDirty.has(conversationId)) {
        // Awaited for the callers of this write (list visibility), but the conversation is already durable.
        await this.#updateIndex(conversationId, applied, result.revision);
      }
      if (outcome.head) this.#maybeCompact(conversationId, outcome.head);
    }
    for (const e of outcome.opErrors) {
      // A refused operation fails only its own promise, but fire-and-forget callers learn of it
      // only here: every failure reaches 'error' (issue 5), not just whole-write failures.
      if (e) this.#events.emit('error', { conversationId, error: e, during: 'commit', operations: 1 });
      if (e instanceof RevisionConflictError && e.expectedRevision !== undefined) {
        this.#metrics.add(conversationId, 'conflicts');
        this.#events.emit('conflict', {
          conversationId,
          attempt: 1,
          attemptedRevision: e.expectedRevision + 1,
          currentRevision: before.revision,
          kind: 'expected-revision',
        });
      }
    }
    return outcome.opErrors.map((e) => (e ? { ok: false, error: e } : { ok: true, value: result }));
  }

  /**
   * The ONLY code that writes a conversation. Reads the latest head from the registry (never a
   * cache), applies `ops`, uploads one delta segment + a head, sets revision+1. A lost race waits
   * revisionRetryDelays() and re-reads + re-applies; after the last attempt: RevisionConflictError.
   * Transient faults are the s5 client's job and are not retried again here.
   */
  private async _saveConversationInternal(conversationId: string, ops: Op[], encrypted: boolean): Promise<WriteOutcome> {
    const keys = this.#keysFor(conversationId);
    const delays = revisionRetryDelays(this.#retry);
    const maxAttempts = delays.length + 1;
    const userOps = ops.filter((o) => o.kind !== 'compact').length;
    let bytesUploaded = 0;
    // The delta segment of an earlier attempt: reused when the re-applied delta is identical.
    let uploaded: { hash: string; ref: SegmentRef; byId: Map<string, Message>; reset: boolean } | undefined;
    for (let attempt = 1; ; attempt++) {
      const entry = await this.#registryGet(conversationId, keys);
      const { state } = await this.#reader.read(conversationId, keys, entry);
      const applied = applyOps(state, ops, { deviceId: this.#deviceId, limits: this.#limits, newEpoch: uuidv7 });
      const base = { conversationId, encrypted, bytesUploaded, attempts: attempt, batchSize: ops.length };
      if (!applied.changed) {
        if (this.#isBehind(conversationId, state.revision)) {
          // "Nothing to do" judged on an entry older than one we already saw is not an answer: it
          // resolves nothing. Treat it as a lost race (same schedule, same give-up), re-read and retry.
          const stale = new RevisionTooLowError({ attemptedRevision: state.revision + 1, currentRevision: this.#seenRevision.get(conversationId)! });
          await this.#onRegistrySetError(conversationId, stale, attempt, maxAttempts, delays, state.revision);
          continue;
        }
        this.#metrics.add(conversationId, 'noops', userOps);
        return {
          result: {
            ...base,
            revision: state.revision,
            messageCount: state.exists ? state.messages.size : 0,
            // nothing stored yet: the mode this write would have used (emptyState's default says nothing)
            encrypted: state.revision > 0 ? state.encrypted : encrypted,
          },
          opErrors: applied.opErrors,
          applied,
          before: state,
          head: null,
          wrote: false,
        };
      }

      // One delta segment with only the new/changed messages (all messages after a reset).
      let segment: { ref: SegmentRef; bytes?: Uint8Array; messages: Message[] } | undefined;
      if (applied.exists && applied.newMessages.length > 0) {
        if (uploaded && uploaded.reset === applied.reset && sameDelta(uploaded.byId, applied.newMessages)) {
          segment = { ref: uploaded.ref, messages: applied.newMessages };
        } else {
          const level = segmentLevel(applied.newMessages.length, this.#compaction.fanout);
          const built = buildSegment(conversationId, applied.newMessages, encrypted ? keys.encryptionKey : null, level);
          segment = { ref: built.ref, bytes: built.bytes, messages: applied.newMessages };
        }
      }
      const segments = segment ? [...applied.segments, segment.ref] : applied.segments;
      const head = this.#buildHead(conversationId, applied, segments, encrypted);
      if (segment && applied.exists) {
        // Inline the new delta when the head still fits one padding block (≤ 4050 bytes of plaintext).
        const withInline: Head = { ...head, inline: { hash: segment.ref.hash, messages: segment.messages } };
        if (utf8ToBytes(JSON.stringify(withInline)).length <= INLINE_HEAD_LIMIT) Object.assign(head, { inline: withInline.inline });
      }
      const headBytes = encodeDocument(head, encrypted ? keys.encryptionKey : null);
      const uploads: Promise<BlobId>[] = [this.#backend.uploadBlob(headBytes)];
      if (segment?.bytes) uploads.push(this.#backend.uploadBlob(segment.bytes));
      const [headId] = await Promise.all(uploads);
      const attemptBytes = headBytes.length + (segment?.bytes?.length ?? 0);
      bytesUploaded += attemptBytes;
      this.#metrics.add(conversationId, 'bytesUploaded', attemptBytes);
      if (segment?.bytes) {
        uploaded = { hash: segment.ref.hash, ref: segment.ref, byId: new Map(segment.messages.map((m) => [m.id, m])), reset: applied.reset };
      }

      const next = createRegistryEntry({ keyPair: keys.keyPair, revision: state.revision + 1, data: encodePointer(headId!) });
      this.#metrics.add(conversationId, 'registryWrites');
      try {
        await this.#backend.registrySet(next);
      } catch (error) {
        // While we wait, fetch what the winner wrote (head + new segments) so the re-read after the
        // wait usually finds it cached: the next attempt's read→set window shrinks to ~2 round trips.
        const warm = () => this.#registryGet(conversationId, keys).then((e) => this.#reader.read(conversationId, keys, e));
        await this.#onRegistrySetError(conversationId, error, attempt, maxAttempts, delays, state.revision, warm);
        continue;
      }

      // Durable. Remember what we wrote so the next read downloads nothing.
      this.#sawRevision(conversationId, state.revision + 1);
      const headHash = toBase64Url(headId!.hash);
      this.#reader.remember(conversationId, head, headHash, applied.messages, segment ? { ref: segment.ref, messages: segment.messages } : undefined);
      const revision = state.revision + 1;
      const result: StorageResult = {
        conversationId,
        revision,
        messageCount: applied.exists ? applied.messageCount : 0,
        encrypted,
        bytesUploaded,
        attempts: attempt,
        batchSize: ops.length,
      };
      this.#recordSuccess(conversationId, result, applied, userOps, attempt);
      return { result, opErrors: applied.opErrors, applied, before: state, head, wrote: true };
    }
  }

  /** Conflict → events, metrics, wait, or give up. Anything else → rethrow (not retried here). */
  async #onRegistrySetError(
    conversationId: string,
    error: unknown,
    attempt: number,
    maxAttempts: number,
    delays: number[],
    seenRevision: number,
    warm?: () => Promise<unknown>,
  ): Promise<void> {
    if (!(isS5ChatError(error) && error.code === 'REVISION_TOO_LOW')) throw error;
    const currentRevision = (error as { currentRevision?: number }).currentRevision;
    this.#metrics.add(conversationId, 'conflicts');
    const conflict: StorageEvents['conflict'] = { conversationId, attempt, attemptedRevision: seenRevision + 1, kind: 'revision' };
    if (currentRevision !== undefined) conflict.currentRevision = currentRevision;
    this.#events.emit('conflict', conflict);
    if (attempt >= maxAttempts) {
      if (attempt > 1) this.#metrics.add(conversationId, 'writesRetried');
      const args: ConstructorParameters<typeof RevisionConflictError>[0] = {
        conversationId,
        attempts: attempt,
        lastSeenRevision: currentRevision ?? seenRevision,
        cause: error,
      };
      if (currentRevision !== undefined) args.currentRevision = currentRevision;
      throw new RevisionConflictError(args);
    }
    const delayMs = delays[attempt - 1] ?? 0;
    this.#metrics.add(conversationId, 'retries');
    this.#events.emit('retry', { conversationId, attempt, delayMs, lastSeenRevision: currentRevision ?? seenRevision });
    // Cache warming only: failures are ignored here; the attempt itself re-reads from the registry.
    await Promise.all([this.#sleep(delayMs), warm?.().catch(() => undefined)]);
  }

  #recordSuccess(conversationId: string, result: StorageResult, applied: ApplyResult, userOps: number, attempt: number): void {
    const m = this.#metrics;
    if (userOps > 0) {
      m.add(conversationId, 'writes');
      m.add(conversationId, 'operationsCommitted', userOps);
    }
    if (applied.compacted > 0) m.add(conversationId, 'compactions');
    m.add(conversationId, 'attempts', attempt);
    if (attempt > 1) {
      m.add(conversationId, 'writesRetried');
      m.add(conversationId, 'writesRetriedOk');
    }
    const merged = attempt > 1 || applied.keptForeignMessages;
    if (merged) {
      m.add(conversationId, 'merges');
      this.#events.emit('merged', {
        conversationId,
        revision: result.revision,
        attempt,
        reason: attempt > 1 ? 'reapplied' : 'foreign-messages',
      });
    }
    this.#events.emit('saved', { ...result, kind: userOps > 0 ? 'commit' : 'compaction' });
  }

  #buildHead(conversationId: string, a: ApplyResult, segments: SegmentRef[], encrypted: boolean): Head {
    const head: Head = {
      v: HEAD_VERSION,
      type: 's5chat.head',
      conversationId,
      epoch: a.epoch,
      encrypted,
      metadata: a.exists ? a.metadata.values : {},
      metadataClock: a.exists ? a.metadata.clocks : {},
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
      segments: a.exists ? segments : [],
      messageCount: a.exists ? a.messageCount : 0,
      contentHash: toBase64Url(blake3(concatBytes(...(a.exists ? segments : []).map((s) => fromBase64Url(s.hash, 'segment.hash'))))),
      writer: this.#deviceId,
    };
    if (a.deleted) {
      head.deleted = true;
      if (a.deletedAt !== undefined) head.deletedAt = a.deletedAt;
    }
    return head;
  }

  // ---- compaction (maintenance, never in the ack path) ----------------------------------------------

  #maybeCompact(conversationId: string, head: Head): void {
    if (!this.#compaction.enabled || head.deleted || this.#compacting.has(conversationId) || this.#closed) return;
    const plan = planCompaction(head.segments, this.#compaction);
    if (!plan) return;
    this.#compacting.add(conversationId);
    const task = (async () => {
      const keys = this.#keysFor(conversationId);
      const wanted = new Set(plan);
      const refs = head.segments.filter((s) => wanted.has(s.hash));
      const lists = await this.#reader.segmentMessages(conversationId, keys, refs);
      const merged = mergeMessageLists(...lists);
      const level = Math.max(segmentLevel(merged.length, this.#compaction.fanout), ...refs.map((r) => r.level + 1));
      // Plaintext only if every merged segment was plaintext: a later plaintext write must not make
      // compaction rewrite messages that were stored encrypted in the clear.
      const encrypt = head.encrypted || !this.#reader.allPlaintext(refs);
      const built = buildSegment(conversationId, merged, encrypt ? keys.encryptionKey : null, level);
      await this.#backend.uploadBlob(built.bytes);
      this.#metrics.add(conversationId, 'bytesUploaded', built.bytes.length);
      this.#reader.rememberSegment(built.ref, merged, encrypt);
      // The swap is an operation like any other: re-applied on re-read, skipped if A,B,C are gone.
      await this.#committer.submit(
        conversationId,
        { target: 'conversation', op: { kind: 'compact', epoch: head.epoch, replace: plan, with: built.ref }, encrypted: head.encrypted },
        { lazy: true },
      );
    })()
      .catch((error: unknown) => {
        this.#events.emit('error', { conversationId, error, during: 'compaction', operations: 1 });
      })
      .finally(() => {
        this.#compacting.delete(conversationId);
        this.#maintenance.delete(task);
      });
    this.#maintenance.add(task);
  }

  // ---- the conversation index -----------------------------------------------------------------------

  async #updateIndex(conversationId: string, a: ApplyResult, revision: number): Promise<void> {
    const op: IndexOp = { id: conversationId, revision, exists: a.exists, createdAt: a.createdAt, updatedAt: a.updatedAt };
    const title = a.metadata.values.title;
    if (a.exists && typeof title === 'string') op.title = title;
    try {
      await this.#committer.submit(INDEX_KEY, { target: 'index', op });
      this.#indexDirty.delete(conversationId);
    } catch (error) {
      // The conversation itself is durable; the list entry is repaired in the background (and
      // with the conversation's next write).
      this.#indexDirty.add(conversationId);
      this.#events.emit('error', { conversationId, error, during: 'index', operations: 1 });
      this.#scheduleIndexRepair();
    }
  }

  /**
   * Re-derive list entries of conversations whose index update failed, from their stored state, a
   * few times with growing pauses. Maintenance: tracked by flush(), failures go to 'error'.
   */
  #scheduleIndexRepair(): void {
    if (this.#indexRepair || this.#closed) return;
    const task = (async () => {
      for (let round = 1; round <= 3 && this.#indexDirty.size > 0; round++) {
        await this.#sleep(500 * round);
        for (const id of [...this.#indexDirty]) {
          const keys = this.#keysFor(id);
          const { state } = await this.#reader.read(id, keys, await this.#registryGet(id, keys));
          const op: IndexOp = { id, revision: state.revision, exists: state.exists, createdAt: state.createdAt, updatedAt: state.updatedAt };
          const title = state.metadata.values.title;
          if (state.exists && typeof title === 'string') op.title = title;
          try {
            await this.#committer.submit(INDEX_KEY, { target: 'index', op });
            this.#indexDirty.delete(id);
          } catch {
            // try again next round
          }
        }
      }
      if (this.#indexDirty.size > 0) throw new Error(`index entries still stale: ${[...this.#indexDirty].join(', ')}`);
    })()
      .catch((error: unknown) => this.#events.emit('error', { conversationId: INDEX_KEY, error, during: 'index', operations: this.#indexDirty.size }))
      .finally(() => {
        this.#indexRepair = undefined;
        this.#maintenance.delete(task);
      });
    this.#indexRepair = task;
    this.#maintenance.add(task);
  }

  #indexKeysOnce(): DocumentKeys {
    this.#indexKeys ??= deriveIndexKeys(this.#identity);
    return this.#indexKeys;
  }

  async #readIndex(): Promise<{ entries: IndexEntry[]; revision: number }> {
    const keys = this.#indexKeysOnce();
    // Same monotonic floor as conversations ('#index' cannot be a conversation id).
    const entry = await this.#registryGet(INDEX_KEY, keys);
    if (!entry) return { entries: [], revision: 0 };
    const pointer = decodePointer(entry.data, 'the conversation index');
    const hash = toBase64Url(pointer.hash);
    const cached = this.#indexHeads.get(hash);
    if (cached) return { entries: cached, revision: entry.revision };
    let bytes: Uint8Array;
    try {
      bytes = await this.#backend.downloadBlob(pointer);
    } catch (e) {
      if (isS5ChatError(e) && e.code === 'NOT_FOUND') throw new DataMissingError('#index', 'index', pointer.toString(), e);
      throw e;
    }
    const { doc } = decodeDocument(bytes, keys.encryptionKey, 'conversation index');
    const entries = parseIndex(doc);
    this.#indexHeads.set(hash, entries, bytes.length);
    return { entries, revision: entry.revision };
  }

  /** Revision-safe write of the index: same loop and schedule as conversations. */
  async #commitIndex(items: Item[]): Promise<Settled<StorageResult>[]> {
    const ops = items.map((i) => i.op as IndexOp);
    const result = await this.#locks.runExclusive(INDEX_KEY, async () => {
      const keys = this.#indexKeysOnce();
      const delays = revisionRetryDelays(this.#retry);
      let bytesUploaded = 0;
      for (let attempt = 1; ; attempt++) {
        const { entries, revision } = await this.#readIndex();
        const next = applyIndexOps(entries, ops);
        const base = { conversationId: INDEX_KEY, messageCount: 0, encrypted: this.#encrypted, attempts: attempt, batchSize: ops.length };
        if (!next.changed) return { ...base, revision, bytesUploaded };
        const bytes = encodeDocument(
          { v: 1, type: 's5chat.index', encrypted: this.#encrypted, entries: next.entries },
          this.#encrypted ? keys.encryptionKey : null,
        );
        const id = await this.#backend.uploadBlob(bytes);
        bytesUploaded += bytes.length;
        this.#metrics.add('', 'bytesUploaded', bytes.length);
        this.#metrics.add('', 'registryWrites');
        try {
          await this.#backend.registrySet(createRegistryEntry({ keyPair: keys.keyPair, revision: revision + 1, data: encodePointer(id) }));
        } catch (error) {
          await this.#onRegistrySetError(INDEX_KEY, error, attempt, delays.length + 1, delays, revision);
          continue;
        }
        this.#sawRevision(INDEX_KEY, revision + 1);
        this.#indexHeads.set(toBase64Url(id.hash), next.entries, bytes.length);
        const r = { ...base, revision: revision + 1, bytesUploaded };
        this.#events.emit('saved', { ...r, kind: 'index' });
        return r;
      }
    });
    return ops.map(() => ({ ok: true, value: result }));
  }
}

function liveSnapshot(state: ConversationState) {
  const { revision, exists, deleted, messages } = state;
  return { revision, exists, deleted, messages, metadata: state.metadata.values };
}

function sameDelta(previous: Map<string, Message>, delta: Message[]): boolean {
  if (previous.size !== delta.length) return false;
  for (const m of delta) {
    const p = previous.get(m.id);
    if (!p || !sameMessage(p, m)) return false;
  }
  return true;
}

function encodeCursor(updatedAt: number, id: string): string {
  return toBase64Url(utf8ToBytes(JSON.stringify([updatedAt, id])));
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const v: unknown = JSON.parse(bytesToUtf8(fromBase64Url(cursor, 'cursor')));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through to the typed error
  }
  throw new ValidationError([{ path: 'options.cursor', message: 'not a cursor returned by listConversations' }]);
}
