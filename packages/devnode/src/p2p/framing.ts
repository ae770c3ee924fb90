import { decodeMulti, encode } from '@msgpack/msgpack';

/**
 * S5 P2P messages are msgpack *sequences*: consecutive values without an enclosing array header
 * (PROTOCOL §7.2). Byte strings must travel as msgpack `bin`, which is what @msgpack/msgpack emits
 * for Uint8Array.
 */
export function encodeSeq(values: readonly unknown[]): Uint8Array {
  const parts = values.map((v) => encode(v));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Limits so a hostile frame cannot make us allocate much (frames are small by design). */
const DECODE_LIMITS = { maxStrLength: 4096, maxBinLength: 1 << 16, maxArrayLength: 64, maxMapLength: 16, maxExtLength: 0 };

/** Decode a sequence; throws on malformed msgpack. */
export function decodeSeq(bytes: Uint8Array): unknown[] {
  return [...decodeMulti(bytes, DECODE_LIMITS)];
}

export function isBytes(v: unknown, length?: number): v is Uint8Array {
  return v instanceof Uint8Array && (length === undefined || v.length === length);
}
