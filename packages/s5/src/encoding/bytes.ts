import { hex } from './radix.js';
import { ValidationError } from '../errors.js';

const utf8Encoder = new TextEncoder();
// ignoreBOM: a string that starts with U+FEFF is data, not a byte-order mark — the default decoder
// would drop it (fast-check found it: "\uFEFF" came back as "").
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8ToBytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function bytesToUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export function bytesToHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

export function hexToBytes(text: string): Uint8Array {
  try {
    return hex.decode(text.toLowerCase());
  } catch (cause) {
    throw new ValidationError([{ path: 'hex', message: 'not valid hex' }], { cause });
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** A private copy, so nothing we hand out or keep aliases a caller's buffer (PROTOCOL §11 item 8). */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor?.name === 'Uint8Array');
}

/** Throws a ValidationError unless `value` is a Uint8Array (of `length`, when given). */
export function assertBytes(value: unknown, path: string, length?: number): asserts value is Uint8Array {
  if (!isBytes(value)) throw new ValidationError([{ path, message: 'expected a Uint8Array' }]);
  if (length !== undefined && value.length !== length) {
    throw new ValidationError([{ path, message: `expected ${length} bytes, got ${value.length}` }]);
  }
}
