import { ValidationError } from '../errors.js';

/**
 * Little-endian integer codecs. u64 goes through BigInt: s5.js encodes with 32-bit bit operations and
 * gets every value >= 2^31 wrong (PROTOCOL §11 item 10); we never do.
 */

function assertUint(value: number, max: number, path: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ValidationError([{ path, message: `expected an integer in 0..${max}, got ${String(value)}` }]);
  }
}

/** n as `width`-byte little-endian (width <= 8, value a safe integer). */
export function encodeUintLE(value: number, width: number, path = 'value'): Uint8Array {
  const max = width >= 7 ? Number.MAX_SAFE_INTEGER : 2 ** (8 * width) - 1;
  assertUint(value, max, path);
  const out = new Uint8Array(width);
  let v = BigInt(value);
  for (let i = 0; i < width; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Little-endian unsigned integer of any length up to 8 bytes, as a number (must be a safe integer). */
export function decodeUintLE(bytes: Uint8Array, path = 'value'): number {
  if (bytes.length > 8) throw new ValidationError([{ path, message: `integer wider than 8 bytes (${bytes.length})` }]);
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError([{ path, message: 'integer exceeds Number.MAX_SAFE_INTEGER' }]);
  }
  return Number(v);
}

export const encodeU64LE = (value: number, path?: string): Uint8Array => encodeUintLE(value, 8, path);
export const encodeU32LE = (value: number, path?: string): Uint8Array => encodeUintLE(value, 4, path);

/** deriveHashInt tweak: n little-endian padded to 32 bytes (PROTOCOL §3). */
export function encodeTweak32(n: number): Uint8Array {
  const head = encodeUintLE(n, 8, 'tweak');
  const out = new Uint8Array(32);
  out.set(head);
  return out;
}

/** Size in a BlobIdentifier: u64 LE with trailing zero bytes removed, at least one byte (PROTOCOL §5.1). */
export function encodeTrimmedSize(size: number): Uint8Array {
  const full = encodeUintLE(size, 8, 'size');
  let len = 8;
  while (len > 1 && full[len - 1] === 0) len--;
  return full.slice(0, len);
}
