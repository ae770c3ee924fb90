/**
 * StorageManager: revision-safe conversation storage on S5. This file is the façade: the public
 * API and the wiring of collaborators that each do one job.
 *
 * Follow one appendMessage: validate (write/intake.ts) → an `append` operation (ops.ts) is queued
 * per conversation (group-commit.ts, paced by write/pacing.ts) → the leader takes every queued
 * operation and runs write/conversation-writer.ts: lock (concurrency/) → `_saveConversationInternal`
 * (registry read with a monotonic floor, read/registry-view.ts → head + segments, layout/reader.ts →
 * applyOps → upload delta segment + head → registry set revision+1; a lost race waits and
 * re-applies, write/conflicts.ts) → list entry (list/conversation-index.ts) and compaction
 * (maintenance/compactor.ts) follow. Every caller gets the StorageResult of the write that carried
 * its operation.
 */
import { uuidv7 } from './util/uuidv7.js';
import { revisionRetryDelays, sleep as s5sleep, ValidationError } from '@s5chat/s5';
import { KeyedMutex, type LockInfo } from './concurrency/keyed-mutex.js';
import { createCrossTab, type CrossTabCoordinator } from './concurrency/cross-tab.js';
import { ClosedError } from './errors.js';
import { Emitter, type StorageEvents } from './events.js';
import { GroupCommitter } from './group-commit.js';
import { DEFAULT_COMPACTION } from './layout/compaction.js';
import { ConversationReader } from './layout/reader.js';
import { copyMessages } from './read/copy.js';
import { ConversationIndex } from './list/conversation-index.js';
import { Compactor } from './maintenance/compactor.js';
import { MaintenanceTracker } from './maintenance/tracker.js';
import { sortMessages } from './merge.js';
import { MetricsRecorder, type Metrics } from './metrics.js';
import { LiveHub, liveSnapshot, type ConversationsWatchEvent, type WatchEvent, type WatchOptions } from './live/index.js';
import type { Op } from './ops.js';
import { Outbox, createOutboxStore, outboxOwner } from './outbox/index.js';
import { DeviceLogs, isLogKeyId, parseKeyId } from './device-logs/device-logs.js';
import { RegistryView } from './read/registry-view.js';
import { FreshIdentity } from './fresh-identity.js';
import { SnapshotBases } from './read/snapshot-bases.js';
import {
  assertConversationId,
  jsonCopy,
  resolveLimits,
  type BaseWriteOptions,
  type MessagePatch,
  type ConversationData,
  type ConversationInput,
  type ConversationSummary,
  type ListOptions,
  type Message,
  type MessageInput,
  type StorageResult,
} from './schemas.js';
import { ConversationWriter } from './write/conversation-writer.js';
import { WriteIntake, opWeight } from './write/intake.js';
import { WritePacer } from './write/pacing.js';
import { INDEX_KEY, MAX_BATCH_BYTES, type Item, type WriteDeps } from './write/types.js';
import type { StorageManagerOptions, WriteOptions } from './storage-options.js';

export type { RetryOptions } from './write/types.js';

export type { StorageManagerOptions, WriteOptions } from './storage-options.js';

export class StorageManager {
  readonly #encrypted: boolean;
  readonly #deviceId: string;
  readonly #locks: KeyedMutex;
  readonly #crossTab: CrossTabCoordinator;
  readonly #committer: GroupCommitter<Item, StorageResult>;
  readonly #reader: ConversationReader;
  readonly #registry: RegistryView;
  readonly #intake: WriteIntake;
  readonly #bases = new SnapshotBases();
  readonly #index: ConversationIndex;
  readonly #maintenance = new MaintenanceTracker();
  readonly #metrics = new MetricsRecorder();
  readonly #events = new Emitter<StorageEvents>();
  readonly #live: LiveHub;
  readonly #outbox: Outbox | null;
  readonly #logs: DeviceLogs;
  #closed = false;

