import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { assertBytes } from '../encoding/bytes.js';

/** BLAKE3-256, unkeyed (PROTOCOL §1). */
export function blake3(bytes: Uint8Array): Uint8Array {
  assertBytes(bytes, 'bytes');
  return nobleBlake3(bytes);
}
