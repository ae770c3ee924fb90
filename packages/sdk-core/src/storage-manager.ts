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
 *
 * The wiring lives next to what it wires: resolve-storage-options.ts (defaults, validation),
 * write/pipeline.ts (list, compactor, pacer, writer, commit queue), concurrency/storage-cross-tab.ts,
 * live/storage-live.ts (watch), read/load-conversation.ts (the load path).
 */
import { uuidv7 } from './util/uuidv7.js';
import { KeyedMutex, type LockInfo } from './concurrency/keyed-mutex.js';
import type { CrossTabCoordinator } from './concurrency/cross-tab.js';
import { createStorageCrossTab } from './concurrency/storage-cross-tab.js';
import { ClosedError } from './errors.js';
import { Emitter, type StorageEvents } from './events.js';
import type { GroupCommitter } from './group-commit.js';
import { ConversationReader } from './layout/reader.js';
import { loadConversation, type LoadedConversation } from './read/load-conversation.js';
import type { ConversationIndex } from './list/conversation-index.js';
import { MaintenanceTracker } from './maintenance/tracker.js';
import { MetricsRecorder, type Metrics } from './metrics.js';
import type { LiveHub, ConversationsWatchEvent, WatchEvent, WatchOptions } from './live/index.js';
import { createStorageLiveHub } from './live/storage-live.js';
import type { Op } from './ops.js';
import { Outbox, createOutboxStore, outboxOwner } from './outbox/index.js';
import { DeviceLogs } from './device-logs/device-logs.js';
import { RegistryView } from './read/registry-view.js';
import { FreshIdentity } from './fresh-identity.js';
import { SnapshotBases } from './read/snapshot-bases.js';
import {
  assertConversationId,
  jsonCopy,
  type BaseWriteOptions,
  type MessagePatch,
  type ConversationInput,
  type ConversationSummary,
  type ListOptions,
  type Message,
  type MessageInput,
  type StorageResult,
} from './schemas.js';
import { WriteIntake, opWeight } from './write/intake.js';
import { createWritePipeline } from './write/pipeline.js';
import { INDEX_KEY, type Item } from './write/types.js';
import type { StorageManagerOptions, WriteOptions } from './storage-options.js';
import { readerOptions, resolveStorageOptions } from './resolve-storage-options.js';

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
    const resolved = resolveStorageOptions(opts);
    const { backend, limits, now } = resolved;
    this.#encrypted = resolved.encrypted;
    this.#deviceId = resolved.deviceId;
    this.#intake = new WriteIntake(limits, now);
    this.#locks = new KeyedMutex({
      timeoutMs: opts.lockTimeoutMs,
      now,
      onAcquired: (key, ms) => this.#metrics.lockWait(key === INDEX_KEY ? '' : key, ms),
    });
    const fresh = new FreshIdentity(opts.freshIdentity === true, opts.onFreshIdentityUsed);
    this.#registry = new RegistryView(backend, opts.identity, { guess: opts.readBeforeWrite !== 'always', fresh });
    this.#crossTab = createStorageCrossTab(opts.crossTab, this.#deviceId, this.#registry, this.#events);
    this.#reader = new ConversationReader(readerOptions(opts, (id, bytes) => this.#metrics.add(id, 'bytesDownloaded', bytes)));
    this.#logs = new DeviceLogs({ registry: this.#registry, reader: this.#reader, option: opts.deviceLogs, deviceId: this.#deviceId });

    const { index, committer } = createWritePipeline(opts, resolved, {
      identity: opts.identity,
      registry: this.#registry,
      reader: this.#reader,
      metrics: this.#metrics,
      events: this.#events,
      locks: this.#locks,
      crossTab: this.#crossTab,
      maintenance: this.#maintenance,
      logs: this.#logs,
    });
    this.#index = index;
    this.#committer = committer;
    this.#live = createStorageLiveHub({
      live: opts.live,
      backend,
      identity: opts.identity,
      registry: this.#registry,
      reader: this.#reader,
      logs: this.#logs,
      events: this.#events,
      deviceId: this.#deviceId,
      list: async () => (await this.listConversations({ limit: 1000 })).items,
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
  loadConversation(conversationId: string): Promise<LoadedConversation | null> {
    const id = assertConversationId(conversationId);
    return loadConversation({ registry: this.#registry, reader: this.#reader, logs: this.#logs, bases: this.#bases }, id);
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
  #send(conversationId: string, item: Extract<Item, { target: 'conversation' }>): Promise<StorageResult> {
    const base = item.op.kind === 'save' ? item.op.base : undefined;
    // Synchronous when there is nothing to check: the committer must see an append in the same
    // tick it was made (pendingWrites(), one write for a same-tick burst).
    if (!this.#logs.needsPrepare(item.op, base)) return this.#committer.submit(conversationId, item);
    const op = { ...item.op } as Op;
    return this.#logs.prepare(conversationId, op, base).then(() => this.#committer.submit(conversationId, { ...item, op }));
  }
}
