/**
 * The registry as this manager sees it: derived keys per conversation (memoised) and reads that
 * never go backwards. A portal can serve an older entry (lagging replica, devnode staleReadRate);
 * acting on it would let a no-op decision (idempotent re-append, delete of what looks deleted,
 * metadata already at that value) resolve as if durable while the newer state says otherwise. So
 * every read is held to a per-key floor: the highest revision this manager has read or written.
 */
import type { RegistryEntry, S5Backend } from '@s5chat/s5';
import { deriveConversationKeys, type DocumentKeys, type SeedDeriver } from '../layout/keys.js';

/** Bound of every per-key map here; forgetting only costs a re-derivation or a weaker floor. */
const MAX_KEYS = 4096;

export class RegistryView {
  readonly #backend: S5Backend;
  readonly #identity: SeedDeriver;
  readonly #keys = new Map<string, DocumentKeys>();
  readonly #idByKeyName = new Map<string, string>();
  readonly #seen = new Map<string, number>();

  constructor(backend: S5Backend, identity: SeedDeriver) {
    this.#backend = backend;
    this.#identity = identity;
  }

  keysFor(conversationId: string): DocumentKeys {
    let k = this.#keys.get(conversationId);
    if (!k) {
      k = deriveConversationKeys(this.#identity, conversationId);
      if (this.#keys.size >= MAX_KEYS) this.#keys.clear();
      this.#keys.set(conversationId, k);
      this.#idByKeyName.set(k.name, conversationId);
      if (this.#idByKeyName.size > MAX_KEYS) this.#idByKeyName.clear();
    }
    return k;
  }

  /** The conversation id behind a derived key name (cross-tab announcements carry names only). */
  idForKeyName(name: string): string | undefined {
    return this.#idByKeyName.get(name);
  }

  /**
   * Registry read with a monotonic floor: an entry older than one this manager already saw is
   * re-read (a few times, at once). It may still come back stale; callers that would act on it
   * without writing check `isBehind` (a write based on it fails at the registry anyway).
   * `key` names the floor: a conversation id, or '#index'.
   */
  async get(key: string, keys: DocumentKeys): Promise<RegistryEntry | null> {
    let entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    for (let i = 0; i < 2 && this.isBehind(key, entry?.revision ?? 0); i++) {
      entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    }
    this.saw(key, entry?.revision ?? 0);
    return entry;
  }

  isBehind(key: string, revision: number): boolean {
    return revision < this.floor(key);
  }

  floor(key: string): number {
    return this.#seen.get(key) ?? 0;
  }

  saw(key: string, revision: number): void {
    if (revision <= this.floor(key)) return;
    if (this.#seen.size >= MAX_KEYS && !this.#seen.has(key)) this.#seen.clear();
    this.#seen.set(key, revision);
  }
}
