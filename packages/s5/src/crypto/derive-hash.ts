import { ValidationError } from '../errors.js';
import { assertBytes, concatBytes, utf8ToBytes } from '../encoding/bytes.js';
import { encodeTweak32 } from '../encoding/integers.js';
import { blake3 } from './blake3.js';

function assertBase(base: Uint8Array): void {
  assertBytes(base, 'base');
  // s5.js throws 'Invalid base length'; we say the same thing, typed.
  if (base.length !== 32) throw new ValidationError([{ path: 'base', message: `Invalid base length (${base.length} != 32)` }]);
}

/** deriveHashInt(base, n) = BLAKE3(base ‖ LE(n, 32)) (PROTOCOL §3). */
export function deriveHashInt(base: Uint8Array, tweak: number): Uint8Array {
  assertBase(base);
  return blake3(concatBytes(base, encodeTweak32(tweak)));
}

/** deriveHashString(base, s) = BLAKE3(base ‖ BLAKE3(s)); a string is taken as UTF-8 (PROTOCOL §3). */
export function deriveHashString(base: Uint8Array, tweak: Uint8Array | string): Uint8Array {
  assertBase(base);
  const bytes = typeof tweak === 'string' ? utf8ToBytes(tweak) : tweak;
  assertBytes(bytes, 'tweak');
  return blake3(concatBytes(base, blake3(bytes)));
}
