// @noble/ed25519 rather than @noble/curves: same author and RFC 8032 rules, a third of the bundle
// size (the SDK's browser budget, test/size in sdk-core). Its sync API needs SHA-512 wired in (ours,
// sha512.ts, for the same budget).
import { getPublicKey, hashes, sign, verify } from '@noble/ed25519';
import { sha512 } from './sha512.js';
import { assertBytes, copyBytes, isBytes } from '../encoding/bytes.js';
import { toBase64Url } from '../encoding/base64url.js';

/**
 * Wires our SHA-512 into the library, on first use (no module-level side effect for bundlers to drop).
 * Named imports, not the namespace object: handing that around would keep all of the library in a bundle.
 */
function wired(): void {
  hashes.sha512 ??= sha512;
}

/** Multikey prefix for Ed25519 public keys: pk33 = 0xed ‖ pk32 (PROTOCOL §1). */
export const MULTIKEY_ED25519 = 0xed;

/**
 * An Ed25519 key pair whose public key is the 33-byte S5 multikey. The 32-byte seed is the RFC 8032
 * private seed; signatures are deterministic.
 */
export class Ed25519KeyPair {
  readonly #seed: Uint8Array;
  /** 33 bytes: 0xed ‖ Ed25519 public key. */
  readonly publicKey: Uint8Array;

  private constructor(seed: Uint8Array) {
    this.#seed = seed;
    wired();
    const pk = getPublicKey(seed);
    const pk33 = new Uint8Array(33);
    pk33[0] = MULTIKEY_ED25519;
    pk33.set(pk, 1);
    this.publicKey = pk33;
  }

  static fromSeed(seed32: Uint8Array): Ed25519KeyPair {
    assertBytes(seed32, 'seed', 32);
    return new Ed25519KeyPair(copyBytes(seed32));
  }

  /** The raw 32-byte Ed25519 public key (without the 0xed prefix). */
  get rawPublicKey(): Uint8Array {
    return this.publicKey.slice(1);
  }

  /** base64url(pk33), 44 characters: the S5 string form of a public key. */
  get publicKeyBase64Url(): string {
    return toBase64Url(this.publicKey);
  }

  sign(message: Uint8Array): Uint8Array {
    assertBytes(message, 'message');
    wired();
    return sign(message, this.#seed);
  }
}

/** Verify an Ed25519 signature against a 33-byte multikey. Returns false (never throws) on bad input. */
export function verifyEd25519(publicKey33: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!isBytes(publicKey33) || !isBytes(message) || !isBytes(signature)) return false;
  if (publicKey33.length !== 33 || publicKey33[0] !== MULTIKEY_ED25519 || signature.length !== 64) return false;
  try {
    // Strict RFC 8032 / libsodium rules (zip215: false): reject non-canonical encodings that a
    // ZIP-215 verifier would accept, so we never accept an entry the network's nodes reject.
    wired();
    return verify(signature, message, publicKey33.subarray(1), { zip215: false });
  } catch {
    return false;
  }
}
