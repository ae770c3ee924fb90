// The hand-written SHA-512 (src/crypto/sha512.ts, written for the bundle budget; @noble/ed25519 signs
// and verifies with it) against @noble/hashes' sha512, which it replaced: the FIPS 180-2 examples,
// every length from 0 to 700 bytes (around the 112/128-byte padding boundaries), random inputs, and
// an RFC 8032 signature made through it.
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha512 } from '../src/crypto/sha512.js';
import { Ed25519KeyPair, verifyEd25519 } from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sha512 (hand-written) = @noble/hashes sha512', () => {
  it('the FIPS 180-2 examples and the empty string', () => {
    expect(hex(sha512(utf8('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(hex(sha512(utf8('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')))).toBe(
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    );
    expect(hex(sha512(new Uint8Array()))).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    );
  });

  it('every length from 0 to 700 bytes', () => {
    for (let n = 0; n <= 700; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      expect(hex(sha512(bytes)), `${n} bytes`).toBe(hex(nobleSha512(bytes)));
    }
  });

  it('random inputs, and views into a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), fc.nat(40), (bytes, cut) => {
        expect(hex(sha512(bytes))).toBe(hex(nobleSha512(bytes)));
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(hex(sha512(view))).toBe(hex(nobleSha512(view)));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('Ed25519 through it: RFC 8032 test 1 (empty message)', () => {
    const kp = Ed25519KeyPair.fromSeed(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(hex(kp.rawPublicKey)).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = kp.sign(new Uint8Array());
    expect(hex(sig)).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(verifyEd25519(kp.publicKey, new Uint8Array(), sig)).toBe(true);
    expect(verifyEd25519(kp.publicKey, new Uint8Array(1), sig)).toBe(false);
  });
});
