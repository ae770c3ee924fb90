/**
 * BASELINE FOR COMPARISON ONLY (optional variant, BENCH_BASELINE_CACHE=on).
 *
 * The reference S5 client (s5.js) answers reads from its own memory: registry entries for 60 s
 * after it read or wrote them, and blobs it uploaded or downloaded for 5 minutes (PROTOCOL.md
 * §5.2 and §11 item 7). That is why the field's measured baseline needs only about two round trips
 * per append, and also why a device never sees another device's update for up to a minute.
 * This decorator gives the baseline the same caches so its timings can be compared with the
 * reference's published figures. It is deliberately as naive as the original: no validation that
 * the cached entry is still current. One concession keeps the retry loop able to make progress:
 * a rejected registry set drops the cached entry for that key, so the retry's re-read asks the node.
 */
import { toBase64Url, type BlobId, type RegistryEntry, type S5Backend } from '@s5chat/s5';

const REGISTRY_TTL_MS = 60_000;
const BLOB_TTL_MS = 5 * 60_000;

export function withReferenceReadCache(inner: S5Backend): S5Backend {
  const registry = new Map<string, { entry: RegistryEntry; at: number }>();
  const blobs = new Map<string, { bytes: Uint8Array; at: number }>();
  const fresh = (at: number, ttl: number) => Date.now() - at < ttl;
  const blobKey = (id: BlobId) => toBase64Url(id.hash);
  return {
    async registryGet(pk, opts) {
      const key = toBase64Url(pk);
      const hit = registry.get(key);
      if (hit && fresh(hit.at, REGISTRY_TTL_MS)) return hit.entry;
      const entry = await inner.registryGet(pk, opts);
      if (entry) registry.set(key, { entry, at: Date.now() });
      return entry;
    },
    async registrySet(entry, opts) {
      const key = toBase64Url(entry.publicKey);
      try {
        await inner.registrySet(entry, opts);
        registry.set(key, { entry, at: Date.now() });
      } catch (err) {
        registry.delete(key);
        throw err;
      }
    },
    async uploadBlob(bytes, opts) {
      const id = await inner.uploadBlob(bytes, opts);
      blobs.set(blobKey(id), { bytes, at: Date.now() });
      return id;
    },
    async downloadBlob(id, opts) {
      const hit = blobs.get(blobKey(id));
      if (hit && fresh(hit.at, BLOB_TTL_MS)) return hit.bytes;
      const bytes = await inner.downloadBlob(id, opts);
      blobs.set(blobKey(id), { bytes, at: Date.now() });
      return bytes;
    },
  };
}