  constructor(opts: StorageManagerOptions) {
    if (!opts || !opts.backend) throw new ValidationError([{ path: 'backend', message: 'an S5Backend is required' }]);
    if (!opts.identity || typeof opts.identity.deriveSeed !== 'function') {
      throw new ValidationError([{ path: 'identity', message: 'expected an S5Identity (deriveSeed)' }]);
    }
    const backend = opts.backend;
    this.#encrypted = (opts.encryption ?? 'on') !== 'off';
    this.#deviceId = opts.deviceId ?? uuidv7();
    const limits = resolveLimits(opts.limits);
    const retry = opts.retry ?? {};
    revisionRetryDelays(retry); // validate early: a bad retry config is a ValidationError now, not later
    const pr = retry.progressRetries;
    if (pr !== undefined && !(Number.isInteger(pr) && pr >= 0 && pr <= 32)) {
      throw new ValidationError([{ path: 'retry.progressRetries', message: 'expected an integer in 0..32' }]);
    }
    const sleep = opts.sleep ?? ((ms: number) => s5sleep(ms));
    // Whole milliseconds: stored timestamps are integers, and a fractional `now` must not make
    // acknowledged messages unreadable.
    const rawNow = opts.now ?? Date.now;
    const now = () => Math.floor(rawNow());
    const compaction = { ...DEFAULT_COMPACTION, ...(opts.compaction ?? {}), enabled: opts.compaction?.enabled ?? true };
    this.#intake = new WriteIntake(limits, now);
    this.#locks = new KeyedMutex({
      timeoutMs: opts.lockTimeoutMs,
      now,
      onAcquired: (key, ms) => this.#metrics.lockWait(key === INDEX_KEY ? '' : key, ms),
    });
    const fresh = new FreshIdentity(opts.freshIdentity === true, opts.onFreshIdentityUsed);
    this.#registry = new RegistryView(backend, opts.identity, { guess: opts.readBeforeWrite !== 'always', fresh });
    this.#crossTab =
      opts.crossTab === false
        ? createCrossTab({ locks: null, createChannel: null, instanceId: this.#deviceId })
        : createCrossTab({ ...(opts.crossTab ?? {}), instanceId: uuidv7() });
    this.#crossTab.onAnnouncement((a) => {
      // A device log's announcement is its conversation's (watchers re-read the merged state).
      const keyId = this.#registry.idForKeyName(a.key);
      if (keyId) this.#registry.observed(keyId, a.revision);
      const conversationId = keyId && parseKeyId(keyId).conversationId;
      if (conversationId) this.#events.emit('remote', { conversationId, revision: a.revision });
    });
    const readerOpts: ConstructorParameters<typeof ConversationReader>[0] = {
      backend,
      onDownload: (id, bytes) => this.#metrics.add(id, 'bytesDownloaded', bytes),
    };
    if (opts.readConcurrency !== undefined) readerOpts.readConcurrency = opts.readConcurrency;
    if (opts.cacheBytes !== undefined) readerOpts.cacheBytes = opts.cacheBytes;
    this.#reader = new ConversationReader(readerOpts);
    this.#logs = new DeviceLogs({ registry: this.#registry, reader: this.#reader, option: opts.deviceLogs, deviceId: this.#deviceId });

    const deps: WriteDeps = {
      backend,
      registry: this.#registry,
      reader: this.#reader,
      metrics: this.#metrics,
      events: this.#events,
      retry,
      sleep,
      deviceId: this.#deviceId,
      limits,
    };
    const committer = () => this.#committer;
    this.#index = new ConversationIndex({
      ...deps,
      identity: opts.identity,
      encrypted: this.#encrypted,
      locks: this.#locks,
      committer,
      maintenance: this.#maintenance,
      awaitUpdates: opts.listUpdate !== 'follow',
    });
    const compactor = new Compactor({ ...deps, policy: compaction, committer, maintenance: this.#maintenance });
    const pacer = new WritePacer({
      lingerMs: opts.lingerMs ?? 0,
      busyLingerMs: opts.busyLingerMs ?? 200,
      contentionMaxMs: opts.contentionBackoffMaxMs ?? 2000,
      random: opts.retry?.random ?? Math.random,
      now: rawNow,
    });
    const writer = new ConversationWriter({
      ...deps,
      locks: this.#locks,
      crossTab: this.#crossTab,
      pacer,
      compaction,
      // Device logs are not conversations: the list follows their main heads only.
      updateIndex: (id, applied, revision) => (isLogKeyId(id) ? Promise.resolve() : this.#index.update(id, applied, revision)),
      indexDirty: (id) => !isLogKeyId(id) && this.#index.isDirty(id),
      logOps: this.#logs.foldOps(now),
      maybeCompact: (id, head) => compactor.maybeCompact(id, head),
    });
    this.#committer = new GroupCommitter<Item, StorageResult>({
      commit: (key, items) => (key === INDEX_KEY ? this.#index.commit(items) : writer.commit(key, items)),
      fullBatch: 8, // a busy linger exists to grow batches; eight queued ops already make one worth writing
      lingerFor: (key, busy) => (key === INDEX_KEY ? 0 : pacer.lingerFor(key, busy)),
      lazyDelayMs: opts.compaction?.idleMs ?? 500,
      sleep,
      batchKey: (item) => (item.target === 'conversation' ? (item.encrypted ? 'enc' : 'plain') : 'index'),
      weight: (item) => (item.target === 'conversation' ? item.weight : 0),
      maxBatchWeight: MAX_BATCH_BYTES,
      onDepth: (key, d) => {
        if (key !== INDEX_KEY) this.#metrics.queueDepth(key, d);
      },
    });
    this.#live = new LiveHub({
      ...opts.live,
      backend,
      identity: opts.identity,
      readEntry: (id, publicKey) => this.#registry.get(id, { keyPair: { publicKey } }),
      observed: (id, entry) => this.#registry.observed(id, entry.revision),
      read: async (id, entry) => {
        const { state: main, head } = await this.#reader.read(id, this.#registry.keysFor(id), entry);
        const merged = await this.#logs.read(id, main);
        return liveSnapshot(merged.state, head, merged);
      },
      deviceId: this.#deviceId,
      list: async () => (await this.listConversations({ limit: 1000 })).items,
      on: (event, fn) => this.#events.on(event, fn),
      onError: (conversationId, error) => this.#events.emit('error', { conversationId, error, during: 'watch', operations: 0 }),
    });
    this.#outbox = Outbox.create(createOutboxStore(opts.outbox, opts.outboxDir), {
      owner: outboxOwner(opts.identity),
      send: (r) => this.#send(r.conversationId, { target: 'conversation', op: r.op, encrypted: r.encrypted, weight: opWeight(r.op) }),
      onEvent: (e) => this.#events.emit('outbox', e),
      retry: opts.outboxRetry,
    });
  }

  get deviceId(): string {
    return this.#deviceId;
  }

  /** Still treating the identity as new (`freshIdentity`): unknown keys are not read. */
  get freshIdentity(): boolean {
    return this.#registry.fresh.active;
  }

  // ---- public writes ---------------------------------------------------------------------------

  /**
   * An id for a NEW conversation (uuidv7). Nobody else can hold its registry key yet, so its first
   * write goes to revision 1 without reading the registry first (on a Dart portal that read of a
   * missing key waits ≈2 s); were the guess ever wrong, one rejected set and the normal retry follow.
   */
  newConversationId(): string {
    const id = uuidv7();
    this.#registry.markFresh(id);
    return id;
  }

  /**
   * Append one message (creates the conversation if absent). Idempotent by message id: appending
   * the same message again changes nothing. Resolves once the write carrying it is durable.
   */
  appendMessage(conversationId: string, message: MessageInput, options?: BaseWriteOptions): Promise<StorageResult & { message: Message }> {
    return this.#guard(async () => {
      const { id, op, message: m } = this.#intake.append(conversationId, message, options);
      this.#metrics.add(id, 'appends');
      const result = await this.#submitAppend(id, op);
      return { ...result, message: jsonCopy(m) };
    });
  }

  /** Append several messages in one operation (all or nothing). */
  appendMessages(conversationId: string, messages: MessageInput[], options?: BaseWriteOptions): Promise<StorageResult & { messages: Message[] }> {
    return this.#guard(async () => {
      const { id, op, messages: ms } = this.#intake.appendMany(conversationId, messages, options);
      this.#metrics.add(id, 'appends', ms.length);
      const result = await this.#submitAppend(id, op);
      return { ...result, messages: jsonCopy(ms) };
    });
  }

  /**
   * Edit a stored message (content and/or metadata): a new version stamped above the one this
   * device read, so it wins over it on every device; a deleted message stays deleted
   * (MessageNotFoundError). Resolves once durable.
   */
  editMessage(conversationId: string, messageId: string, patch: MessagePatch, options?: BaseWriteOptions): Promise<StorageResult> {
    return this.#guard(async () => {
      const { id, op } = this.#intake.editMessage(conversationId, messageId, patch, options);
      this.#metrics.add(id, 'edits');
      return this.#submit(id, op);
    });
  }

  /** Delete one message: a tombstone that beats every version of it, on every device. */
  deleteMessage(conversationId: string, messageId: string, options?: BaseWriteOptions): Promise<StorageResult> {
    return this.#guard(async () => {
      const { id, op } = this.#intake.deleteMessage(conversationId, messageId, options);
      this.#metrics.add(id, 'edits');
      return this.#submit(id, op);
    });
  }

  /**
   * Save a whole conversation. 'merge' (default): a loaded snapshot (it carries `revision`) applies
   * what the caller changed since that revision — edits, removed messages, metadata — and keeps
   * what others wrote since; a snapshot without `revision` is a union with what is stored (never
   * deletes messages; metadata keys win only if the snapshot's updatedAt is newer than the stored
   * key). 'fail': only if the stored revision is `expectedRevision` (else RevisionConflictError
   * with currentRevision; nothing written). 'overwrite': replace everything.
   */
  saveConversation(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, this.#encrypted);
  }

  saveConversationEncrypted(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, true);
  }

  /** Store this write in plaintext (marked as such in the head). Only when you mean it. */
  saveConversationPlaintext(conversation: ConversationInput, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#save(conversation, options, false, true);
  }

  /** Patch metadata keys (explicit intent: newer than any stored value of those keys). */
  updateMetadata(conversationId: string, patch: Record<string, unknown>, options: WriteOptions = {}): Promise<StorageResult> {
    return this.#guard(async () => {
      const { id, op } = this.#intake.metadata(conversationId, patch, options);
      this.#metrics.add(id, 'metadataUpdates');
      return this.#submit(id, op);
    });
  }

  /**
   * Delete: writes a tombstone head. Messages acknowledged before the delete are gone by intent;
   * an append that commits after it re-creates the conversation with only the later messages.
   */
  deleteConversation(conversationId: string, options?: BaseWriteOptions): Promise<StorageResult> {
    return this.#guard(async () => {
      const { id, op } = this.#intake.delete(conversationId, options);
      this.#metrics.add(id, 'deletes');
      return this.#submit(id, op);
    });
  }

  // ---- reads -------------------------------------------------------------------------------------

  /** The stored conversation, read from the registry (never a local copy), or null if absent/deleted. */
  async loadConversation(conversationId: string): Promise<(ConversationData & { revision: number; encrypted: boolean }) | null> {
    const id = assertConversationId(conversationId);
    const keys = this.#registry.keysFor(id);
    const entry = await this.#registry.get(id, keys);
    const { state: main } = await this.#reader.read(id, keys, entry);
    // Main head + every device log it lists, merged (revision: the composite of all their revisions).
    const { state } = await this.#logs.read(id, main);
    if (!state.exists) return null;
    this.#bases.remember(id, { revision: state.revision, messages: state.messages, metadata: state.metadata.values });
    const live = [...state.messages.values()].filter((m) => !m.deleted);
    // Copies: an app editing what it loaded must never change what this manager caches or uploads.
    return {
      id,
      messages: copyMessages(sortMessages(live)),
      metadata: jsonCopy(state.metadata.values),
      createdAt: state.createdAt,
      updatedAt: state.updatedAt,
      revision: state.revision,
      encrypted: state.encrypted,
    };
  }

  /** Conversations, most recently updated first (list `updatedAt` moves on create/rename/delete only). */
  listConversations(options: ListOptions = {}): Promise<{ items: ConversationSummary[]; nextCursor?: string }> {
    return this.#index.list(options);
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
    if (this.#closed) throw new ClosedError();
    return this.#live.watch(conversationId, listener, options);
  }

  /** The conversation list, now and whenever another tab or device changes it. Returns the unsubscribe. */
  watchConversations(listener: (e: ConversationsWatchEvent) => void): () => void {
    if (this.#closed) throw new ClosedError();
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
      await this.#maintenance.settled();
    }
  }

  /** Flush, then refuse new writes and release cross-tab resources. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    this.#live.close();
    this.#outbox?.close();
    this.#maintenance.close();
    this.#crossTab.close();
  }

  // ---- internals ------------------------------------------------------------------------------------

  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw new ClosedError();
    return fn();
  }

  #save(conversation: ConversationInput, options: WriteOptions, encrypted: boolean, explicit = false): Promise<StorageResult> {
    return this.#guard(async () => {
      const { id, op, conversation: c } = this.#intake.save(conversation, options);
      let base: ReturnType<SnapshotBases['get']>;
      if (op.kind === 'save' && c.revision !== undefined) {
        base = this.#bases.get(id, c.revision);
        if (base) op.base = base;
      }
      this.#metrics.add(id, 'saves');
      return this.#submit(id, op, encrypted, explicit && !encrypted);
    });
  }

  /** An append: to this device's log when device logs are on (device-logs/router.ts), else to the conversation. */
  #submitAppend(conversationId: string, op: Op & { kind: 'append' }): Promise<StorageResult> {
    if (!this.#logs.router) return this.#submit(conversationId, op);
    return this.#logs.append(
      conversationId,
      op,
      (keyId, o) => this.#submit(keyId, o),
      (id, o) => this.#committer.submit(id, { target: 'conversation', op: o, encrypted: this.#encrypted, weight: 0 }),
    );
  }

  #submit(conversationId: string, op: Op, encrypted = this.#encrypted, explicitPlaintext = false): Promise<StorageResult> {
    const item: Item = { target: 'conversation', op, encrypted, weight: opWeight(op) };
    if (explicitPlaintext) item.explicitPlaintext = true;
    const direct = () => this.#send(conversationId, item);
    return this.#outbox ? this.#outbox.submit(conversationId, op, encrypted, direct) : direct().then((r) => ({ ...r, status: 'durable' as const }));
  }

  /**
   * One attempt at a write: device-log checks first (they may read; composite revisions), then the
   * committer. Part of the attempt — not of intake — so a portal outage during those reads queues
   * the write in the outbox like any other transient failure, and a replay checks again against
   * what is stored then. They fill `base`/`expectedRevision` on a copy: the outbox keeps the op as
   * the caller made it.
   */
  async #send(conversationId: string, item: Extract<Item, { target: 'conversation' }>): Promise<StorageResult> {
    const op = { ...item.op } as Op;
    await this.#logs.prepare(conversationId, op, op.kind === 'save' ? op.base : undefined);
    return this.#committer.submit(conversationId, { ...item, op });
  }
}
