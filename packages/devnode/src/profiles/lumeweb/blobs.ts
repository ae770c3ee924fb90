import type { Reply } from '../../http/reply.js';
import type { RequestContext } from '../../http/router.js';
import type { Services } from '../../services.js';
import { blake3, bytesToHex, decodeMultibase, toBase64Url } from '../../s5.js';
import { readAll } from '../dart/body.js';
import { defaultMultihash, legacyRawCid } from '../dart/codec.js';
import { readMultipartFile } from '../../http/multipart.js';
import { GoDecodeError, goJson, goRawUrlDecode, GoHttpError, MSG, s5Error } from './errors.js';

type Ctx = RequestContext<Services>;

/** libs5-go's provider timeout (storage/provider/provider.go:229). */
export const BLOB_MISS_WAIT_MS = 60_000;
/** LW has no upload cap (ParseMultipartForm's limit is a memory threshold); this bounds the devnode's memory. */
const UPLOAD_MEMORY_BOUND = 1024 * 1024 * 1024;
/** CID types libs5-go knows (types/cid.go). */
const KNOWN_CID_TYPES = new Set([0x26, 0xc5, 0x59, 0x25, 0x77, 0x3a, 0xae, 0xad, 0x5d]);

/** libs5-go `CIDFromString` (encoding/cid.go:271-301): ≥ 34 bytes and a known type. Returns the 33-byte multihash. */
export function lumewebCid(text: string): Uint8Array {
  if (text.length === 0) throw new Error('cannot decode multibase for zero length string');
  const c = text[0]!;
  let bytes: Uint8Array;
  if (c === ':') bytes = new TextEncoder().encode(text);
  else if ('zfub'.includes(c)) {
    try {
      bytes = decodeMultibase(text);
    } catch {
      throw new Error('illegal multibase data');
    }
  } else throw new Error('multibase encoding not supported');
  if (bytes.length === 0) throw new Error('empty bytes');
  const type = bytes[0]!;
  if (type === 0x3a) return bytes.slice(1, 35);
  if (bytes.length < 34) throw new Error('invalid cid');
  if (!KNOWN_CID_TYPES.has(type)) throw new Error(`invalid cid type ${type}`);
  return bytes.slice(1, 34);
}

/** LumeWeb's upload and download routes (PORTALS.md §2.3, §2.5). Blobs are looked up by digest. */
export class LumewebBlobs {
  async upload({ req }: Ctx, services: Services): Promise<Reply> {
    let bytes: Uint8Array;
    if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      try {
        bytes = await readMultipartFile(req, UPLOAD_MEMORY_BOUND);
      } catch (err) {
        throw s5Error(500, MSG.uploadFailed, err instanceof Error && /no file part/.test(err.message) ? 'http: no such file' : 'multipart: NextPart: EOF');
      }
    } else {
      const all = await readAll(req, UPLOAD_MEMORY_BOUND);
      if (all.over) throw s5Error(500, MSG.uploadFailed, 'devnode memory bound exceeded');
      bytes = all.bytes;
    }
    const digest = blake3(bytes);
    const created = await services.blobs.put(bytesToHex(digest), bytes);
    services.stats.counters.uploads++;
    if (created) services.stats.blobStored(bytes.length);
    return goJson({ cid: legacyRawCid(defaultMultihash(digest), bytes.length) });
  }

  /**
   * `GET /s5/blob/{cid}` (token): the portal's own node is excluded from the candidates, so on a
   * single devnode nothing is ever found: 60 s (× timeScale), then 500. A 302 happens only when
   * another node provides the blob, which a lone devnode never has.
   */
  async blob({ params }: Ctx, services: Services): Promise<Reply> {
    let hash: Uint8Array;
    try {
      hash = lumewebCid(params.cid!.split('.')[0]!);
    } catch (err) {
      throw s5Error(400, 'error decoding cid', (err as Error).message);
    }
    await services.wait(BLOB_MISS_WAIT_MS);
    throw s5Error(500, 'error fetching blob', `Could not download raw file: Timed out after 1m0s ${toBase64Url(hash)}`);
  }

  /** `GET /s5/download/{cid}` (no token): a CID of any known type or a bare b64url multihash, by digest; 404 empty on a miss. */
  async download({ req, params }: Ctx, services: Services): Promise<Reply> {
    const id = params.cid!.replace(/\.obao$/, '');
    let digest: Uint8Array;
    try {
      digest = lumewebCid(id).subarray(1);
    } catch {
      try {
        digest = goRawUrlDecode(id).subarray(1);
      } catch (err) {
        throw new GoHttpError(400, `error decoding as cid or hash: ${err instanceof GoDecodeError ? err.message : String(err)}`);
      }
    }
    const hex = digest.length === 32 ? bytesToHex(digest) : undefined;
    const bytes = hex ? await services.blobs.get(hex) : undefined;
    if (!bytes || (services.verifyBlobsOnRead && bytesToHex(blake3(bytes)) !== hex)) return { status: 404 };
    return serveContent(req.headers.range, bytes);
  }
}

/** `http.ServeContent` for one in-memory blob: a single `bytes=a-b` range → 206, otherwise 200. */
function serveContent(range: string | undefined, bytes: Uint8Array): Reply {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes' };
  const m = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (m && (m[1] || m[2])) {
    const size = bytes.length;
    let start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    let end = m[1] ? (m[2] ? Math.min(Number(m[2]), size - 1) : size - 1) : size - 1;
    if (start >= size || start > end) {
      return { status: 416, headers: { 'content-range': `bytes */${size}`, 'content-type': 'text/plain; charset=utf-8' }, body: 'invalid range: failed to overlap\n' };
    }
    start = Math.max(0, start);
    end = Math.max(start, end);
    return { status: 206, headers: { ...headers, 'content-range': `bytes ${start}-${end}/${size}` }, body: bytes.slice(start, end + 1) };
  }
  return { status: 200, headers, body: bytes };
}
