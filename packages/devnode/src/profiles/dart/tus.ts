import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../http/router.js';
import { empty, text, type Reply } from '../../http/reply.js';
import type { Services } from '../../services.js';
import { blake3, bytesToHex, equalBytes } from '../../s5.js';
import { dartCheckAuth, type DartAuthConfig } from './auth.js';
import { readAll } from './body.js';
import { base58, dartBase64Decode, defaultMultihash, legacyRawCid, storedDigestHex } from './codec.js';
import { NULL_CHECK, thrown } from './errors.js';
import { dartUtf8Decode } from './body.js';

type Ctx = RequestContext<Services>;

/** Completed sessions are dropped this long after the last PATCH (http_api.dart:325-327). */
const SESSION_LINGER_MS = 10 * 60_000;
/** Dart has no tus limit; this only bounds the devnode's memory. */
const MAX_TUS_BYTES = 1024 * 1024 * 1024;

interface Session {
  totalLength: number;
  expectedHash: Uint8Array;
  chunks: Buffer[];
  offset: number;
}

/**
 * Dart's tus routes (PORTALS.md §2.4): POST needs a token, PATCH and HEAD do not. The `hash` metadata
 * must be the `0x1f` multihash; the final PATCH compares it with the node's own hash and fails with
 * `Invalid hash found`. No CID is returned.
 */
export class DartTus {
  readonly #sessions = new Map<string, Session>();

  constructor(private readonly auth: DartAuthConfig) {}

  async create({ req, url, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 's5/upload/tus', services, this.auth);
    const totalLength = dartIntParse(req.headers['upload-length']);
    const metadata = req.headers['upload-metadata'];
    if (typeof metadata !== 'string') throw thrown(NULL_CHECK);
    const pair = metadata.split(',').map((e) => e.split(' ')).find((e) => e[0] === 'hash');
    if (!pair) throw thrown('Bad state: No element');
    if (pair.length < 2) throw thrown('RangeError (index): Invalid value: Only valid value is 0: 1');
    const mhash = dartBase64Decode(dartUtf8Decode(standardBase64(pair[1]!)));
    const digestHex = storedDigestHex(mhash);
    if (digestHex && (await services.blobs.size(digestHex)) !== undefined) {
      return text(409, `Raw file with CID ${legacyRawCid(mhash, totalLength)} has already been uploaded to this node`);
    }
    if (totalLength > MAX_TUS_BYTES) throw thrown(`devnode: tus uploads above ${MAX_TUS_BYTES} bytes are not kept in memory`);
    const id = base58(new Uint8Array(randomBytes(32)));
    this.#sessions.set(id, { totalLength, expectedHash: mhash, chunks: [], offset: 0 });
    const location = new URL(`http://${req.headers.host ?? 'localhost'}${req.url ?? ''}`);
    location.pathname = `/s5/upload/tus/${id}`;
    return empty(201, { 'tus-resumable': '1.0.0', location: location.toString() });
  }

  async head({ params }: Ctx): Promise<Reply> {
    const s = this.#sessions.get(params.id!);
    if (!s) return empty(404);
    return empty(200, {
      'tus-resumable': '1.0.0',
      'upload-offset': String(s.offset),
      'upload-length': String(s.totalLength),
      'cache-control': 'no-store',
    });
  }

  async patch({ req, params, services }: Ctx): Promise<Reply> {
    const id = params.id!;
    const s = this.#sessions.get(id);
    if (!s) return empty(404);
    const offset = dartIntParse(req.headers['upload-offset']);
    if (offset !== s.offset) throw thrown('Invalid offset');
    const room = MAX_TUS_BYTES - s.offset;
    const { bytes, over } = await readAll(req, room);
    if (over) throw thrown('devnode: tus upload grew beyond the devnode memory bound');
    s.chunks.push(Buffer.from(bytes));
    s.offset += bytes.length;
    if (s.offset !== s.totalLength) return empty(204, { 'tus-resumable': '1.0.0', 'upload-offset': String(s.offset) });
    const all = new Uint8Array(Buffer.concat(s.chunks));
    const digest = blake3(all);
    if (!equalBytes(defaultMultihash(digest), s.expectedHash)) {
      this.#sessions.delete(id);
      throw thrown('Invalid hash found');
    }
    const created = await services.blobs.put(bytesToHex(digest), all);
    services.stats.counters.uploads++;
    if (created) services.stats.blobStored(all.length);
    s.chunks = [];
    setTimeout(() => this.#sessions.delete(id), SESSION_LINGER_MS).unref();
    return empty(204, { 'tus-resumable': '1.0.0', 'upload-offset': String(s.totalLength) });
  }
}

/** `int.parse(req.headers.value(name)!)`. */
function dartIntParse(value: string | string[] | undefined): number {
  if (value === undefined) throw thrown(NULL_CHECK);
  const v = Array.isArray(value) ? value.join(', ') : value;
  if (!/^[+-]?\d+$/.test(v.trim())) throw thrown(`FormatException: Invalid radix-10 number (at character 1)\n${v}\n^\n`);
  return Number.parseInt(v.trim(), 10);
}

/** `base64.decode` (standard alphabet, padding required). */
function standardBase64(value: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw thrown('FormatException: Invalid character (at character 1)');
  }
  return new Uint8Array(Buffer.from(value, 'base64'));
}
