/**
 * Reading device logs and merging them with the conversation's main head. A read = the main
 * state + every log the main head lists, fetched in parallel (each with the normal monotonic
 * registry read and the cached head/segment reader), merged by the usual rules (merge.ts): union
 * by message id, the winning version per id, order by (timestamp, id). Edits and tombstones stored
 * in the main head win over a log's older version of the same message.
 *
 * A reset of the main head (delete, overwrite) records a *cut* per log: the pointer of the log head
 * it saw. Log messages present in that head (at that version or older) stay hidden; messages
 * appended to the log after the cut are visible (an append after a delete re-creates the
 * conversation, as with one key).
 */
import { fromBase64Url, toBase64Url, type RegistryEntry } from '@s5chat/s5';
import type { ConversationReader } from '../layout/reader.js';
import { compareMessageVersions, mergeMessageInto } from '../merge.js';
import type { ConversationState } from '../ops.js';
import type { RegistryView } from '../read/registry-view.js';
import type { Message } from '../schemas.js';
import { logKeyId } from './ids.js';

/** One device log as read now. */
export interface LogView {
  logId: string;
  keyId: string;
  /** base64url registry key of the log (watch feeds and own-write tracking use it). */
  keyName: string;
  publicKey: Uint8Array;
  entry: RegistryEntry | null;
  revision: number;
  /** The log head's writer (a device id). */
  writer?: string;
  /** Log messages not hidden by the main head's cut. */
  visible: Message[];
  updatedAt: number;
}

export interface MergedRead {
  /** The merged state (revision: the composite, main + every log). */
  state: ConversationState;
  main: ConversationState;
  logs: LogView[];
}

const CUT_CACHE = 256;

export class DeviceLogReader {
  readonly #registry: RegistryView;
  readonly #reader: ConversationReader;
  /** Cut pointer → the versions it hid (immutable: a pointer names one head forever). */
  readonly #cuts = new Map<string, ReadonlyMap<string, Message>>();

  constructor(registry: RegistryView, reader: ConversationReader) {
    this.#registry = registry;
    this.#reader = reader;
  }

  /**
   * Every log `main` lists, read now, in parallel. `confirm` (a reset taking its cut): each log's
   * registry entry is read twice at once and the newer kept — a cut from a lagging read would let
   * log messages written before the reset show again after it (see CONCURRENCY.md).
   */
  async readLogs(conversationId: string, main: ConversationState, confirm = false): Promise<LogView[]> {
    const listed = Object.entries(main.logs ?? {});
    return Promise.all(listed.map(([logId, cut]) => this.#readLog(conversationId, logId, cut, confirm)));
  }

  /** Main state + its logs → the merged state (composite revision). */
  async read(conversationId: string, main: ConversationState): Promise<MergedRead> {
    const logs = await this.readLogs(conversationId, main);
    return { state: mergeState(main, logs), main, logs };
  }

  async #readLog(conversationId: string, logId: string, cut: string, confirm: boolean): Promise<LogView> {
    const keyId = logKeyId(conversationId, logId);
    const keys = this.#registry.keysFor(keyId);
    const reads = await Promise.all(confirm ? [this.#registry.get(keyId, keys), this.#registry.get(keyId, keys)] : [this.#registry.get(keyId, keys)]);
    const entry = reads.reduce((a, b) => ((b?.revision ?? 0) > (a?.revision ?? 0) ? b : a));
    const { state, head } = await this.#reader.read(keyId, keys, entry);
    const hidden = cut ? await this.#cut(keyId, cut) : undefined;
    const visible: Message[] = [];
    for (const m of state.messages.values()) {
      const h = hidden?.get(m.id);
      if (h && compareMessageVersions(h, m) >= 0) continue;
      visible.push(m);
    }
    const view: LogView = {
      logId,
      keyId,
      keyName: keys.name,
      publicKey: keys.keyPair.publicKey,
      entry,
      revision: entry?.revision ?? 0,
      visible,
      updatedAt: state.updatedAt,
    };
    if (head?.writer !== undefined) view.writer = head.writer;
    return view;
  }

  async #cut(keyId: string, pointer: string): Promise<ReadonlyMap<string, Message>> {
    const cached = this.#cuts.get(pointer);
    if (cached) return cached;
    const keys = this.#registry.keysFor(keyId);
    // A cut names an immutable head; read it as if a registry entry pointed there (revision unused).
    const entry = { publicKey: keys.keyPair.publicKey, revision: 0, data: fromBase64Url(pointer, 'logs.cut'), signature: new Uint8Array(64) };
    const { state } = await this.#reader.read(keyId, keys, entry);
    if (this.#cuts.size >= CUT_CACHE) this.#cuts.clear();
    this.#cuts.set(pointer, state.messages);
    return state.messages;
  }
}

/** The cut a reset records for a log: the pointer of the log head it saw ('' = the log was empty). */
export function cutOf(view: LogView): string {
  return view.entry ? toBase64Url(view.entry.data) : '';
}

/** Merge the main state with log views (pure). */
export function mergeState(main: ConversationState, logs: LogView[]): ConversationState {
  const composite = main.revision + logs.reduce((n, l) => n + l.revision, 0);
  if (logs.every((l) => l.visible.length === 0)) return { ...main, revision: composite };
  const messages = new Map(main.messages);
  let updatedAt = main.updatedAt;
  let firstTs = Infinity;
  for (const l of logs) {
    for (const m of l.visible) {
      mergeMessageInto(messages, m);
      if (m.timestamp < firstTs) firstTs = m.timestamp;
      updatedAt = Math.max(updatedAt, m.updatedAt ?? m.timestamp);
    }
  }
  if (main.exists) return { ...main, revision: composite, messages, updatedAt };
  // The main head is a tombstone (or absent): appends after its cut re-create the conversation.
  const state: ConversationState = { ...main, revision: composite, messages, exists: true, deleted: false, createdAt: firstTs, updatedAt };
  delete state.deletedAt;
  return state;
}
