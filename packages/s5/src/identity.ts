import { ValidationError } from './errors.js';
import { assertBytes, concatBytes, copyBytes } from './encoding/bytes.js';
import { blake3 } from './crypto/blake3.js';
import { deriveHashInt, deriveHashString } from './crypto/derive-hash.js';
import { Ed25519KeyPair } from './crypto/ed25519.js';
import { entropyFromSeedPhrase, seedPhraseFromEntropy, SEED_ENTROPY_BYTES } from './seed/seed-phrase.js';

/** Leaf tweaks of the S5 key-derivation tree (PROTOCOL §3). */
export const IDENTITY_TWEAKS = {
  main: 0,
  publicIdentity: 1,
  privateData: 64,
  keyRotation: 0,
  signingKeyPair: 2,
  encryptionKeyPair: 3,
  resolverLinks: 4,
  portalAccountSeed: 65,
  hiddenDbKey: 66,
  fsRootKey: 67,
  extension: 127,
} as const;

/** Namespace of the deterministic per-portal account seed (see {@link derivePortalAccountSeed}). */
export const PORTAL_ACCOUNT_DOMAIN_V1 = 's5chat/portal-account/v1/';

/**
 * The per-portal `accountSeed`. s5.js draws 32 random bytes and keeps them in its hidden DB; we derive
 * them, so every device of one identity reaches the same portal account without any stored state:
 * `accountSeed = deriveHashString(portalAccountSeed, "s5chat/portal-account/v1/" + host)`.
 * host = URL.host (hostname plus a non-default port), lower-case.
 */
export function derivePortalAccountSeed(portalAccountSeed: Uint8Array, host: string): Uint8Array {
  if (typeof host !== 'string' || host.length === 0) throw new ValidationError([{ path: 'host', message: 'expected a host' }]);
  return deriveHashString(portalAccountSeed, PORTAL_ACCOUNT_DOMAIN_V1 + host.toLowerCase());
}

/** The portal account key pair exactly as s5.js computes it: Ed25519(BLAKE3(portalAccountSeed ‖ accountSeed)). */
export function portalAccountKeyPair(portalAccountSeed: Uint8Array, accountSeed: Uint8Array): Ed25519KeyPair {
  assertBytes(portalAccountSeed, 'portalAccountSeed', 32);
  assertBytes(accountSeed, 'accountSeed', 32);
  return Ed25519KeyPair.fromSeed(blake3(concatBytes(portalAccountSeed, accountSeed)));
}

/**
 * An S5 user identity: the BLAKE3 key tree rooted at the seed phrase's entropy (PROTOCOL §3).
 * Same phrase ⇒ same keys as s5.js. Holds secrets; never log it.
 */
export class S5Identity {
  readonly #entropy: Uint8Array;
  readonly #publicSub: Uint8Array;
  readonly #privateSub: Uint8Array;
  /** Identity signing key pair (leaf 2 of publicSub); `publicKey` is the 33-byte multikey. */
  readonly signingKeyPair: Ed25519KeyPair;

  private constructor(entropy: Uint8Array) {
    this.#entropy = entropy;
    const seedBytes = blake3(entropy);
    const main = deriveHashInt(seedBytes, IDENTITY_TWEAKS.main);
    const publicIdentity = deriveHashInt(main, IDENTITY_TWEAKS.publicIdentity);
    this.#publicSub = deriveHashInt(publicIdentity, IDENTITY_TWEAKS.keyRotation);
    const privateData = deriveHashInt(main, IDENTITY_TWEAKS.privateData);
    this.#privateSub = deriveHashInt(privateData, IDENTITY_TWEAKS.keyRotation);
    this.signingKeyPair = Ed25519KeyPair.fromSeed(this.publicLeaf(IDENTITY_TWEAKS.signingKeyPair));
  }

  static fromEntropy(entropy16: Uint8Array): S5Identity {
    assertBytes(entropy16, 'entropy', SEED_ENTROPY_BYTES);
    return new S5Identity(copyBytes(entropy16));
  }

  /** Throws InvalidSeedPhraseError for a bad phrase. */
  static fromSeedPhrase(phrase: string): S5Identity {
    return new S5Identity(entropyFromSeedPhrase(phrase));
  }

  /** The 15-word phrase for this identity (a wallet identity can be exported this way too). */
  get seedPhrase(): string {
    return seedPhraseFromEntropy(this.#entropy);
  }

  /** 32-byte leaf under publicSub (tweaks 2..6). */
  publicLeaf(tweak: number): Uint8Array {
    return deriveHashInt(this.#publicSub, tweak);
  }

  /** 32-byte leaf under privateSub (tweaks 65..69, 127). */
  privateLeaf(tweak: number): Uint8Array {
    return deriveHashInt(this.#privateSub, tweak);
  }

  /** Seed of the storage-service (portal) accounts, leaf 65. */
  get portalAccountSeed(): Uint8Array {
    return this.privateLeaf(IDENTITY_TWEAKS.portalAccountSeed);
  }

  get hiddenDbKey(): Uint8Array {
    return this.privateLeaf(IDENTITY_TWEAKS.hiddenDbKey);
  }

  get fsRootKey(): Uint8Array {
    return this.privateLeaf(IDENTITY_TWEAKS.fsRootKey);
  }

  /**
   * A private 32-byte seed for an application path: deriveHashString folded over `path` starting from
   * the identity's `extension` leaf (privateSub tweak 127), which s5.js never uses, so application keys
   * can never collide with FS5 or hidden-DB keys.
   */
  deriveSeed(...path: string[]): Uint8Array {
    if (path.length === 0) throw new ValidationError([{ path: 'path', message: 'expected at least one path segment' }]);
    let key = this.privateLeaf(IDENTITY_TWEAKS.extension);
    path.forEach((segment, i) => {
      if (typeof segment !== 'string') throw new ValidationError([{ path: `path[${i}]`, message: 'expected a string' }]);
      key = deriveHashString(key, segment);
    });
    return key;
  }

  /** Account key pair for one portal host (deterministic; see {@link derivePortalAccountSeed}). */
  portalAccountKeyPair(host: string, accountSeed?: Uint8Array): Ed25519KeyPair {
    const portalSeed = this.portalAccountSeed;
    return portalAccountKeyPair(portalSeed, accountSeed ?? derivePortalAccountSeed(portalSeed, host));
  }
}
