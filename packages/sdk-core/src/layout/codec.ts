/**
 * Blob encoding of heads, segments and the index: JSON, then either the S5 mutable-bytes format
 * (XChaCha20-Poly1305, padded to 4 KiB blocks — the default) or, only when asked, plaintext behind
 * a magic prefix so nobody mistakes it for encrypted data. The document itself also says
 * `encrypted: true|false`; a reader refuses a plaintext blob whose document claims encryption.
 */
import { bytesToUtf8, concatBytes, decryptMutableBytes, encryptMutableBytes, utf8ToBytes, isS5ChatError } from '@s5chat/s5';
import { IntegrityError } from '../errors.js';

/** `s5chat:plain:v1\n` — first bytes of every plaintext document. */
export const PLAINTEXT_MAGIC = utf8ToBytes('s5chat:plain:v1\n');
/** First byte of the S5 mutable-bytes format (PROTOCOL §8). */
const ENCRYPTED_MAGIC = 0x8d;

export function encodeDocument(doc: object, encryptionKey: Uint8Array | null): Uint8Array {
  const json = utf8ToBytes(JSON.stringify(doc));
  return encryptionKey ? encryptMutableBytes(json, encryptionKey) : concatBytes(PLAINTEXT_MAGIC, json);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

export interface DecodedDocument {
  doc: unknown;
  encrypted: boolean;
}

/** Decrypt (when encrypted) and parse; DecryptionError for a wrong key, IntegrityError for junk. */
export function decodeDocument(bytes: Uint8Array, encryptionKey: Uint8Array, what: string): DecodedDocument {
  let json: Uint8Array;
  let encrypted: boolean;
  if (bytes[0] === ENCRYPTED_MAGIC) {
    json = decryptMutableBytes(bytes, encryptionKey); // DecryptionError: not ours / tampered
    encrypted = true;
  } else if (startsWith(bytes, PLAINTEXT_MAGIC)) {
    json = bytes.subarray(PLAINTEXT_MAGIC.length);
    encrypted = false;
  } else {
    throw new IntegrityError(`The ${what} blob is not an s5chat document.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytesToUtf8(json));
  } catch (cause) {
    if (isS5ChatError(cause)) throw cause;
    throw new IntegrityError(`The ${what} blob does not hold valid JSON.`, { cause });
  }
  const claimed = (doc as { encrypted?: unknown } | null)?.encrypted;
  if (claimed !== encrypted) {
    throw new IntegrityError(`The ${what} blob's encryption flag is wrong.`, {
      details: `format ${encrypted ? 'encrypted' : 'plaintext'}, document says ${String(claimed)}`,
    });
  }
  return { doc, encrypted };
}
