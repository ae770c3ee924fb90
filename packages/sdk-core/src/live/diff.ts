import { stableStringify } from '../merge.js';
import type { Message } from '../schemas.js';
import type { LiveSnapshot, WatchEvent, WatchSource } from './types.js';

/** What one listener has been shown so far. */
export interface Baseline {
  revision: number;
  /** message id → a fingerprint of the version shown (updatedAt + content + metadata). */
  messages: Map<string, string>;
  metadata: string;
  deleted: boolean;
}

export function emptyBaseline(): Baseline {
  return { revision: -1, messages: new Map(), metadata: stableStringify({}), deleted: false };
}

export function fingerprint(m: Message): string {
  return stableStringify([m.updatedAt ?? m.timestamp, m.content, m.role, m.metadata ?? null]);
}

/**
 * The event that takes `base` to `snap`, or null when nothing a listener can see changed. Mutates
 * `base` to the new state (the caller owns one baseline per listener).
 */
export function diffSnapshot(conversationId: string, base: Baseline, snap: LiveSnapshot, source: WatchSource): WatchEvent | null {
  if (snap.revision <= base.revision) return null;
  const messages: Message[] = [];
  const next = new Map<string, string>();
  for (const m of snap.exists ? snap.messages.values() : []) {
    const f = fingerprint(m);
    next.set(m.id, f);
    if (base.messages.get(m.id) !== f) messages.push(m);
  }
  messages.sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const metadata = stableStringify(snap.exists ? snap.metadata : {});
  const deleted = snap.deleted && !snap.exists;
  const event: WatchEvent = { conversationId, revision: snap.revision, messages, source };
  if (metadata !== base.metadata) event.metadata = snap.exists ? { ...snap.metadata } : {};
  if (deleted !== base.deleted) event.deleted = deleted;
  const changed = messages.length > 0 || event.metadata !== undefined || event.deleted !== undefined;
  Object.assign(base, { revision: snap.revision, messages: next, metadata, deleted });
  return changed ? event : null;
}
