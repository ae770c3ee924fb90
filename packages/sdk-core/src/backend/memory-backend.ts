/**
 * An in-memory S5 backend that enforces the REAL registry rules, atomically: signature verified,
 * data ≤ 64 bytes, revision ≤ 2^48, and a set whose revision is not above the stored one fails with
 * RevisionTooLowError. Blobs are content-addressed and hash-checked on the way out. Every check and
 * store happens synchronously inside one call, so two concurrent sets of one revision can never
 * both succeed — the same guarantee as the devnode.
 *
 * For tests and demos: `schedule` lets a test decide when each call reaches the "node" and when its
 * answer comes back (fast-check's scheduler), and seeded faults inject errors, spurious conflicts,
 * stale reads and latency reproducibly.
 */
import {
  AbortError,
  BlobId,
  HashMismatchError,
  InvalidSignatureError,
  NotFoundError,
  PortalUnavailableError,
  REGISTRY_MAX_DATA_BYTES,
  REGISTRY_MAX_REVISION,
  RevisionTooLowError,
  ValidationError,
  blake3,
  bytesToHex,
  seededRandom,
  verifyRegistryEntry,
  type RegistryEntry,
  type S5Backend,
  type CallOptions,
} from '@s5chat/s5';

export type MemoryCallName = 'registryGet' | 'registrySet' | 'uploadBlob' | 'downloadBlob';

export interface MemoryCall {
  name: MemoryCallName;
  /** Hex registry key or blob hash. */
  key: string;
}

export interface MemoryFaults {
  /** Seed of the fault PRNG (same seed ⇒ same faults for the same call sequence). */
  seed?: number;
  /** Rate of PortalUnavailableError (a transient 5xx) per call. */
  errorRate?: number;
  /** Rate of spurious RevisionTooLowError per registry set (nothing stored). */
  conflictRate?: number;
  /** Rate of registry gets answered with the previous revision. */
  staleReadRate?: number;
  /** Added latency per call (ms). */
  latencyMs?: number;
}

export interface MemoryBackendOptions {
  faults?: MemoryFaults;
  /**
   * Decide when a call executes. `execute` performs the call against the store atomically and must
   * be called exactly once; whatever it returns or throws is the call's answer. Default: execute
   * after `faults.latencyMs` (0 ⇒ on the next microtask).
   */
  schedule?: <T>(call: MemoryCall, execute: () => T) => Promise<T>;
}

export interface MemoryBackendStats {
  requests: number;
  registryGets: number;
  registrySets: number;
  setsAccepted: number;
  setsRejected: number;
  uploads: number;
  downloads: number;
  bytesUploaded: number;
  bytesDownloaded: number;
  faults: { errors: number; conflicts: number; staleReads: number };
}

const zeroStats = (): MemoryBackendStats => ({
  requests: 0,
  registryGets: 0,
  registrySets: 0,
  setsAccepted: 0,
  setsRejected: 0,
  uploads: 0,
  downloads: 0,
  bytesUploaded: 0,
  bytesDownloaded: 0,
  faults: { errors: 0, conflicts: 0, staleReads: 0 },
});

const copyEntry = (e: RegistryEntry): RegistryEntry => ({
  publicKey: e.publicKey.slice(),
  revision: e.revision,
  data: e.data.slice(),
  signature: e.signature.slice(),
});

export class MemoryBackend implements S5Backend {
  readonly #registry = new Map<string, { current: RegistryEntry; previous?: RegistryEntry }>();
  readonly #blobs = new Map<string, Uint8Array>();
  #stats = zeroStats();
  #faults: MemoryFaults;
  #random: () => number;
  readonly #schedule: <T>(call: MemoryCall, execute: () => T) => Promise<T>;

  constructor(opts: MemoryBackendOptions = {}) {
    this.#faults = { ...(opts.faults ?? {}) };
    this.#random = seededRandom(this.#faults.seed ?? 1);
    this.#schedule =
      opts.schedule ??
      (async <T>(_call: MemoryCall, execute: () => T): Promise<T> => {
        const ms = this.#faults.latencyMs ?? 0;
        if (ms > 0) await new Promise((r) => setTimeout(r, ms));
        else await Promise.resolve();
        return execute();
      });
  }

  setFaults(faults: MemoryFaults): void {
    this.#faults = { ...this.#faults, ...faults };
    if (faults.seed !== undefined) this.#random = seededRandom(faults.seed);
  }

  stats(): MemoryBackendStats {
    return structuredClone(this.#stats);
  }

  resetStats(): void {
    this.#stats = zeroStats();
  }

  #maybeError(name: MemoryCallName): void {
    const rate = this.#faults.errorRate ?? 0;
    if (rate > 0 && this.#random() < rate) {
      this.#stats.faults.errors++;
      throw new PortalUnavailableError(`Injected fault on ${name}.`, { status: 503 });
    }
  }

