import { describe, expect, it } from 'vitest';
import { blake3, deriveHashInt, deriveHashString, Ed25519KeyPair, ValidationError, verifyEd25519 } from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

describe('deriveHash', () => {
  it('matches every derive_hash vector', () => {
    expect(V.derive_hash.length).toBeGreaterThan(0);
    for (const d of V.derive_hash) {
      const base = hex(d.base_hex);
      const out =
        d.fn === 'deriveHashInt'
          ? deriveHashInt(base, d.tweak_int)
          : deriveHashString(base, d.tweak_utf8 !== undefined ? d.tweak_utf8 : hex(d.tweak_hex));
      expect(toHex(out), d.description).toBe(d.result_hex);
    }
  });
  it('requires a 32-byte base', () => {
    expect(() => deriveHashInt(new Uint8Array(31), 0)).toThrow(ValidationError);
    expect(() => deriveHashString(new Uint8Array(33), 'x')).toThrow(/Invalid base length/);
  });
  it('blake3 matches the blob vectors', () => {
    expect(toHex(blake3(new Uint8Array()))).toBe(V.blob_identifiers[0].blake3_hex);
  });
});

describe('Ed25519KeyPair', () => {
  const key = V.registry.key;
  it('derives the RFC 8032 test-1 public key as a 33-byte multikey', () => {
    const kp = Ed25519KeyPair.fromSeed(hex(key.ed25519_seed_hex));
    expect(toHex(kp.publicKey)).toBe(key.multikey_hex);
    expect(kp.publicKeyBase64Url).toBe(key.pk_b64url);
    expect(toHex(kp.rawPublicKey)).toBe(key.public_key_hex);
  });
  it('signs deterministically and verifies; rejects wrong signatures and keys', () => {
    const kp = Ed25519KeyPair.fromSeed(hex(key.ed25519_seed_hex));
    const e = V.registry.entries[1];
    const sig = kp.sign(hex(e.signed_message_hex));
    expect(toHex(sig)).toBe(e.signature_hex);
    expect(verifyEd25519(kp.publicKey, hex(e.signed_message_hex), sig)).toBe(true);
    const bad = sig.slice();
    bad[0]! ^= 1;
    expect(verifyEd25519(kp.publicKey, hex(e.signed_message_hex), bad)).toBe(false);
    const wrongType = kp.publicKey.slice();
    wrongType[0] = 0x00;
    expect(verifyEd25519(wrongType, hex(e.signed_message_hex), sig)).toBe(false);
    expect(verifyEd25519(kp.publicKey.subarray(1), hex(e.signed_message_hex), sig)).toBe(false);
  });
  it('does not keep a reference to the caller seed', () => {
    const seed = hex(key.ed25519_seed_hex);
    const kp = Ed25519KeyPair.fromSeed(seed);
    const before = toHex(kp.sign(new Uint8Array([1])));
    seed.fill(0);
    expect(toHex(kp.sign(new Uint8Array([1])))).toBe(before);
  });
  it('rejects seeds that are not 32 bytes', () => {
    expect(() => Ed25519KeyPair.fromSeed(new Uint8Array(31))).toThrow(ValidationError);
  });
});
