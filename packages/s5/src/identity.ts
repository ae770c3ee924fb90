// @noble/secp256k1 (the compact sibling of @noble/curves): we only recover public keys, and it is
// a fraction of the bundle size.
import { Point as Secp256k1Point, recoverPublicKey, Signature as Secp256k1Signature } from '@noble/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { AuthError, ValidationError } from './errors.js';
import { assertBytes, bytesToHex, concatBytes, copyBytes, hexToBytes, utf8ToBytes } from './encoding/bytes.js';
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

/**
 * The message a wallet signs (EIP-191 `personal_sign`) to derive an S5 identity. COMPATIBILITY PROMISE:
 * changing one byte changes every wallet-derived identity and orphans its data. A future scheme gets a
 * new constant (v2) and the old one stays. Documented in docs/S5.md.
 */
export const WALLET_IDENTITY_MESSAGE_V1 =
  's5chat identity v1\n\n' +
  'Sign this message to derive your private S5 storage identity for s5chat.\n\n' +
  'The signature is the secret key to your stored conversations: only sign this message in an app you trust. ' +
  'Signing is free and sends no transaction.';

/** Domain separator hashed in front of the signature (keeps this derivation apart from any other use of BLAKE3). */
export const WALLET_IDENTITY_DOMAIN_V1 = 's5chat/wallet-identity/v1';

/** secp256k1 group order: used to normalise `s` to its low form (EIP-2), so both encodings give one identity. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Anything with EIP-191 `signMessage` (an ethers v6 Signer, viem WalletClient adapter, …). */
export interface MessageSigner {
  signMessage(message: string): Promise<string>;
  /** When present (ethers Signers have it), the signature is checked to come from this address. */
  getAddress?(): Promise<string>;
}

/** EIP-191 personal_sign digest: keccak256("\x19Ethereum Signed Message:\n" + byteLength + message). */
export function eip191Hash(message: string): Uint8Array {
  const body = utf8ToBytes(message);
  return keccak_256(concatBytes(utf8ToBytes(`\x19Ethereum Signed Message:\n${body.length}`), body));
}

/** The Ethereum address (lower-case 0x hex) that produced an EIP-191 signature of `message`. */
export function recoverEip191Address(message: string, signatureHex: string): string {
  const sig = hexToBytes(signatureHex.replace(/^0x/, ''));
  if (sig.length !== 65) throw new ValidationError([{ path: 'signature', message: 'expected 65 bytes' }]);
  let r = 0n;
  let s = 0n;
  for (const b of sig.subarray(0, 32)) r = (r << 8n) | BigInt(b);
  for (const b of sig.subarray(32, 64)) s = (s << 8n) | BigInt(b);
  const v = sig[64]!;
  let recovery = v >= 27 ? v - 27 : v;
  if (recovery !== 0 && recovery !== 1) throw new ValidationError([{ path: 'signature', message: `invalid v ${v}` }]);
  if (s > SECP256K1_N / 2n) {
    s = SECP256K1_N - s;
    recovery ^= 1;
  }
  try {
    const recovered = new Secp256k1Signature(r, s, recovery).toBytes('recovered');
    const compressed = recoverPublicKey(recovered, eip191Hash(message), { prehash: false });
    const uncompressed = Secp256k1Point.fromBytes(compressed).toBytes(false);
    return '0x' + bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12));
  } catch (cause) {
    throw new ValidationError([{ path: 'signature', message: 'signature does not recover to a public key' }], { cause });
  }
}

/**
 * 16 bytes of entropy from a 65-byte EIP-191 signature `r ‖ s ‖ v`: first 16 bytes of
 * BLAKE3(domain ‖ r ‖ low-s). `v` is left out and `s` normalised so the 27/28-vs-0/1 encodings and a
 * wallet that returns the high-s twin all yield the same identity; `r` and `s` are unpredictable without
 * the wallet's private key (RFC 6979 nonce), so the identity cannot be computed from the address.
 */
export function entropyFromWalletSignature(signatureHex: string): Uint8Array {
  if (typeof signatureHex !== 'string' || !/^(0x)?[0-9a-fA-F]{130}$/.test(signatureHex)) {
    throw new ValidationError([{ path: 'signature', message: 'expected a 65-byte hex ECDSA signature (r ‖ s ‖ v)' }]);
  }
  const sig = hexToBytes(signatureHex.replace(/^0x/, ''));
  const r = sig.slice(0, 32);
  let s = 0n;
  for (const b of sig.subarray(32, 64)) s = (s << 8n) | BigInt(b);
  if (s === 0n || s >= SECP256K1_N) throw new ValidationError([{ path: 'signature', message: 's is out of range' }]);
  if (s > SECP256K1_N / 2n) s = SECP256K1_N - s;
  const sLow = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    sLow[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return blake3(concatBytes(utf8ToBytes(WALLET_IDENTITY_DOMAIN_V1), r, sLow)).slice(0, SEED_ENTROPY_BYTES);
}

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

  /**
   * Derive an identity from a wallet: it signs {@link WALLET_IDENTITY_MESSAGE_V1} (EIP-191) and the
   * signature becomes the entropy ({@link entropyFromWalletSignature}). Needs a wallet with
   * deterministic signatures (RFC 6979, as every EOA wallet we know of uses); see docs/S5.md.
   */
  static async fromWallet(signer: MessageSigner): Promise<S5Identity> {
    if (!signer || typeof signer.signMessage !== 'function') {
      throw new ValidationError([{ path: 'signer', message: 'expected an object with signMessage(message)' }]);
    }
    const signature = await signer.signMessage(WALLET_IDENTITY_MESSAGE_V1);
    const entropy = entropyFromWalletSignature(signature);
    if (typeof signer.getAddress === 'function') {
      // A signer that answers with some other key's signature (a misbehaving wallet bridge) would
      // silently yield a foreign identity; refuse instead.
      const expected = (await signer.getAddress()).toLowerCase();
      const actual = recoverEip191Address(WALLET_IDENTITY_MESSAGE_V1, signature);
      if (actual !== expected) {
        throw new AuthError('Wallet signature was not made by the signer address.', { details: `expected ${expected}, recovered ${actual}` });
      }
    }
    return new S5Identity(entropy);
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
