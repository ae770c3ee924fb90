/**
 * Pure merge rules. Messages are versioned units with unique ids, a conversation is their union
 * ordered by (timestamp, id); a deleted message is a tombstone version that beats every live
 * version; metadata is last-writer-wins per key under hybrid logical clocks (a removed key keeps
 * its clock as a tombstone). Every rule here is a total order, so all devices converge to the same
 * state whatever order they see writes in.
 */
import type { Message } from './schemas.js';

/**
 * A per-key metadata clock: (hybrid time, device id), compared lexicographically. The hybrid time
 * is a hybrid logical clock folded into one number: a writer stamps a change with
 * max(its wall clock, the highest clock in the state it read + 1), so a change made after seeing a
 * state is always newer than everything in that state, whatever the writers' wall clocks say,
 * and stays close to real time when clocks agree.
 */
export type Clock = [t: number, device: string];

/** The highest hybrid time among `clocks` (0 when none). */
export function maxClockTime(clocks: Record<string, Clock>): number {
  let t = 0;
  for (const c of Object.values(clocks)) if (c[0] > t) t = c[0];
  return t;
}

/** The next hybrid time for a change made now (`wallClock`) after seeing a state with `seen`. */
export function nextHybridTime(wallClock: number, seen: number): number {
  return Math.max(wallClock, seen + 1);
}

export function compareClock(a: Clock, b: Clock): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** JSON with sorted keys: a canonical form for deterministic tie-breaks and equality. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

/** The version of a message's content: `updatedAt` when set (streaming checkpoints), else `timestamp`. */
export function messageVersion(m: Message): number {
  return m.updatedAt ?? m.timestamp;
}

/**
 * Which of two versions of the same message id wins: a tombstone (deleted) beats any live version;
 * then higher version, then longer content (a stream only grows), then content, then the canonical
 * JSON of the whole message. > 0 ⇒ `a` wins.
 */
export function compareMessageVersions(a: Message, b: Message): number {
  const da = a.deleted === true;
  const db = b.deleted === true;
  if (da !== db) return da ? 1 : -1;
  const va = messageVersion(a);
  const vb = messageVersion(b);
  if (va !== vb) return va < vb ? -1 : 1;
  if (a.content.length !== b.content.length) return a.content.length < b.content.length ? -1 : 1;
  if (a.content !== b.content) return a.content < b.content ? -1 : 1;
  const ja = stableStringify(a);
  const jb = stableStringify(b);
  return ja < jb ? -1 : ja > jb ? 1 : 0;
}

export function sameMessage(a: Message, b: Message): boolean {
  return compareMessageVersions(a, b) === 0;
}

/** The winning version of one message id (`current` on a tie, so re-applying is a no-op). */
export function pickMessage(current: Message, incoming: Message): Message {
  return compareMessageVersions(incoming, current) > 0 ? incoming : current;
}

/** Conversation order: (timestamp, id). Ids are unique, so this is total. */
export function compareMessageOrder(a: Message, b: Message): number {
  if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function sortMessages(messages: Iterable<Message>): Message[] {
  return [...messages].sort(compareMessageOrder);
}

/** Add `incoming` to `byId` if it is new or wins; returns true when the map changed. */
export function mergeMessageInto(byId: Map<string, Message>, incoming: Message): boolean {
  const current = byId.get(incoming.id);
  if (current === undefined) {
    byId.set(incoming.id, incoming);
    return true;
  }
  const winner = pickMessage(current, incoming);
  if (winner === current) return false;
  byId.set(incoming.id, winner);
  return true;
}

/**
 * Union by id (LWW per id), ordered by (timestamp, id). Commutative, associative, idempotent.
 * Tombstones are kept (they must keep winning when merged with older copies).
 */
export function mergeMessageLists(...lists: Message[][]): Message[] {
  const byId = new Map<string, Message>();
  for (const list of lists) for (const m of list) mergeMessageInto(byId, m);
  return sortMessages(byId.values());
}

/** The tombstone that deletes `m`, stamped with hybrid version `version`. */
export function tombstoneOf(m: Message, version: number): Message {
  return { id: m.id, role: m.role, content: '', timestamp: m.timestamp, updatedAt: version, deleted: true };
}

export interface MetadataState {
  values: Record<string, unknown>;
  clocks: Record<string, Clock>;
}

/**
 * Set one key if `clock` is newer than the key's clock (equal clocks: the larger canonical JSON
 * value wins, so the result never depends on arrival order). Returns true when state changed.
 */
export function mergeMetadataKey(state: MetadataState, key: string, value: unknown, clock: Clock): boolean {
  const current = state.clocks[key];
  if (current !== undefined) {
    const c = compareClock(clock, current);
    if (c < 0) return false;
    // Equal clocks: a value beats a tombstone, else the larger canonical JSON wins.
    if (c === 0 && key in state.values && stableStringify(value) <= stableStringify(state.values[key])) return false;
  }
  state.values[key] = value;
  state.clocks[key] = clock;
  return true;
}

/**
 * Remove one key if `clock` is newer than the key's clock: the clock stays as a tombstone (no
 * value), so an older write of the key cannot bring it back. Returns true when state changed.
 */
export function deleteMetadataKey(state: MetadataState, key: string, clock: Clock): boolean {
  const current = state.clocks[key];
  if (current !== undefined && compareClock(clock, current) <= 0) return false;
  delete state.values[key];
  state.clocks[key] = clock;
  return true;
}

/** Per-key LWW merge of two metadata states (commutative; tombstones included). */
export function mergeMetadataStates(a: MetadataState, b: MetadataState): MetadataState {
  const out: MetadataState = { values: { ...a.values }, clocks: { ...a.clocks } };
  for (const [k, clock] of Object.entries(b.clocks)) {
    if (k in b.values) mergeMetadataKey(out, k, b.values[k], clock);
    else deleteMetadataKey(out, k, clock);
  }
  return out;
}
