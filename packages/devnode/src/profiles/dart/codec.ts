import { decodeMultibase, encodeMultibase, toBase64Url } from '../../s5.js';
import { EMPTY_INDEX_ERROR, requireString, sublistRangeError, thrown } from './errors.js';
import type { DartVariant } from './variant.js';

/**
 * Dart's `base64Url.decode` after lib5's `base64UrlNoPaddingDecode` padded the input: accepts both
 * alphabets (the Dart decoder does), rejects anything else with a FormatException.
 */
export function dartBase64Decode(input: string): Uint8Array {
  const stripped = input.replace(/=+$/, '');
  for (let i = 0; i < stripped.length; i++) {
    if (!/[A-Za-z0-9\-_+/]/.test(stripped[i]!)) throw thrown(`FormatException: Invalid character (at character ${i + 1})`);
  }
  if (stripped.length % 4 === 1) throw thrown('FormatException: Invalid length, must be multiple of four');
  return new Uint8Array(Buffer.from(stripped.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url'));
}

/** lib5 `base64UrlNoPaddingDecode(value)` where `value` comes from JSON or a query (so is `dynamic`). */
export function b64Field(value: unknown): Uint8Array {
  return dartBase64Decode(requireString(value));
}

export const b64 = toBase64Url;

/** `base58BitcoinEncode` (the `z` multibase body). */
export const base58 = (bytes: Uint8Array): string => encodeMultibase(bytes, 'z').slice(1);

/** lib5 `Multibase.decodeString` (PORTALS.md §2.5): z/f/b/u/: with Dart's quirks. */
export function decodeDartMultibase(data: string): Uint8Array {
  if (data.length === 0) throw thrown(EMPTY_INDEX_ERROR);
  const c = data[0]!;
  const body = data.slice(1);
  const fail = (what: string) => thrown(`FormatException: ${what}`);
  switch (c) {
    case 'z':
      try {
        return decodeMultibase(data);
      } catch {
        throw fail('Non-base58 character');
      }
    case 'f':
      if (body.length % 2 !== 0) throw fail(`Invalid input length, must be even. (at offset ${body.length})`);
      try {
        return decodeMultibase('f' + body);
      } catch {
        throw fail('Invalid hexadecimal character');
      }
    case 'b': {
      // lib5 pads base32 only to a multiple of 4, so most lengths fail to decode.
      let str = body.toUpperCase();
      while (str.length % 4 !== 0) str += '=';
      if (str.length % 8 !== 0) throw fail('Invalid base32 length');
      try {
        return decodeMultibase('b' + str.replace(/=+$/, '').toLowerCase());
      } catch {
        throw fail('Invalid base32 character');
      }
    }
    case 'u':
      return dartBase64Decode(body);
    case ':':
      return new TextEncoder().encode(data);
    default:
      throw thrown(`Multibase encoding ${c} not supported`);
  }
}

export const CID_TYPE_RAW = 0x26;
export const CID_TYPE_BRIDGE = 0x3a;
export const MHASH_BLAKE3_DEFAULT = 0x1f;

export interface DartCid {
  type: number;
  /** The multihash bytes the node looks blobs up by, exactly as parsed. */
  hash: Uint8Array;
}

/**
 * lib5 `CID.decode` (PORTALS.md §2.5). Only type 0x26 is parsed as `type ‖ hash33 ‖ size`; on HEAD
 * every other type takes all remaining bytes as the hash, in lib5 0.2.0 (v0.14.1) bytes[1..34).
 * So the BlobIdentifier `0x5b 0x82 …` yields a hash no store has.
 */
export function decodeDartCid(text: string, variant: DartVariant): DartCid {
  const bytes = decodeDartMultibase(text);
  if (bytes.length === 0) throw thrown(EMPTY_INDEX_ERROR);
  const type = bytes[0]!;
  if (type === CID_TYPE_BRIDGE) return { type, hash: bytes };
  if (type === CID_TYPE_RAW || variant.otherTypesHash === 'fixed34') {
    if (bytes.length < 34) throw sublistRangeError(1, 34, bytes.length);
    return { type, hash: bytes.slice(1, 34) };
  }
  return { type, hash: bytes.slice(1) };
}

/** The legacy raw CID `0x26 ‖ multihash ‖ sizeLE` (trailing zero bytes trimmed, ≥ 1 byte), base58 `z` (lib5 CID.toBytes). */
export function legacyRawCid(multihash: Uint8Array, size: number): string {
  const sizeBytes: number[] = [];
  let n = size;
  for (let i = 0; i < 8; i++) {
    sizeBytes.push(n % 256);
    n = Math.floor(n / 256);
  }
  while (sizeBytes.length > 0 && sizeBytes[sizeBytes.length - 1] === 0) sizeBytes.pop();
  if (sizeBytes.length === 0) sizeBytes.push(0);
  const out = new Uint8Array(1 + multihash.length + sizeBytes.length);
  out[0] = CID_TYPE_RAW;
  out.set(multihash, 1);
  out.set(sizeBytes, 1 + multihash.length);
  return encodeMultibase(out, 'z');
}

/** The 33-byte `0x1f ‖ digest` multihash Dart stores blobs under. */
export function defaultMultihash(digest: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = MHASH_BLAKE3_DEFAULT;
  out.set(digest, 1);
  return out;
}

/** The stored digest (hex) a multihash resolves to on Dart: only the exact `0x1f ‖ digest32` form. */
export function storedDigestHex(hash: Uint8Array): string | undefined {
  if (hash.length !== 33 || hash[0] !== MHASH_BLAKE3_DEFAULT) return undefined;
  return Buffer.from(hash.subarray(1)).toString('hex');
}
