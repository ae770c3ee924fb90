/**
 * The conversation list (`listConversations`): one document under its own registry key, written
 * through the same revision-safe loop as conversations, only on create, delete and title change.
 *
 * With `listUpdate: 'follow'` the list entry FOLLOWS the conversation write, off its
 * acknowledgement: a message is durable once the conversation's head is set, and waiting for a
 * second registry write in series (for a new conversation: list read + upload + set) doubles a new
 * chat's first ack. (Default 'with-write': the write's callers wait for the entry, as before.)
 * What keeps the list honest with 'follow':
 *  - this manager reads its own writes: `list()` (and so `watchConversations`) waits for the
 *    updates it has started, and `flush()`/`close()` wait for them (maintenance);
 *  - other devices see the entry once the update lands (typically one or two round trips after
 *    the ack); until then they find the conversation by id, not yet in their list;
 *  - an update that fails marks the entry dirty: repaired in the background and with the
 *    conversation's next write;
 *  - a process that dies between the ack and the list write leaves a durable conversation missing
 *    from the list: the next write to it by any manager that has read the list repairs it
 *    (`isDirty` is also true for an id the list it last read or wrote does not hold).
 */
import { bytesToUtf8, createRegistryEntry, fromBase64Url, isS5ChatError, revisionRetryDelays, toBase64Url, utf8ToBytes, ValidationError } from '@s5chat/s5';
import { DataMissingError } from '../errors.js';
import type { GroupCommitter, Settled } from '../group-commit.js';
import { LruCache } from '../layout/cache.js';
import { decodeDocument, encodeDocument } from '../layout/codec.js';
import { applyIndexOps, parseIndex, type IndexEntry, type IndexOp } from '../layout/index-doc.js';
import { decodePointer, deriveIndexKeys, encodePointer, type DocumentKeys, type SeedDeriver } from '../layout/keys.js';
import type { KeyedMutex } from '../concurrency/keyed-mutex.js';
import type { MaintenanceTracker } from '../maintenance/tracker.js';
import type { ApplyResult, ConversationState } from '../ops.js';
import { ListOptionsSchema, parseOrThrow, type ConversationSummary, type ListOptions, type StorageResult } from '../schemas.js';
import { onRegistrySetError } from '../write/conflicts.js';
import { INDEX_KEY, type Item, type WriteDeps } from '../write/types.js';

export interface ConversationIndexDeps extends WriteDeps {
  identity: SeedDeriver;
  encrypted: boolean;
  locks: KeyedMutex;
  committer: () => GroupCommitter<Item, StorageResult>;
  maintenance: MaintenanceTracker;
  /** listUpdate 'with-write' (the default): `update` resolves once the entry is stored; false: at once. */
  awaitUpdates?: boolean;
}

/** The list entry a conversation's state implies. */
export function indexOpFor(id: string, s: Pick<ApplyResult | ConversationState, 'exists' | 'createdAt' | 'updatedAt' | 'metadata'>, revision: number): IndexOp {
  const op: IndexOp = { id, revision, exists: s.exists, createdAt: s.createdAt, updatedAt: s.updatedAt };
  const title = s.metadata.values.title;
  if (s.exists && typeof title === 'string') op.title = title;
  return op;
}

export class ConversationIndex {
  readonly #d: ConversationIndexDeps;
  readonly #heads = new LruCache<{ entries: IndexEntry[]; encrypted: boolean }>(8 * 1024 * 1024);
  readonly #dirty = new Set<string>();
  /** List updates started and not settled yet (list() waits for them: read-your-writes). */
  readonly #pending = new Set<Promise<void>>();
  /** Ids of the list as this manager last read or wrote it (undefined: not read yet). */
  #known: Set<string> | undefined;
  #keys?: DocumentKeys;
  #repair?: Promise<void>;

  constructor(deps: ConversationIndexDeps) {
    this.#d = deps;
  }