  #checkAborted(opts?: CallOptions): void {
    if (opts?.signal?.aborted) throw new AbortError('The operation was aborted.', { cause: opts.signal.reason });
  }

  registryGet(publicKey33: Uint8Array, opts?: CallOptions): Promise<RegistryEntry | null> {
    const key = bytesToHex(publicKey33);
    return this.#schedule({ name: 'registryGet', key }, () => {
      this.#checkAborted(opts);
      this.#stats.requests++;
      this.#stats.registryGets++;
      this.#maybeError('registryGet');
      const slot = this.#registry.get(key);
      if (!slot) return null;
      const stale = this.#faults.staleReadRate ?? 0;
      if (slot.previous && stale > 0 && this.#random() < stale) {
        this.#stats.faults.staleReads++;
        return copyEntry(slot.previous);
      }
      return copyEntry(slot.current);
    });
  }

  registrySet(entry: RegistryEntry, opts?: CallOptions): Promise<void> {
    const e = copyEntry(entry); // never alias the caller's buffers
    const key = bytesToHex(e.publicKey);
    return this.#schedule({ name: 'registrySet', key }, () => {
      this.#checkAborted(opts);
      this.#stats.requests++;
      this.#stats.registrySets++;
      this.#maybeError('registrySet');
      const issues = [];
      if (e.publicKey.length !== 33 || e.publicKey[0] !== 0xed) issues.push({ path: 'publicKey', message: 'expected a 33-byte Ed25519 multikey' });
      if (!Number.isSafeInteger(e.revision) || e.revision < 0 || e.revision > REGISTRY_MAX_REVISION) issues.push({ path: 'revision', message: 'Invalid revision' });
      if (e.data.length > REGISTRY_MAX_DATA_BYTES) issues.push({ path: 'data', message: 'Data too long' });
      if (issues.length) {
        this.#stats.setsRejected++;
        throw new ValidationError(issues);
      }
      if (!verifyRegistryEntry(e)) {
        this.#stats.setsRejected++;
        throw new InvalidSignatureError('Invalid signature found.');
      }
      const slot = this.#registry.get(key);
      const conflictRate = this.#faults.conflictRate ?? 0;
      if (conflictRate > 0 && this.#random() < conflictRate) {
        this.#stats.faults.conflicts++;
        this.#stats.setsRejected++;
        throw new RevisionTooLowError({ currentRevision: slot?.current.revision ?? e.revision, attemptedRevision: e.revision });
      }
      if (slot && slot.current.revision >= e.revision) {
        this.#stats.setsRejected++;
        throw new RevisionTooLowError({ currentRevision: slot.current.revision, attemptedRevision: e.revision });
      }
      this.#registry.set(key, slot ? { current: e, previous: slot.current } : { current: e });
      this.#stats.setsAccepted++;
    });
  }

  uploadBlob(bytes: Uint8Array, opts?: CallOptions): Promise<BlobId> {
    const copy = bytes.slice();
    const id = BlobId.fromBytes(copy);
    return this.#schedule({ name: 'uploadBlob', key: id.hashHex }, () => {
      this.#checkAborted(opts);
      this.#stats.requests++;
      this.#stats.uploads++;
      this.#maybeError('uploadBlob');
      this.#blobs.set(id.hashHex, copy);
      this.#stats.bytesUploaded += copy.length;
      return id;
    });
  }

  downloadBlob(id: BlobId, opts?: CallOptions): Promise<Uint8Array> {
    return this.#schedule({ name: 'downloadBlob', key: id.hashHex }, () => {
      this.#checkAborted(opts);
      this.#stats.requests++;
      this.#stats.downloads++;
      this.#maybeError('downloadBlob');
      const bytes = this.#blobs.get(id.hashHex);
      if (!bytes) throw new NotFoundError(`Blob ${id.toString()}`);
      const actual = bytesToHex(blake3(bytes));
      if (actual !== id.hashHex) throw new HashMismatchError(id.hashHex, actual);
      this.#stats.bytesDownloaded += bytes.length;
      return bytes.slice();
    });
  }

  // ---- test helpers: tamper with the "node" ------------------------------------------------

  /** Replace a stored blob's bytes without changing its key (simulates disk corruption). */
  tamperBlob(hashHex: string, bytes: Uint8Array): void {
    this.#blobs.set(hashHex, bytes.slice());
  }

  deleteBlob(hashHex: string): boolean {
    return this.#blobs.delete(hashHex);
  }

  hasBlob(hashHex: string): boolean {
    return this.#blobs.has(hashHex);
  }

  /** Every stored blob (copies), for "no plaintext at rest" checks. */
  blobs(): Uint8Array[] {
    return [...this.#blobs.values()].map((b) => b.slice());
  }

  /** Store an entry WITHOUT any check (like the devnode's admin route) — for tamper tests only. */
  putRawEntry(entry: RegistryEntry): void {
    const e = copyEntry(entry);
    const key = bytesToHex(e.publicKey);
    const slot = this.#registry.get(key);
    this.#registry.set(key, slot ? { current: e, previous: slot.current } : { current: e });
  }

  /** The stored entry for a key (a copy), bypassing faults and scheduling. */
  peekEntry(publicKey33: Uint8Array): RegistryEntry | null {
    const slot = this.#registry.get(bytesToHex(publicKey33));
    return slot ? copyEntry(slot.current) : null;
  }
}
