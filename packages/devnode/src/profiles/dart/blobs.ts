import type { RequestContext } from '../../http/router.js';
import { empty, type Reply } from '../../http/reply.js';
import type { Services } from '../../services.js';
import { blake3, bytesToHex, toBase64Url } from '../../s5.js';
import { dartCheckAuth, type DartAuthConfig } from './auth.js';
import { contentType, dartMultipartFile, readAll } from './body.js';
import { decodeDartCid, defaultMultihash, legacyRawCid, storedDigestHex, CID_TYPE_RAW } from './codec.js';
import { thrown } from './errors.js';
import type { DartStoreServer } from './store-server.js';
import type { DartVariant } from './variant.js';

type Ctx = RequestContext<Services>;

/** lib5's StorageLocationProvider gives up after this long (uri_provider.dart:16). */
export const BLOB_MISS_WAIT_MS = 60_000;
const TIMEOUT_TEXT = 'Timed out after 0:01:00.000000';

/** How Dart reports a blob nobody provides, after the full wait (PORTALS.md §2.5 "missing"). */
export const missText = (hash: Uint8Array) => `Could not download raw file: ${TIMEOUT_TEXT} ${toBase64Url(hash)}`;

/** Dart's blob routes: upload, `/s5/blob` redirect, `/s5/download` (PORTALS.md §2.3, §2.5). */
export class DartBlobs {
  constructor(
    private readonly variant: DartVariant,
    private readonly auth: DartAuthConfig,
    private readonly store: DartStoreServer,
  ) {}

  /** `POST /s5/upload`: auth, read everything, then the size check, store under 0x1f, legacy CID. */
  async upload({ req, url, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/upload', services, this.auth);
    const limit = this.variant.maxUploadBytes;
    const { bytes, over } =
      contentType(req)?.mime === 'multipart/form-data' ? await dartMultipartFile(req, limit) : await readAll(req, limit);
    if (over || bytes.length > limit) throw thrown(this.variant.uploadLimitText);
    const digest = blake3(bytes);
    const created = await services.blobs.put(bytesToHex(digest), bytes);
    services.stats.counters.uploads++;
    if (created) services.stats.blobStored(bytes.length);
    return dartJson({ cid: legacyRawCid(defaultMultihash(digest), bytes.length) });
  }

  /**
   * `GET /s5/blob/:cid` (no auth): cut at the first `.`, lib5 `CID.decode`, look up the exact
   * multihash. Found → 307 to the store origin. Otherwise the node waits for storage locations the
   * full 60 s (× timeScale) and answers 500 — never a 404 (PORTALS.md §2.5).
   */
  async redirect({ req, url, params, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/blob/redirect', services, this.auth);
    const cid = decodeDartCid(param(params.cid!).split('.')[0]!, this.variant);
    const digestHex = storedDigestHex(cid.hash);
    if (digestHex && (await services.blobs.size(digestHex)) !== undefined) {
      return empty(307, { location: this.store.urlFor(cid.hash) });
    }
    await services.wait(BLOB_MISS_WAIT_MS);
    throw thrown(missText(cid.hash));
  }

  /** `GET /s5/download/:cid` (token): no `.`-cut, type must be 0x26; bytes served by the node itself. */
  async download({ req, url, params, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/download', services, this.auth);
    const cid = decodeDartCid(param(params.cid!), this.variant);
    if (cid.type !== CID_TYPE_RAW) throw thrown('This is not a raw CID');
    const digestHex = storedDigestHex(cid.hash);
    const bytes = digestHex ? await services.blobs.get(digestHex) : undefined;
    if (!bytes || (services.verifyBlobsOnRead && bytesToHex(blake3(bytes)) !== digestHex)) {
      await services.wait(BLOB_MISS_WAIT_MS);
      throw thrown(missText(cid.hash));
    }
    return {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        etag: `"${toBase64Url(cid.hash)}"`,
        'cache-control': 'public, max-age=31536000',
      },
      body: bytes,
    };
  }
}

/** Route parameters arrive percent-decoded in Alfred. */
function param(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** Alfred serialises a returned Map as JSON. */
export function dartJson(value: unknown, headers: Record<string, string> = {}): Reply {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}
