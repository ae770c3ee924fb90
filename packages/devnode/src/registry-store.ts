import { Mutex } from 'async-mutex';
import type { KvStore } from './storage/kv.js';
import { assertValidEntry } from './verify.js';
import {
  bytesToHex,
  decodeRegistryEntry,
  encodeRegistryEntry,
  type RegistryEntry,
} from './s5.js';

/** Who caused an update; the P2P hub uses it to avoid echoing a record back to its sender. */
export type UpdateOrigin = 'http' | 'admin' | { peer: unknown };

export interface StoredEntry {
  entry: RegistryEntry;
  /** The 0x07 wire record, as stored and broadcast. */
  wire: Uint8Array;
}

export type SetOutcome =
  | { accepted: true; stored: StoredEntry }
  | { accepted: false; current: StoredEntry };

export interface RegistryUpdate extends StoredEntry {
  origin: UpdateOrigin;
}

interface Slot {
  current?: StoredEntry;
  previous?: StoredEntry;
}

const CURRENT = 'reg!';
const PREVIOUS = 'prev!';

/**
 * The registry: one slot per public key holding the current entry and the one it replaced (the
 * previous one serves injected stale reads). `set` is check-and-store under a per-key mutex and
 * resolves only after the durable write, so two concurrent sets of the same revision can never both
 * be accepted, and an accepted set survives a crash.
 */
export class RegistryStore {
  readonly #kv: KvStore;
  readonly #slots = new Map<string, Slot>();
  readonly #locks = new Map<string, Mutex>();
  readonly #listeners = new Set<(u: RegistryUpdate) => void>();

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  async get(publicKey: Uint8Array): Promise<StoredEntry | undefined> {
    return (await this.#slot(bytesToHex(publicKey))).current;
  }

  async getPrevious(publicKey: Uint8Array): Promise<StoredEntry | undefined> {
    return (await this.#slot(bytesToHex(publicKey))).previous;
  }

  /** Shape and signature checks only (throws the s5 ValidationError / InvalidSignatureError). */
  validate(entry: RegistryEntry): void {
    assertValidEntry(entry);
  }

  /**
   * Validate (shape, then signature — throws the s5 ValidationError / InvalidSignatureError) and
   * store if the revision is higher than the stored one. `trusted: true` skips the signature check
   * and the ordering rule: it is the admin path that plants tampered entries for tests.
   */
  async set(entry: RegistryEntry, origin: UpdateOrigin, opts: { trusted?: boolean } = {}): Promise<SetOutcome> {
    const wire = encodeRegistryEntry(entry); // shape check; throws ValidationError
    if (!opts.trusted) assertValidEntry(entry);
    const key = bytesToHex(entry.publicKey);
    const stored: StoredEntry = { entry: decodeRegistryEntry(wire), wire };
    const outcome = await this.#withKeyLock(key, async (): Promise<SetOutcome> => {
      const slot = await this.#slot(key);
      if (!opts.trusted && slot.current && slot.current.entry.revision >= entry.revision) {
        return { accepted: false, current: slot.current };
      }
      const puts: Array<[string, Uint8Array]> = [[CURRENT + key, wire]];
      if (slot.current) puts.push([PREVIOUS + key, slot.current.wire]);
      await this.#kv.write(puts); // durable before we acknowledge
      if (slot.current) slot.previous = slot.current;
      slot.current = stored;
      return { accepted: true, stored };
    });
    if (outcome.accepted) this.#emit({ ...stored, origin });
    return outcome;
  }

  /** Called after every accepted update (HTTP, P2P or admin). Returns an unsubscribe function. */
  onUpdate(listener: (u: RegistryUpdate) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(update: RegistryUpdate): void {
    for (const l of this.#listeners) {
      try {
        l(update);
      } catch {
        // A failing listener (e.g. a closed socket) must not fail the write that already succeeded.
      }
    }
  }

  async #slot(key: string): Promise<Slot> {
    let slot = this.#slots.get(key);
    if (slot) return slot;
    const [cur, prev] = await Promise.all([this.#kv.get(CURRENT + key), this.#kv.get(PREVIOUS + key)]);
    // Re-check: another caller may have loaded (and even updated) the slot while we awaited.
    slot = this.#slots.get(key);
    if (slot) return slot;
    slot = {};
    if (cur) slot.current = { entry: decodeRegistryEntry(cur), wire: cur };
    if (prev) slot.previous = { entry: decodeRegistryEntry(prev), wire: prev };
    this.#slots.set(key, slot);
    return slot;
  }

  async #withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let mutex = this.#locks.get(key);
    if (!mutex) {
      mutex = new Mutex();
      this.#locks.set(key, mutex);
    }
    try {
      return await mutex.runExclusive(fn);
    } finally {
      // async-mutex hands the lock to the next waiter synchronously on release, so "unlocked" here
      // means nobody is waiting and the entry can go (keeps the map from growing per key forever).
      if (!mutex.isLocked() && this.#locks.get(key) === mutex) this.#locks.delete(key);
    }
  }
}
