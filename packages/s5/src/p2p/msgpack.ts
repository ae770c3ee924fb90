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
  const be = (n: number, size: number) => {
    for (let i = size - 1; i >= 0; i--) out.push(Math.floor(n / 2 ** (8 * i)) & 0xff);
  };
  const header = (len: number, fix: number | null, fixMax: number, t8: number | null, t16: number, t32: number) => {
    if (fix !== null && len <= fixMax) out.push(fix | len);
    else if (t8 !== null && len < 0x100) out.push(t8, len);
    else if (len < 0x10000) out.push(t16, ...[len >> 8, len & 0xff]);
    else {
      out.push(t32);
      be(len, 4);
    }
  };
  const write = (v: unknown): void => {
    if (v === null || v === undefined) out.push(0xc0);
    else if (v === false) out.push(0xc2);
    else if (v === true) out.push(0xc3);
    else if (typeof v === 'number') writeNumber(v);
    else if (typeof v === 'string') {
      const b = utf8ToBytes(v);
      header(b.length, 0xa0, 31, 0xd9, 0xda, 0xdb);
      bytes(b);
    } else if (v instanceof Uint8Array) {
      header(v.length, null, 0, 0xc4, 0xc5, 0xc6);
      bytes(v);
    } else if (Array.isArray(v)) {
      header(v.length, 0x90, 15, null, 0xdc, 0xdd);
      v.forEach(write);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>);
      header(entries.length, 0x80, 15, null, 0xde, 0xdf);
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
    } else if (n >= 0) {
      if (n < 0x80) out.push(n);
      else if (n < 0x100) out.push(0xcc, n);
      else if (n < 0x10000) (out.push(0xcd), be(n, 2));
      else if (n < 0x100000000) (out.push(0xce), be(n, 4));
      else (out.push(0xcf), be(n, 8));
    } else if (n >= -32) out.push(n & 0xff);
    else if (n >= -0x80) out.push(0xd0, n & 0xff);
    else if (n >= -0x8000) (out.push(0xd1), be(n & 0xffff, 2));
    else if (n >= -0x80000000) (out.push(0xd2), be(n >>> 0, 4));
    else {
      out.push(0xd3);
      const f = new Uint8Array(8);
      new DataView(f.buffer).setBigInt64(0, BigInt(n));
      out.push(...f);
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
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return take(uint(1), limits.maxBinLength, 'bin');
      case 0xc5: return take(uint(2), limits.maxBinLength, 'bin');
      case 0xc6: return take(uint(4), limits.maxBinLength, 'bin');
      case 0xca: need(4); pos += 4; return view.getFloat32(pos - 4);
      case 0xcb: need(8); pos += 8; return view.getFloat64(pos - 8);
      case 0xcc: return uint(1);
      case 0xcd: return uint(2);
      case 0xce: return uint(4);
      case 0xcf: return uint(8);
      case 0xd0: return int(1);
      case 0xd1: return int(2);
      case 0xd2: return int(4);
      case 0xd3: return int(8);
      case 0xd9: return str(uint(1));
      case 0xda: return str(uint(2));
      case 0xdb: return str(uint(4));
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
