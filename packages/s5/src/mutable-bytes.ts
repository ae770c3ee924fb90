import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from './crypto/random.js';
import { DecryptionError, ValidationError } from './errors.js';
import { assertBytes, concatBytes } from './encoding/bytes.js';
import { decodeUintLE, encodeU32LE } from './encoding/integers.js';

/**
 * S5 mutable-bytes encryption (PROTOCOL §8): the format s5.js uses for the FS5 root directory and
 * hidden-DB values. `0x8d ‖ 0x01 ‖ nonce24 ‖ XChaCha20-Poly1305(key, nonce, LE32(L) ‖ data ‖ zeros)`,
 * no associated data, padded so the whole blob is padFileSize(L + 46) bytes.
 */

export const MUTABLE_BYTES_MAGIC = 0x8d;
export const MUTABLE_BYTES_VERSION = 0x01;
/** 2 header + 24 nonce + 16 tag + 4 length. */
export const MUTABLE_BYTES_OVERHEAD = 46;

const KIB = 1024;

/** Smallest n >= 0 with size <= 2^n · 80 KiB. */
function paddingExponent(size: number): number {
  let n = 0;
  while (size > 2 ** n * 80 * KIB) n++;
  return n;
}

/** Round `size` up to the S5 padding grid: 4 KiB steps up to 80 KiB, 8 KiB to 160 KiB, 16 KiB to 320 KiB, … */
export function padFileSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError([{ path: 'size', message: `expected a non-negative integer, got ${String(size)}` }]);
  }
  const block = 2 ** paddingExponent(size) * 4 * KIB;
  return Math.max(block, Math.ceil(size / block) * block);
}

/** True if `size` lies on the padding grid (a multiple of the block size for its range). */
export function checkPaddedBlock(size: number): boolean {
  if (!Number.isSafeInteger(size) || size <= 0) return false;
  return size % (2 ** paddingExponent(size) * 4 * KIB) === 0;
}

/** Encrypt `data` under a 32-byte key. `nonce24` is for test vectors only: never reuse a nonce with a key. */
export function encryptMutableBytes(data: Uint8Array, key32: Uint8Array, nonce24?: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  assertBytes(key32, 'key', 32);
  const nonce = nonce24 ?? randomBytes(24);
  assertBytes(nonce, 'nonce', 24);
  if (data.length > 0xffffffff) throw new ValidationError([{ path: 'data', message: 'larger than 4 GiB' }]);
  const total = padFileSize(data.length + MUTABLE_BYTES_OVERHEAD);
  const frame = new Uint8Array(total - 42);
  frame.set(encodeU32LE(data.length), 0);
  frame.set(data, 4);
  const ciphertext = xchacha20poly1305(key32, nonce).encrypt(frame);
  return concatBytes(Uint8Array.of(MUTABLE_BYTES_MAGIC, MUTABLE_BYTES_VERSION), nonce, ciphertext);
}

/** Decrypt a mutable-bytes blob. Any tampering, wrong key or malformed frame → DecryptionError. */
export function decryptMutableBytes(blob: Uint8Array, key32: Uint8Array): Uint8Array {
  assertBytes(blob, 'blob');
  assertBytes(key32, 'key', 32);
  if (!checkPaddedBlock(blob.length)) {
    throw new DecryptionError('Encrypted data is not padded to a block boundary.', {
      details: `length was ${blob.length}, nearest padded block is ${padFileSize(blob.length)}`,
    });
  }
  // Byte 0 (0x8d) is not checked by s5.js's decryptor either; FS5 uses it to detect encryption.
  if (blob[1] !== MUTABLE_BYTES_VERSION) throw new DecryptionError('Invalid encrypted data version.');
  const nonce = blob.subarray(2, 26);
  let frame: Uint8Array;
  try {
    frame = xchacha20poly1305(key32, nonce).decrypt(blob.subarray(26));
  } catch (cause) {
    throw new DecryptionError('Authentication failed: wrong key or tampered data.', { cause });
  }
  const length = decodeUintLE(frame.subarray(0, 4));
  if (4 + length > frame.length) throw new DecryptionError('Declared plaintext length exceeds the frame.');
  return frame.slice(4, 4 + length);
}
