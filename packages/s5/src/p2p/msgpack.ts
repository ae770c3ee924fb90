/**
 * The msgpack subset S5 P2P frames use (PROTOCOL §7.2): nil, booleans, integers, floats, str, bin,
 * arrays and maps; no extension types. Hand-written rather than @msgpack/msgpack because that
 * library is 21 KB minified (~6 KB gzip) in every browser bundle of the SDK — a quarter of the
 * budget checked by sdk-core's test/size — while these frames need ~150 lines. Encodings are the
 * canonical smallest forms, byte-identical to @msgpack/msgpack's (test/msgpack.test.ts checks both
 * directions against it).
 */

export interface DecodeLimits {
  maxStrLength: number;
  maxBinLength: number;
  maxArrayLength: number;
  maxMapLength: number;
  /** Nesting depth of arrays/maps. */
  maxDepth: number;
}

import { bytesToUtf8, utf8ToBytes } from '../encoding/bytes.js';

export class MsgpackError extends Error {
  override name = 'MsgpackError';
}


// --- encode ------------------------------------------------------------------------------------

export function encodeValue(value: unknown): Uint8Array {
  const out: number[] = [];
  const chunks: Uint8Array[] = [];
  const flush = () => {
    if (out.length) chunks.push(Uint8Array.from(out.splice(0)));
  };
  const bytes = (b: Uint8Array) => {
    flush();
    chunks.push(b);
  };
  /** `type`, then `n` big-endian in `size` bytes (two's complement when negative). */
  const fixed = (type: number, size: number, n: number) => {
    out.push(type);
    const b = BigInt.asUintN(size * 8, BigInt(n));
    for (let i = size - 1; i >= 0; i--) out.push(Number((b >> BigInt(8 * i)) & 0xffn));
  };
  /** The smallest length header: fix form up to `fixMax`, then `base` (8-bit, unless !has8), base+1 (16), base+2 (32). */
  const header = (len: number, fix: number, fixMax: number, base: number, has8 = true) => {
    if (len <= fixMax) out.push(fix | len);
    else if (has8 && len < 0x100) out.push(base, len);
    else fixed(len < 0x10000 ? base + 1 : base + 2, len < 0x10000 ? 2 : 4, len);
  };
  const write = (v: unknown): void => {
    if (v === null || v === undefined) out.push(0xc0);
    else if (typeof v === 'boolean') out.push(v ? 0xc3 : 0xc2);
    else if (typeof v === 'number') writeNumber(v);
    else if (typeof v === 'string') {
      const b = utf8ToBytes(v);
      header(b.length, 0xa0, 31, 0xd9);
      bytes(b);
    } else if (v instanceof Uint8Array) {
      header(v.length, 0, -1, 0xc4);
      bytes(v);
    } else if (Array.isArray(v)) {
      header(v.length, 0x90, 15, 0xdb, false);
      v.forEach(write);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      header(entries.length, 0x80, 15, 0xdd, false);
      for (const [k, x] of entries) {
        write(k);
        write(x);
      }
    } else throw new MsgpackError(`cannot encode a ${typeof v}`);
  };
  const writeNumber = (n: number) => {
    if (!Number.isSafeInteger(n)) {
      out.push(0xcb);
      const f = new Uint8Array(8);
      new DataView(f.buffer).setFloat64(0, n);
      out.push(...f);
    } else if (n >= 0 ? n < 0x80 : n >= -32) out.push(n & 0xff); // positive / negative fixint
    else {
      // The smallest of 1, 2, 4, 8 bytes (2^w) that holds n: uint 0xcc.. or int 0xd0..
      let w = 0;
      while (w < 3 && (n >= 0 ? n >= 2 ** (8 << w) : n < -(2 ** ((8 << w) - 1)))) w++;
      fixed((n >= 0 ? 0xcc : 0xd0) + w, 1 << w, n);
    }
  };
  write(value);
  flush();
  if (chunks.length === 1) return chunks[0]!;
  const result = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    result.set(c, off);
    off += c.length;
  }
  return result;
}

