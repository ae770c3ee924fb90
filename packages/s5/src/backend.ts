import type { BlobId } from './blob-id.js';
import type { RegistryEntry } from './registry.js';

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The seam between the storage layer and the S5 network. {@link PortalClient} implements it over a
 * portal's HTTP API; tests may substitute an in-memory backend only if it enforces the same registry
 * rules (strictly increasing revisions, signature verified, limits).
 */
export interface S5Backend {
  /** Latest verified entry for the key, or null if the node has none. */
  registryGet(publicKey33: Uint8Array, opts?: CallOptions): Promise<RegistryEntry | null>;
  /** Store an entry; resolves only once the node accepted it. RevisionTooLowError on conflict (never retried here). */
  registrySet(entry: RegistryEntry, opts?: CallOptions): Promise<void>;
  /** Upload bytes; resolves to their identifier once the node confirmed the same identifier. */
  uploadBlob(bytes: Uint8Array, opts?: CallOptions): Promise<BlobId>;
  /** Download and BLAKE3-verify; HashMismatchError instead of wrong bytes, NotFoundError when absent. */
  downloadBlob(id: BlobId, opts?: CallOptions): Promise<Uint8Array>;
}
