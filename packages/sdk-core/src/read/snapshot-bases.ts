/**
 * The states this manager handed out as snapshots (loadConversation), by conversation and
 * revision. A save of a loaded snapshot diffs against its base (ops-snapshot.ts) to tell what the
 * caller changed from what others wrote since. Holds references to immutable maps (the reader
 * never mutates a map it produced), so an entry costs little; bounded LRU.
 */
import type { SnapshotBase } from '../ops.js';

const MAX_BASES = 64;

export class SnapshotBases {
  readonly #bases = new Map<string, SnapshotBase>();

  remember(conversationId: string, base: SnapshotBase): void {
    const key = `${conversationId}@${base.revision}`;
    this.#bases.delete(key);
    this.#bases.set(key, base);
    while (this.#bases.size > MAX_BASES) {
      const oldest = this.#bases.keys().next().value;
      if (oldest === undefined) break;
      this.#bases.delete(oldest);
    }
  }

  get(conversationId: string, revision: number): SnapshotBase | undefined {
    return this.#bases.get(`${conversationId}@${revision}`);
  }
}