// --- decode ------------------------------------------------------------------------------------

/** Decode every value of a msgpack sequence (values back to back, no enclosing header). */
export function decodeSequence(bytes: Uint8Array, limits: DecodeLimits): unknown[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new MsgpackError(`truncated msgpack at byte ${pos}`);
  };
  const uint = (size: number): number => {
    need(size);
    const v = size === 1 ? view.getUint8(pos) : size === 2 ? view.getUint16(pos) : size === 4 ? view.getUint32(pos) : Number(view.getBigUint64(pos));
    pos += size;
    return v;
  };
  const int = (size: number): number => {
    need(size);
    const v = size === 1 ? view.getInt8(pos) : size === 2 ? view.getInt16(pos) : size === 4 ? view.getInt32(pos) : Number(view.getBigInt64(pos));
    pos += size;
    return v;
  };
  const take = (len: number, max: number, what: string): Uint8Array => {
    if (len > max) throw new MsgpackError(`${what} of ${len} bytes exceeds the limit ${max}`);
    need(len);
    const b = bytes.slice(pos, pos + len);
    pos += len;
    return b;
  };
  const str = (len: number) => {
    try {
      return bytesToUtf8(take(len, limits.maxStrLength, 'str'));
    } catch (e) {
      throw e instanceof MsgpackError ? e : new MsgpackError('invalid UTF-8 in str');
    }
  };
  const array = (len: number, depth: number) => {
    if (len > limits.maxArrayLength) throw new MsgpackError(`array of ${len} items exceeds the limit ${limits.maxArrayLength}`);
    const a: unknown[] = [];
    for (let i = 0; i < len; i++) a.push(read(depth + 1));
    return a;
  };
  const map = (len: number, depth: number) => {
    if (len > limits.maxMapLength) throw new MsgpackError(`map of ${len} entries exceeds the limit ${limits.maxMapLength}`);
    const m: Record<string, unknown> = {};
    for (let i = 0; i < len; i++) {
      const k = read(depth + 1);
      if (typeof k !== 'string' && typeof k !== 'number') throw new MsgpackError('map key is not a string or number');
      Object.defineProperty(m, String(k), { value: read(depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return m;
  };
  const read = (depth: number): unknown => {
    if (depth > limits.maxDepth) throw new MsgpackError(`nesting deeper than ${limits.maxDepth}`);
    const t = uint(1);
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t >= 0xa0 && t <= 0xbf) return str(t & 0x1f);
    if (t >= 0x90 && t <= 0x9f) return array(t & 0x0f, depth);
    if (t >= 0x80 && t <= 0x8f) return map(t & 0x0f, depth);
    // Width-indexed families: bin8/16/32, uint8..64, int8..64, str8/16/32 (1 << (t - first) bytes).
    if (t >= 0xc4 && t <= 0xc6) return take(uint(1 << (t - 0xc4)), limits.maxBinLength, 'bin');
    if (t >= 0xcc && t <= 0xcf) return uint(1 << (t - 0xcc));
    if (t >= 0xd0 && t <= 0xd3) return int(1 << (t - 0xd0));
    if (t >= 0xd9 && t <= 0xdb) return str(uint(1 << (t - 0xd9)));
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xca: need(4); pos += 4; return view.getFloat32(pos - 4);
      case 0xcb: need(8); pos += 8; return view.getFloat64(pos - 8);
      case 0xdc: return array(uint(2), depth);
      case 0xdd: return array(uint(4), depth);
      case 0xde: return map(uint(2), depth);
      case 0xdf: return map(uint(4), depth);
      default: throw new MsgpackError(`unsupported msgpack type 0x${t.toString(16)} at byte ${pos - 1}`);
    }
  };
  const values: unknown[] = [];
  while (pos < bytes.length) values.push(read(0));
  return values;
}
