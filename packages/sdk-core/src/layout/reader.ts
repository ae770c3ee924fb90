/**
 * Reading a conversation: registry entry → head (cached by hash) → segments (fetched in parallel
 * with bounded concurrency, cached by hash; a segment listed `in: 'head'` is an earlier head whose
 * tail it means) → the head's own tail → message map (cached per conversation and updated
 * incrementally within an epoch). A second load of an unchanged conversation costs the registry
 * read only. "Could not read" is never "empty": a missing blob throws DataMissingError.
 */
import { BlobId, fromBase64Url, isS5ChatError, toBase64Url, type RegistryEntry, type S5Backend } from '@s5chat/s5';
import { DataMissingError, IntegrityError } from '../errors.js';
import { mergeMessageInto } from '../merge.js';
import { emptyState, type ConversationState } from '../ops.js';
import { parseWindow } from '../applied-ops.js';
import type { Message } from '../schemas.js';
import { LruCache, mapLimit } from './cache.js';
import { decodeDocument } from './codec.js';
import { parseHead, type Head, type SegmentRef } from './head.js';
import { decodePointer, type DocumentKeys } from './keys.js';
import { parseSegment } from './segments.js';

export interface ReaderOptions {
  backend: S5Backend;
  /** Parallel segment downloads per load (default 6). */
  readConcurrency?: number;
  /** Byte budget of the segment cache (default 32 MiB). */
  cacheBytes?: number;
  /** Conversations whose decoded message maps are kept (default 64). */
  stateCacheSize?: number;
  onDownload?: (conversationId: string, bytes: number) => void;
}

interface CachedState {
  headHash: string;
  epoch: string;
  applied: Set<string>;
  messages: ReadonlyMap<string, Message>;
}

export interface ReadResult {
  state: ConversationState;
  head: Head | null;
  headHash: string | null;
  /** Bytes of the head blob (a later head may list it as a segment: layout/tail.ts). */
  headSize: number | null;
}

const isNotFound = (e: unknown) => isS5ChatError(e) && e.code === 'NOT_FOUND';

export class ConversationReader {
  readonly #opts: ReaderOptions;
  readonly #heads = new LruCache<Head>(4 * 1024 * 1024);
  readonly #segments: LruCache<Message[]>;
  readonly #states = new Map<string, CachedState>();
  /**
   * Hashes of segments known to be stored in plaintext. Compaction may only write its merged
   * segment in plaintext when every input was plaintext (a later plaintext write must not expose
   * messages that were stored encrypted); unknown ⇒ treated as encrypted.
   */
  readonly #plain = new Set<string>();

  constructor(opts: ReaderOptions) {
    this.#opts = opts;
    this.#segments = new LruCache<Message[]>(opts.cacheBytes ?? 32 * 1024 * 1024);
  }

  async read(conversationId: string, keys: DocumentKeys, entry: RegistryEntry | null): Promise<ReadResult> {
    if (!entry) return { state: emptyState(conversationId), head: null, headHash: null, headSize: null };
    const pointer = decodePointer(entry.data, `"${conversationId}"`);
    const headHash = toBase64Url(pointer.hash);
    const head = await this.#head(conversationId, keys, pointer, headHash);
    const base = {
      conversationId,
      revision: entry.revision,
      epoch: head.epoch,
      encrypted: head.encrypted,
      createdAt: head.createdAt,
      updatedAt: head.updatedAt,
      metadata: { values: head.metadata, clocks: head.metadataClock },
      segments: head.segments,
      appliedOps: parseWindow(head.ops),
      logs: head.logs ?? {},
    };
    if (head.deleted) {
      const state: ConversationState = { ...base, exists: false, deleted: true, messages: new Map(), segments: [] };
      if (head.deletedAt !== undefined) state.deletedAt = head.deletedAt;
      return { state, head, headHash, headSize: pointer.size };
    }
    const messages = await this.#messages(conversationId, keys, head, headHash);
    return { state: { ...base, exists: true, deleted: false, messages }, head, headHash, headSize: pointer.size };
  }

  /** Record what a successful write produced, so the next read needs no download. */
  remember(
    conversationId: string,
    head: Head,
    headHash: string,
    messages: ReadonlyMap<string, Message>,
    segment?: { ref: SegmentRef; messages: Message[] },
    headBytes = 4096,
  ): void {
    this.#heads.set(headHash, head, headBytes);
    this.#markPlain(headHash, !head.encrypted); // a later head may list this one as a segment
    if (segment) {
      this.#segments.set(segment.ref.hash, segment.messages, segment.ref.size);
      this.#markPlain(segment.ref.hash, !head.encrypted); // a write stores its head and delta in one mode
    }
    if (head.deleted) {
      this.#states.delete(conversationId);
      return;
    }
    this.#setState(conversationId, { headHash, epoch: head.epoch, applied: appliedOf(head, headHash), messages });
  }

  rememberSegment(ref: SegmentRef, messages: Message[], encrypted: boolean): void {
    this.#segments.set(ref.hash, messages, ref.size);
    this.#markPlain(ref.hash, !encrypted);
  }

