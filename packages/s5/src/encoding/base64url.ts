import { base64urlnopad } from './radix.js';
import { ValidationError } from '../errors.js';

/** RFC 4648 §5 base64url without padding (the form S5 uses in JSON and URLs). */
export function toBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/** Strict base64url decode (no padding, no standard-alphabet characters). */
export function fromBase64Url(text: string, path = 'base64url'): Uint8Array {
  if (typeof text !== 'string') throw new ValidationError([{ path, message: 'expected a base64url string' }]);
  try {
    return base64urlnopad.decode(text);
  } catch (cause) {
    throw new ValidationError([{ path, message: 'not valid base64url (RFC 4648 §5, no padding)' }], { cause });
  }
}
