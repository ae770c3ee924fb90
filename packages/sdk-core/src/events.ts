/**
 * Typed events. A listener that throws never breaks a write: its error is swallowed here (and
 * reported through `error` when it was not itself an `error` listener).
 */
import type { Message, StorageResult } from './schemas.js';
import type { OutboxEvent } from './outbox/outbox.js';

export interface RetryEvent {
  conversationId: string;
  /** The attempt that just lost the race (1-based). */
  attempt: number;
  /** How long we wait before re-reading and re-applying. */
  delayMs: number;
  lastSeenRevision: number;
}
export interface ConflictEvent {
  conversationId: string;
  attempt: number;
  /** The revision we tried to write. */
  attemptedRevision: number;
  /** What the node holds, when it said so. */
  currentRevision?: number;
  /** 'revision' = lost a registry race; 'expected-revision' = onConflict 'fail' refused the write. */
  kind: 'revision' | 'expected-revision';
}
export interface MergedEvent {
  conversationId: string;
  revision: number;
  attempt: number;
  /** Why: re-applied on a newer revision, or a save met messages it did not know about. */
  reason: 'reapplied' | 'foreign-messages';
}
export interface SavedEvent extends StorageResult {
  /** 'commit' = user operations; 'compaction' = a maintenance write; 'index' = the conversation list. */
  kind: 'commit' | 'compaction' | 'index';
  /** The message versions this write stored (new or changed; tombstones included). */
  messages?: readonly Message[];
}
export interface ErrorEvent {
  conversationId: string;
  error: unknown;
  /** What failed: a write of user operations, a compaction, an index update, a checkpoint. */
  during: 'commit' | 'compaction' | 'index' | 'checkpoint' | 'listener' | 'watch';
  /** Operations that failed with it. */
  operations: number;
}
/** Another tab of this origin committed a new revision (BroadcastChannel). */
export interface RemoteEvent {
  conversationId: string;
  revision: number;
}

export interface StorageEvents {
  retry: RetryEvent;
  conflict: ConflictEvent;
  merged: MergedEvent;
  saved: SavedEvent;
  error: ErrorEvent;
  remote: RemoteEvent;
  /** A write was queued in the outbox, sent from it, or refused for good. */
  outbox: OutboxEvent;
}

export type Listener<T> = (payload: T) => void;

export class Emitter<E extends { [K in keyof E]: unknown }> {
  readonly #listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(fn as Listener<never>);
    return () => {
      set!.delete(fn as Listener<never>);
      if (set!.size === 0 && this.#listeners.get(name) === set) this.#listeners.delete(name);
    };
  }

  emit<K extends keyof E>(name: K, payload: E[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<E[K]>)(payload);
      } catch (error) {
        if (name !== 'error') this.emit('error' as K, { conversationId: '', error, during: 'listener', operations: 0 } as E[K]);
      }
    }
  }

  listenerCount(name?: keyof E): number {
    if (name !== undefined) return this.#listeners.get(name)?.size ?? 0;
    let n = 0;
    for (const s of this.#listeners.values()) n += s.size;
    return n;
  }
}
