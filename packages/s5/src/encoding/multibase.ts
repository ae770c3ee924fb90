import { base32nopad, base58, base64urlnopad, hex } from './radix.js';
import { ValidationError } from '../errors.js';

/** Multibase prefixes the S5 network uses (PROTOCOL §1). */
export type Multibase = 'z' | 'b' | 'u' | 'f';

/** Encode bytes as a multibase string: z base58btc, b base32 lower-case, u base64url, f hex. */
export function encodeMultibase(bytes: Uint8Array, base: Multibase = 'z'): string {
  switch (base) {
    case 'z':
      return 'z' + base58.encode(bytes);
    case 'b':
      return 'b' + base32nopad.encode(bytes).toLowerCase();
    case 'u':
      return 'u' + base64urlnopad.encode(bytes);
    case 'f':
      return 'f' + hex.encode(bytes);
    default:
      throw new ValidationError([{ path: 'base', message: `Multibase encoding ${String(base)} not supported` }]);
  }
}

/** Decode a multibase string; any prefix other than z/b/u/f is a ValidationError. */
export function decodeMultibase(text: string, path = 'multibase'): Uint8Array {
  if (typeof text !== 'string' || text.length < 1) {
    throw new ValidationError([{ path, message: 'expected a non-empty multibase string' }]);
  }
  const prefix = text[0]!;
  const body = text.slice(1);
  try {
    switch (prefix) {
      case 'z':
        return base58.decode(body);
      case 'b':
        // RFC 4648 base32 is case-insensitive; S5 writes lower-case.
        return base32nopad.decode(body.toUpperCase());
      case 'u':
        return base64urlnopad.decode(body);
      case 'f':
        return hex.decode(body.toLowerCase());
    }
  } catch (cause) {
    throw new ValidationError([{ path, message: `not valid multibase '${prefix}' text` }], { cause });
  }
  throw new ValidationError([{ path, message: `Multibase encoding ${prefix} not supported` }]);
}