  /** True only when every one of `refs` is known to be stored in plaintext. */
  allPlaintext(refs: SegmentRef[]): boolean {
    return refs.every((r) => this.#plain.has(r.hash));
  }

  #markPlain(hash: string, plain: boolean): void {
    if (!plain) {
      this.#plain.delete(hash);
      return;
    }
    if (this.#plain.size >= 65536) this.#plain.clear(); // bounded; forgetting only means "encrypt"
    this.#plain.add(hash);
  }

  /** Messages of specific segments of a head of `epoch` (for compaction): cached or downloaded. */
  async segmentMessages(conversationId: string, keys: DocumentKeys, refs: SegmentRef[], epoch: string): Promise<Message[][]> {
    return mapLimit(refs, this.#opts.readConcurrency ?? 6, (ref) => this.#segment(conversationId, keys, ref, epoch));
  }

  async #head(conversationId: string, keys: DocumentKeys, pointer: BlobId, headHash: string): Promise<Head> {
    const cached = this.#heads.get(headHash);
    if (cached) return cached;
    let bytes: Uint8Array;
    try {
      bytes = await this.#opts.backend.downloadBlob(pointer);
    } catch (e) {
      if (isNotFound(e)) throw new DataMissingError(conversationId, 'head', pointer.toString(), e);
      throw e;
    }
    this.#opts.onDownload?.(conversationId, bytes.length);
    const { doc } = decodeDocument(bytes, keys.encryptionKey, `head of "${conversationId}"`);
    const head = parseHead(doc, conversationId);
    this.#heads.set(headHash, head, bytes.length);
    this.#markPlain(headHash, !head.encrypted);
    return head;
  }

  async #segment(conversationId: string, keys: DocumentKeys, ref: SegmentRef, epoch: string): Promise<Message[]> {
    const cached = this.#segments.get(ref.hash);
    if (cached) return cached;
    if (ref.in === 'head') return this.#headTail(conversationId, keys, ref, epoch);
    const id = BlobId.fromHash(fromBase64Url(ref.hash, 'segment.hash'), ref.size);
    let bytes: Uint8Array;
    try {
      bytes = await this.#opts.backend.downloadBlob(id);
    } catch (e) {
      if (isNotFound(e)) throw new DataMissingError(conversationId, 'segment', id.toString(), e);
      throw e;
    }
    this.#opts.onDownload?.(conversationId, bytes.length);
    const { doc, encrypted } = decodeDocument(bytes, keys.encryptionKey, `segment of "${conversationId}"`);
    const messages = parseSegment(doc, conversationId, ref);
    this.#segments.set(ref.hash, messages, bytes.length);
    this.#markPlain(ref.hash, !encrypted);
    return messages;
  }

  /**
   * The tail of an earlier head that a later head lists as a segment (layout/tail.ts). It must be
   * a head of this conversation (parseHead) and of the listing head's epoch — an older lineage
   * would bring back what an overwrite or delete removed — holding exactly `count` tail messages.
   */
  async #headTail(conversationId: string, keys: DocumentKeys, ref: SegmentRef, epoch: string): Promise<Message[]> {
    const head = await this.#head(conversationId, keys, BlobId.fromHash(fromBase64Url(ref.hash, 'segment.hash'), ref.size), ref.hash);
    const tail = head.tail ?? [];
    if (head.epoch !== epoch || head.deleted || tail.length !== ref.count) {
      throw new IntegrityError(`A head listed by "${conversationId}" is not what it lists.`, {
        conversationId,
        details: `segment ${ref.hash}: epoch ${head.epoch === epoch ? 'ok' : 'differs'}, ${tail.length} of ${ref.count}`,
      });
    }
    return tail;
  }

  async #messages(conversationId: string, keys: DocumentKeys, head: Head, headHash: string): Promise<ReadonlyMap<string, Message>> {
    const cached = this.#states.get(conversationId);
    if (cached && cached.headHash === headHash) return cached.messages;
    // Within one epoch content only grows, so a cached map plus the segments it has not seen is the
    // union the head describes. Another epoch (overwrite/delete) ⇒ rebuild from scratch.
    let messages: Map<string, Message> | null = null;
    if (cached !== undefined && cached.epoch === head.epoch) {
      const todo = head.segments.filter((s) => !cached.applied.has(s.hash));
      messages = await this.#union(conversationId, keys, todo, cached.messages, head);
      // A stale registry read can show an OLDER head of the same epoch: then the cached map holds
      // more than this head describes. Rebuild from the head's own segments instead.
      if (messages.size !== head.messageCount) messages = null;
    }
    messages ??= await this.#union(conversationId, keys, head.segments, new Map(), head);
    if (messages.size !== head.messageCount) {
      throw new IntegrityError(`"${conversationId}" holds ${messages.size} messages, not ${head.messageCount}.`, { conversationId });
    }
    this.#setState(conversationId, { headHash, epoch: head.epoch, applied: appliedOf(head, headHash), messages });
    return messages;
  }

  async #union(
    conversationId: string,
    keys: DocumentKeys,
    refs: SegmentRef[],
    start: ReadonlyMap<string, Message>,
    head: Head,
  ): Promise<Map<string, Message>> {
    const lists = await mapLimit(refs, this.#opts.readConcurrency ?? 6, (ref) => this.#segment(conversationId, keys, ref, head.epoch));
    const messages = new Map(start);
    for (const list of lists) for (const m of list) mergeMessageInto(messages, m);
    for (const m of head.tail ?? []) mergeMessageInto(messages, m);
    return messages;
  }

  #setState(conversationId: string, s: CachedState): void {
    this.#states.delete(conversationId);
    this.#states.set(conversationId, s);
    const max = this.#opts.stateCacheSize ?? 64;
    while (this.#states.size > max) {
      const oldest = this.#states.keys().next().value;
      if (oldest === undefined) break;
      this.#states.delete(oldest);
    }
  }
}

/**
 * What a cached message map already holds: the head's segments, and the head itself when it has a
 * tail (a later head may list this one as a segment; its messages are then already in the map).
 */
function appliedOf(head: Head, headHash: string): Set<string> {
  const applied = new Set(head.segments.map((s) => s.hash));
  if (head.tail && head.tail.length > 0) applied.add(headHash);
  return applied;
}
