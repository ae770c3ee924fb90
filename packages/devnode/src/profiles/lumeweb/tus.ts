import { randomBytes } from 'node:crypto';
import { empty, type Reply } from '../../http/reply.js';
import type { RequestContext } from '../../http/router.js';
import type { Services } from '../../services.js';
import { blake3, bytesToHex, equalBytes } from '../../s5.js';
import { readAll } from '../dart/body.js';
import { goErrorReply, goRawUrlDecode } from './errors.js';

type Ctx = RequestContext<Services>;

/** tusd keeps uploads in its store; the devnode keeps them in memory, bounded. */
const MAX_TUS_BYTES = 1024 * 1024 * 1024;

interface Upload {
  length: number;
  digest: Uint8Array;
  chunks: Buffer[];
  offset: number;
}

const tusHeaders = { 'tus-resumable': '1.0.0' };
const tusError = (status: number, text: string): Reply => {
  const r = goErrorReply(status, text);
  return { ...r, headers: { ...r.headers, ...tusHeaders } };
};

/**
 * LumeWeb's tus (PORTALS.md §2.4, LW column): standard tusd core protocol at `/s5/upload/tus`, token
 * on every request (the 201 `Location` carries `?auth_token=` when the POST sent `Authorization`),
 * `hash` metadata = b64url(multihash) compared by digest only (0x1e and 0x1f both work). A hash
 * already stored is refused by the pre-create hook (`file already exists`; the status tusd sends is
 * [unconfirmed] in PORTALS.md, here 500). A completed upload whose bytes do not match the announced
 * digest is not stored (tusd's post-finish processing), although the PATCH itself succeeds.
 */
export class LumewebTus {
  readonly #uploads = new Map<string, Upload>();

  async create({ req }: Ctx, services: Services): Promise<Reply> {
    if (req.headers['tus-resumable'] !== '1.0.0') return tusError(412, 'ERR_UNSUPPORTED_VERSION: missing, invalid or unsupported Tus-Resumable header');
    const lengthHeader = String(req.headers['upload-length'] ?? '');
    if (!/^\d+$/.test(lengthHeader)) return tusError(400, 'ERR_INVALID_UPLOAD_LENGTH: missing or invalid Upload-Length header');
    const length = Number(lengthHeader);
    if (length > MAX_TUS_BYTES) return tusError(413, 'ERR_MAX_SIZE_EXCEEDED: maximum size exceeded');
    const metadata = new Map<string, string>();
    for (const pair of String(req.headers['upload-metadata'] ?? '').split(',')) {
      const [key, value] = pair.trim().split(' ');
      if (key) metadata.set(key, value ? Buffer.from(value, 'base64').toString('utf8') : '');
    }
    const hash = metadata.get('hash');
    if (hash === undefined) return tusError(500, 'missing hash');
    let digest: Uint8Array;
    try {
      digest = goRawUrlDecode(hash).subarray(1);
    } catch (err) {
      return tusError(500, (err as Error).message);
    }
    if (digest.length === 32 && (await services.blobs.size(bytesToHex(digest))) !== undefined) return tusError(500, 'file already exists');
    const id = randomBytes(16).toString('hex');
    this.#uploads.set(id, { length, digest, chunks: [], offset: 0 });
    const location = new URL(`http://${req.headers.host ?? 'localhost'}/s5/upload/tus/${id}`);
    const auth = (req.headers.authorization ?? '').replace(/^(Bearer|bearer) /, '');
    if (auth) location.searchParams.set('auth_token', auth);
    return empty(201, { ...tusHeaders, location: location.toString() });
  }

  async head({ req, params }: Ctx): Promise<Reply> {
    if (req.headers['tus-resumable'] !== '1.0.0') return tusError(412, 'ERR_UNSUPPORTED_VERSION: missing, invalid or unsupported Tus-Resumable header');
    const u = this.#uploads.get(params.id!);
    if (!u) return tusError(404, 'ERR_UPLOAD_NOT_FOUND: upload not found');
    return empty(200, { ...tusHeaders, 'upload-offset': String(u.offset), 'upload-length': String(u.length), 'cache-control': 'no-store' });
  }

  async patch({ req, params }: Ctx, services: Services): Promise<Reply> {
    if (req.headers['tus-resumable'] !== '1.0.0') return tusError(412, 'ERR_UNSUPPORTED_VERSION: missing, invalid or unsupported Tus-Resumable header');
    const u = this.#uploads.get(params.id!);
    if (!u) return tusError(404, 'ERR_UPLOAD_NOT_FOUND: upload not found');
    if (req.headers['content-type'] !== 'application/offset+octet-stream') return tusError(415, 'ERR_INVALID_CONTENT_TYPE: missing or invalid Content-Type header');
    if (String(req.headers['upload-offset'] ?? '') !== String(u.offset)) return tusError(409, 'ERR_MISMATCHED_OFFSET: mismatched offset');
    const { bytes, over } = await readAll(req, u.length - u.offset);
    if (over) return tusError(413, 'ERR_UPLOAD_SIZE_EXCEEDED: upload\'s size exceeded');
    u.chunks.push(Buffer.from(bytes));
    u.offset += bytes.length;
    if (u.offset === u.length) {
      const all = new Uint8Array(Buffer.concat(u.chunks));
      u.chunks = [];
      const digest = blake3(all);
      if (equalBytes(digest, u.digest)) {
        const created = await services.blobs.put(bytesToHex(digest), all);
        services.stats.counters.uploads++;
        if (created) services.stats.blobStored(all.length);
      } else {
        services.log(`lumeweb tus: upload ${params.id} does not match its announced hash; not stored`);
      }
    }
    return empty(204, { ...tusHeaders, 'upload-offset': String(u.offset) });
  }
}
