/**
 * Pure merge rules. No CRDT is needed for chat: messages are immutable units with unique ids, a
 * conversation is their union ordered by (timestamp, id), and metadata is last-writer-wins per key.
 * Every rule here is a total order, so all devices converge to the same state whatever order they
 * see writes in.
 */
import type { Message } from './schemas.js';

/** A per-key metadata clock: (time ms, device id). Compared lexicographically. */
export type Clock = [t: number, device: string];

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
 * Which of two versions of the same message id wins: higher version, then longer content (a
 * stream only grows), then content, then the canonical JSON of the whole message. > 0 ⇒ `a` wins.
 */
export function compareMessageVersions(a: Message, b: Message): number {
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

/** Union by id (LWW per id), ordered by (timestamp, id). Commutative, associative, idempotent. */
export function mergeMessageLists(...lists: Message[][]): Message[] {
  const byId = new Map<string, Message>();
  for (const list of lists) for (const m of list) mergeMessageInto(byId, m);
  return sortMessages(byId.values());
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
    if (c === 0 && stableStringify(value) <= stableStringify(state.values[key])) return false;
  }
  state.values[key] = value;
  state.clocks[key] = clock;
  return true;
}

/** Per-key LWW merge of two metadata states (commutative). */
export function mergeMetadataStates(a: MetadataState, b: MetadataState): MetadataState {
  const out: MetadataState = { values: { ...a.values }, clocks: { ...a.clocks } };
  for (const [k, clock] of Object.entries(b.clocks)) mergeMetadataKey(out, k, b.values[k], clock);
  return out;
}
