/**
 * tus upload for blobs above the single-request limit (PORTALS.md §2.4, §3 item 6), on Dart: POST
 * `/s5/upload/tus` with `Upload-Length` and `Upload-Metadata: hash <base64(b64url(0x1f ‖ digest))>`
 * (the `0x1e` of the spec page fails there with `Invalid hash found`), then PATCHes from the offset
 * the node holds. A 409 `…has already been uploaded…` means the node has the blob. The node returns
 * no CID: the caller builds it locally (the digest was checked by the node's final PATCH).
 */
import { PortalRejectedError } from '../errors.js';
import { toBase64Url } from '../encoding/base64url.js';
import { concatBytes, utf8ToBytes } from '../encoding/bytes.js';
import { MULTIHASH_BLAKE3_DEFAULT, type BlobId } from '../blob-id.js';
import { throwForStatus, type HttpResult } from './http.js';

export interface TusTransport {
  /** One request to an absolute URL or a path below the portal, under the caller's retry policy. */
  send(method: 'POST' | 'PATCH' | 'HEAD', target: string, headers: Record<string, string>, body?: Uint8Array): Promise<HttpResult>;
}

/** 16 MiB per PATCH: Dart buffers each PATCH body in memory. */
export const TUS_CHUNK_BYTES = 16 * 1024 * 1024;

function standardBase64(bytes: Uint8Array): string {
  return toBase64Url(bytes).replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((3 - (bytes.length % 3)) % 3);
}

/** `Upload-Metadata` value naming the blob by its Dart multihash. */
export function tusHashMetadata(id: BlobId): string {
  const multihash = concatBytes(Uint8Array.of(MULTIHASH_BLAKE3_DEFAULT), id.hash);
  return `hash ${standardBase64(utf8ToBytes(toBase64Url(multihash)))}`;
}

/** Returns `'stored'` when the node already had the blob, else `'uploaded'`. */
export async function tusUpload(t: TusTransport, data: Uint8Array, id: BlobId, token: string): Promise<'stored' | 'uploaded'> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const created = await t.send('POST', '/s5/upload/tus', {
    ...auth,
    'tus-resumable': '1.0.0',
    'upload-length': String(data.length),
    'upload-metadata': tusHashMetadata(id),
  });
  if (created.status === 409) return 'stored';
  if (created.status !== 201) throwForStatus(created, { op: 'upload', what: 'tus create', size: data.length });
  const location = created.headers.get('location');
  if (!location) throw new PortalRejectedError('Portal created a tus upload without a Location.', { status: created.status });
  let offset = 0;
  while (offset < data.length) {
    const chunk = data.slice(offset, Math.min(data.length, offset + TUS_CHUNK_BYTES));
    const res = await t.send(
      'PATCH',
      location,
      { ...auth, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
      chunk,
    );
    if (res.status !== 204 && res.status !== 200) throwForStatus(res, { op: 'upload', what: 'tus patch', size: data.length });
    const next = Number(res.headers.get('upload-offset'));
    if (!Number.isSafeInteger(next) || next <= offset || next > data.length) {
      throw new PortalRejectedError('Portal answered a tus PATCH with an impossible Upload-Offset.', {
        details: `offset ${offset}, answered ${res.headers.get('upload-offset')}`,
      });
    }
    offset = next;
  }
  return 'uploaded';
}
