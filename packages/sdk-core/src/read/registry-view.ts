/**
 * The registry as this manager sees it: derived keys per conversation (memoised) and reads that
 * never go backwards. A portal can serve an older entry (lagging replica, devnode staleReadRate);
 * acting on it would let a no-op decision (idempotent re-append, delete of what looks deleted,
 * metadata already at that value) resolve as if durable while the newer state says otherwise. So
 * every read is held to a per-key floor: the highest revision this manager has read or written.
 */
import type { RegistryEntry, S5Backend } from '@s5chat/s5';
import { deriveConversationKeys, type DocumentKeys, type SeedDeriver } from '../layout/keys.js';
import { FreshIdentity } from '../fresh-identity.js';

/** Bound of every per-key map here; forgetting only costs a re-derivation or a weaker floor. */
const MAX_KEYS = 4096;

/** A registry read this recent is taken as current for a write (a guess: a wrong one costs one rejected set). */
const FRESH_READ_MS = 5_000;
/** After a wrong guess a key is read before every write for this long (it has another writer). */
const CONTENDED_MS = 30_000;

/** The entry a write starts from; `guessed` = taken from memory, not read (see `forWrite`). */
export interface WriteBase {
  entry: RegistryEntry | null;
  guessed: boolean;
}

export class RegistryView {
  readonly #backend: S5Backend;
  readonly #identity: SeedDeriver;
  readonly #keys = new Map<string, DocumentKeys>();
  readonly #idByKeyName = new Map<string, string>();
  readonly #seen = new Map<string, number>();
  /** Per key: the entry believed current (our own last set, a fresh id's "none", a recent read). */
  readonly #current = new Map<string, { entry: RegistryEntry | null; until: number }>();
  /** Per key: until when guesses are off (a guess was wrong: another writer is active). */
  readonly #contended = new Map<string, number>();
  readonly #now: () => number;

  readonly #guess: boolean;
  /** The app said the identity is new: unknown keys have no entry (fresh-identity.ts). */
  readonly fresh: FreshIdentity;

  constructor(backend: S5Backend, identity: SeedDeriver, opts: { guess?: boolean; now?: () => number; fresh?: FreshIdentity } = {}) {
    this.#backend = backend;
    this.#identity = identity;
    this.#guess = opts.guess ?? true;
    this.#now = opts.now ?? Date.now;
    this.fresh = opts.fresh ?? new FreshIdentity(false);
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
  async get(key: string, keys: { keyPair: { publicKey: Uint8Array } }): Promise<RegistryEntry | null> {
    if (this.fresh.knowsAbsent(key, this.floor(key))) return null; // a fresh identity: nothing to ask
    let entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    for (let i = 0; i < 2 && this.isBehind(key, entry?.revision ?? 0); i++) {
      entry = await this.#backend.registryGet(keys.keyPair.publicKey);
    }
    this.fresh.observed(key, entry?.revision ?? 0, this.floor(key));
    this.saw(key, entry?.revision ?? 0);
    if (!this.isBehind(key, entry?.revision ?? 0)) this.#believe(key, entry, this.#now() + FRESH_READ_MS);
    return entry;
  }

  /**
   * The entry a write starts from. The first attempt skips the registry read when this manager
   * knows the key's latest entry: it wrote it (and nothing newer was seen since), the id is fresh
   * (`markFresh`), or it read it within FRESH_READ_MS. Such a write may still meet a newer entry
   * (another device): the set is then rejected ("Revision number too low"), nothing is lost, and
   * the writer calls `missedGuess` and takes the normal lost-race path (wait, real read, re-apply).
   * Later attempts always read.
   */
  async forWrite(key: string, keys: DocumentKeys, attempt: number): Promise<WriteBase> {
    const base = await this.#writeBase(key, keys, attempt);
    this.fresh.writing(key, attempt, (base.entry?.revision ?? 0) + 1);
    return base;
  }

  async #writeBase(key: string, keys: DocumentKeys, attempt: number): Promise<WriteBase> {
    // A fresh identity's unknown key: revision 1 is a guess like any other (wrong → rejected set).
    if (attempt === 1 && this.fresh.knowsAbsent(key, this.floor(key))) return { entry: null, guessed: true };
    const known = this.#current.get(key);
    const contended = (this.#contended.get(key) ?? 0) > this.#now();
    if (this.#guess && attempt === 1 && known && !contended && known.until > this.#now() && !this.isBehind(key, known.entry?.revision ?? 0)) {
      return { entry: known.entry, guessed: true };
    }
    return { entry: await this.get(key, keys), guessed: false };
  }

  /** A write based on a guessed entry was rejected: read before this key's writes for a while. */
  missedGuess(key: string): void {
    this.fresh.end();
    this.#current.delete(key);
    if (this.#contended.size >= MAX_KEYS) this.#contended.clear();
    this.#contended.set(key, this.#now() + CONTENDED_MS);
  }

  /** The next write of `key` reads the registry first (a decision needs a real read). */
  doubt(key: string): void {
    this.fresh.doubt(key);
    this.#current.delete(key);
  }

  /** Our set of `entry` succeeded: it is the latest until something newer is seen. */
  wrote(key: string, entry: RegistryEntry): void {
    this.fresh.settled(key);
    this.saw(key, entry.revision);
    this.#believe(key, entry, Infinity);
  }

  /** `key` was just generated here (a new conversation id): nothing can be stored under it yet. */
  markFresh(key: string): void {
    if (this.floor(key) === 0) this.#believe(key, null, Infinity);
  }

  #believe(key: string, entry: RegistryEntry | null, until: number): void {
    const held = this.#current.get(key);
    // A read never shortens what our own write established about the same revision.
    if (held && (held.entry?.revision ?? 0) === (entry?.revision ?? 0) && held.until > until) return;
    if (this.#current.size >= MAX_KEYS && !this.#current.has(key)) this.#current.clear();
    this.#current.set(key, { entry, until });
  }

  /** An entry of `key` was pushed (watch) or announced (another tab): evidence, not a read. */
  observed(key: string, revision: number): void {
    this.fresh.observed(key, revision, this.floor(key));
    this.saw(key, revision);
  }

  isBehind(key: string, revision: number): boolean {
    return revision < this.floor(key);
  }

  floor(key: string): number {
    return this.#seen.get(key) ?? 0;
  }

  /** A revision of `key` exists (read, written, announced by another tab or pushed by watch). */
  saw(key: string, revision: number): void {
    if (revision <= this.floor(key)) return;
    const held = this.#current.get(key);
    if (held && (held.entry?.revision ?? 0) < revision) this.#current.delete(key); // no longer the latest
    if (this.#seen.size >= MAX_KEYS && !this.#seen.has(key)) this.#seen.clear();
    this.#seen.set(key, revision);
  }
}
