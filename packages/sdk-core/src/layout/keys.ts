/**
 * Where things live on S5. Every conversation has its own registry key pair and encryption key,
 * both derived from the identity and the conversation id, so the node never sees ids and
 * conversations never contend for one registry entry. The conversation list has its own key.
 */
import { BlobId, Ed25519KeyPair, concatBytes, deriveHashInt, encodeTrimmedSize, decodeUintLE, toBase64Url } from '@s5chat/s5';
import { IntegrityError } from '../errors.js';

/** What the layout needs from an identity (S5Identity satisfies it). */
export interface SeedDeriver {
  deriveSeed(...path: string[]): Uint8Array;
}

export interface DocumentKeys {
  /** Registry key pair (its publicKey is the registry key). */
  keyPair: Ed25519KeyPair;
  /** XChaCha20-Poly1305 key of every blob of this document. */
  encryptionKey: Uint8Array;
  /** base64url of the registry public key: a name that reveals nothing (cache and lock names). */
  name: string;
}

/** Tweaks under the document seed: 1 = registry signing key, 2 = encryption key. */
const SIGNING_TWEAK = 1;
const ENCRYPTION_TWEAK = 2;

function keysFromSeed(seed: Uint8Array): DocumentKeys {
  const keyPair = Ed25519KeyPair.fromSeed(deriveHashInt(seed, SIGNING_TWEAK));
  return { keyPair, encryptionKey: deriveHashInt(seed, ENCRYPTION_TWEAK), name: toBase64Url(keyPair.publicKey) };
}

/**
 * Derivation costs a few hashes and an Ed25519 public key (~1 ms); several managers (tabs,
 * devices in tests) share an identity, so results are memoised per identity object (weakly held,
 * at most 1024 ids each).
 */
const memo = new WeakMap<SeedDeriver, Map<string, DocumentKeys>>();

export function deriveConversationKeys(identity: SeedDeriver, conversationId: string): DocumentKeys {
  let byId = memo.get(identity);
  if (!byId) {
    byId = new Map();
    memo.set(identity, byId);
  }
  let keys = byId.get(conversationId);
  if (!keys) {
    keys = keysFromSeed(identity.deriveSeed('s5chat', 'v1', 'conversation', conversationId));
    if (byId.size >= 1024) byId.clear();
    byId.set(conversationId, keys);
  }
  return keys;
}

export function deriveIndexKeys(identity: SeedDeriver): DocumentKeys {
  return keysFromSeed(identity.deriveSeed('s5chat', 'v1', 'index'));
}

/**
 * Registry data = `0x1e ‖ blake3(head blob) ‖ size` (34–41 bytes of the 64 allowed). The FS5
 * convention is the bare 33-byte multihash; we append the trimmed little-endian size because a
 * BlobId needs it and the s5 client checks a download's size as well as its hash.
 */
export function encodePointer(id: BlobId): Uint8Array {
  return concatBytes(id.multihash, encodeTrimmedSize(id.size));
}

export function decodePointer(data: Uint8Array, what: string): BlobId {
  if (data.length < 34 || data.length > 41 || (data[0] !== 0x1e && data[0] !== 0x1f)) {
    throw new IntegrityError(`The registry entry of ${what} is not an s5chat head.`, {
      details: `${data.length} bytes, first byte 0x${(data[0] ?? 0).toString(16)}`,
    });
  }
  return BlobId.fromMultihash(data.subarray(0, 33), decodeUintLE(data.subarray(33), 'pointer.size'));
}