  /** The entry needs a write: its last update failed, or the list this manager holds lacks it. */
  isDirty(conversationId: string): boolean {
    if (this.#dirty.has(conversationId)) return true;
    // 'follow' only: an ack no longer implies a stored entry, so a missing one is repaired here.
    return !this.#d.awaitUpdates && this.#known !== undefined && !this.#known.has(conversationId);
  }

  /**
   * Start the update of `conversationId`'s entry after a write and return at once: the write's
   * callers do not wait for it (see the module comment; `awaitUpdates` waits). Failures mark it
   * dirty (never thrown).
   */
  update(conversationId: string, a: ApplyResult | ConversationState, revision: number): Promise<void> {
    const op = indexOpFor(conversationId, a, revision);
    this.#known?.add(conversationId); // being written: not "missing" for the next write meanwhile
    const task = this.#d.committer().submit(INDEX_KEY, { target: 'index', op }).then(
      () => {
        this.#dirty.delete(conversationId);
      },
      (error: unknown) => {
        this.#dirty.add(conversationId);
        this.#d.events.emit('error', { conversationId, error, during: 'index', operations: 1 });
        this.#scheduleRepair();
      },
    );
    this.#pending.add(task);
    void task.finally(() => this.#pending.delete(task));
    this.#d.maintenance.track(task);
    return this.#d.awaitUpdates ? task : Promise.resolve();
  }

  /** Resolves when every list update started so far has settled. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Re-derive list entries of conversations whose index update failed, from their stored state, a
   * few times with growing pauses. Maintenance: tracked by flush(), failures go to 'error'.
   */
  #scheduleRepair(): void {
    const d = this.#d;
    if (this.#repair || d.maintenance.closed) return;
    const task = (async () => {
      for (let round = 1; round <= 3 && this.#dirty.size > 0; round++) {
        await d.sleep(500 * round);
        for (const id of [...this.#dirty]) {
          const keys = d.registry.keysFor(id);
          const { state } = await d.reader.read(id, keys, await d.registry.get(id, keys));
          try {
            await d.committer().submit(INDEX_KEY, { target: 'index', op: indexOpFor(id, state, state.revision) });
            this.#dirty.delete(id);
          } catch {
            // try again next round
          }
        }
      }
      if (this.#dirty.size > 0) throw new Error(`index entries still stale: ${[...this.#dirty].join(', ')}`);
    })()
      .catch((error: unknown) => d.events.emit('error', { conversationId: INDEX_KEY, error, during: 'index', operations: this.#dirty.size }))
      .finally(() => {
        this.#repair = undefined;
      });
    this.#repair = task;
    d.maintenance.track(task);
  }

  #keysOnce(): DocumentKeys {
    this.#keys ??= deriveIndexKeys(this.#d.identity);
    return this.#keys;
  }

  /** The stored list; `encrypted` = how it is stored (false when there is none yet). */
  async read(forWriteAttempt?: number): Promise<{ entries: IndexEntry[]; revision: number; encrypted: boolean; guessed: boolean }> {
    const d = this.#d;
    const keys = this.#keysOnce();
    // Same monotonic floor as conversations; a write may start from the entry known to be current.
    const { entry, guessed } = forWriteAttempt === undefined
      ? { entry: await d.registry.get(INDEX_KEY, keys), guessed: false }
      : await d.registry.forWrite(INDEX_KEY, keys, forWriteAttempt);
    if (!entry) {
      if (!guessed) this.#know([]);
      return { entries: [], revision: 0, encrypted: false, guessed };
    }
    const pointer = decodePointer(entry.data, 'the conversation index');
    const hash = toBase64Url(pointer.hash);
    const cached = this.#heads.get(hash);
    if (cached) {
      this.#know(cached.entries);
      return { ...cached, revision: entry.revision, guessed };
    }
    let bytes: Uint8Array;
    try {
      bytes = await d.backend.downloadBlob(pointer);
    } catch (e) {
      if (isS5ChatError(e) && e.code === 'NOT_FOUND') throw new DataMissingError('#index', 'index', pointer.toString(), e);
      throw e;
    }
    const { doc, encrypted } = decodeDocument(bytes, keys.encryptionKey, 'conversation index');
    const entries = parseIndex(doc);
    this.#heads.set(hash, { entries, encrypted }, bytes.length);
    this.#know(entries);
    return { entries, revision: entry.revision, encrypted, guessed };
  }

  #know(entries: IndexEntry[]): void {
    this.#known = new Set(entries.map((e) => e.id));
  }

  /** Conversations, most recently updated first (keyset pagination on (updatedAt, id)). */
  async list(options: ListOptions): Promise<{ items: ConversationSummary[]; nextCursor?: string }> {
    const o = parseOrThrow(ListOptionsSchema, options, 'options');
    const limit = o.limit ?? 50;
    await this.settled(); // this manager's own list updates are visible to its own reads
    const { entries } = await this.read();
    const live = entries
      .filter((e) => !e.deleted)
      .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let start = 0;
    if (o.cursor !== undefined) {
      const [t, id] = decodeCursor(o.cursor);
      // First entry strictly after (t, id) in the list order — stable under inserts.
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

  /** Revision-safe write of the index: same loop and schedule as conversations. */
  async commit(items: Item[]): Promise<Settled<StorageResult>[]> {
    const d = this.#d;
    const ops = items.map((i) => i.op as IndexOp);
    const result = await d.locks.runExclusive(INDEX_KEY, async () => {
      const keys = this.#keysOnce();
      const delays = revisionRetryDelays(d.retry);
      let bytesUploaded = 0;
      for (let attempt = 1; ; attempt++) {
        const stored = await this.read(attempt);
        const { entries, revision, guessed } = stored;
        const next = applyIndexOps(entries, ops);
        // A list stored encrypted stays encrypted, whatever this device's mode: it names every
        // conversation, including those created encrypted elsewhere.
        const encrypted = d.encrypted || stored.encrypted;
        const base = { conversationId: INDEX_KEY, messageCount: 0, encrypted, attempts: attempt, batchSize: ops.length };
        if (!next.changed && guessed) {
          d.registry.doubt(INDEX_KEY); // "nothing to do" is an answer only from a real read
          attempt--;
          continue;
        }
        if (!next.changed) return { ...base, revision, bytesUploaded };
        const bytes = encodeDocument({ v: 1, type: 's5chat.index', encrypted, entries: next.entries }, encrypted ? keys.encryptionKey : null);
        const id = await d.backend.uploadBlob(bytes);
        bytesUploaded += bytes.length;
        d.metrics.add('', 'bytesUploaded', bytes.length);
        d.metrics.add('', 'registryWrites');
        const entry = createRegistryEntry({ keyPair: keys.keyPair, revision: revision + 1, data: encodePointer(id) });
        try {
          await d.backend.registrySet(entry);
        } catch (error) {
          if (guessed) d.registry.missedGuess(INDEX_KEY); // the skipped read was wrong: normal lost-race path
          await onRegistrySetError(d, error, { conversationId: INDEX_KEY, attempt, maxAttempts: delays.length + 1, delays, seenRevision: revision });
          continue;
        }
        d.registry.wrote(INDEX_KEY, entry);
        this.#heads.set(toBase64Url(id.hash), { entries: next.entries, encrypted }, bytes.length);
        this.#know(next.entries);
        const r = { ...base, revision: revision + 1, bytesUploaded };
        d.events.emit('saved', { ...r, kind: 'index' });
        return r;
      }
    });
    return ops.map(() => ({ ok: true, value: result }));
  }
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
