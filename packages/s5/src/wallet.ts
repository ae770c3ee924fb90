// An S5 identity from an Ethereum wallet (EIP-191 personal_sign). A module of its own, with a plain
// function instead of a static method on S5Identity: an app that never imports identityFromWallet
// does not ship secp256k1 + keccak (~3.5 KB gzip, the SDK's browser budget in sdk-core test/size) —
// bundlers drop unused exports, never unused static methods.
// @noble/secp256k1 (the compact sibling of @noble/curves): we only recover public keys.
import { Point as Secp256k1Point, recoverPublicKey, Signature as Secp256k1Signature } from '@noble/secp256k1';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { AuthError, ValidationError } from './errors.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from './encoding/bytes.js';
import { blake3 } from './crypto/blake3.js';
import { S5Identity } from './identity.js';
import { SEED_ENTROPY_BYTES } from './seed/seed-phrase.js';

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

/**
 * Derive an identity from a wallet: it signs {@link WALLET_IDENTITY_MESSAGE_V1} (EIP-191) and the
 * signature becomes the entropy ({@link entropyFromWalletSignature}). Needs a wallet with
 * deterministic signatures (RFC 6979, as every EOA wallet we know of uses); see docs/S5.md.
 * With sdk-core: `createSdk({ portalUrl, identity: identityFromWallet(signer) })`.
 */
export async function identityFromWallet(signer: MessageSigner): Promise<S5Identity> {
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
  return S5Identity.fromEntropy(entropy);
}
