// The hand-written XChaCha20-Poly1305 (src/crypto/xchacha20poly1305.ts, written for the bundle budget)
// against @noble/ciphers, which it replaced: random keys, nonces and lengths (every length around the
// 16-byte Poly1305 and 64-byte ChaCha blocks), extreme all-0x00 / all-0xff inputs for the limb
// arithmetic, and tampering of every kind. Plus the published RFC 8439 Poly1305 and HChaCha20
// vectors (the libsodium-verified S5 vectors are in mutable-bytes.test.ts).
import { poly1305 as noblePoly1305 } from '@noble/ciphers/_poly1305.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hchacha20, poly1305, xchachaOpen, xchachaSeal } from '../src/crypto/xchacha20poly1305.js';
import { DecryptionError } from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => Uint8Array.from(Buffer.from(s.replace(/:/g, ''), 'hex'));
const noble = (key: Uint8Array, nonce: Uint8Array, data: Uint8Array) => xchacha20poly1305(key, nonce).encrypt(data);

describe('XChaCha20-Poly1305 (hand-written) = @noble/ciphers', () => {
  it('the published vectors: RFC 8439 §2.5.2 Poly1305, draft-irtf-cfrg-xchacha §2.2.1 HChaCha20', () => {
    const polyKey = bytes('85:d6:be:78:57:55:6d:33:7f:44:52:fe:42:d5:06:a8:01:03:80:8a:fb:0d:b2:fd:4a:bf:f6:af:41:49:f5:1b');
    expect(hex(poly1305(polyKey, new TextEncoder().encode('Cryptographic Forum Research Group')))).toBe('a8061dc1305136c6c22b8baf0c0127a9');
    const key = new Uint8Array(32).map((_, i) => i);
    expect(hex(hchacha20(key, bytes('000000090000004a0000000031415927')))).toBe('82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc');
  });

  it('every length from 0 to 300 bytes, and a few large ones, seal and open like noble', () => {
    const key = new Uint8Array(32).map((_, i) => 7 * i + 1);
    const nonce = new Uint8Array(24).map((_, i) => 255 - i);
    for (const n of [...Array.from({ length: 301 }, (_, i) => i), 4054, 65536, 200_001]) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      const sealed = xchachaSeal(key, nonce, data);
      expect(hex(sealed), `${n} bytes`).toBe(hex(noble(key, nonce, data)));
      expect(hex(xchachaOpen(key, nonce, sealed))).toBe(hex(data));
    }
  });

  it('all-0x00 and all-0xff keys, nonces and data (the extremes of the limb arithmetic)', () => {
    for (const fill of [0x00, 0xff]) {
      for (const n of [1, 15, 16, 17, 63, 64, 65, 1000, 4096]) {
        const key = new Uint8Array(32).fill(fill);
        const nonce = new Uint8Array(24).fill(fill);
        const data = new Uint8Array(n).fill(fill);
        expect(hex(xchachaSeal(key, nonce, data)), `${fill} × ${n}`).toBe(hex(noble(key, nonce, data)));
        expect(hex(poly1305(key, data)), `poly1305 ${fill} × ${n}`).toBe(hex(noblePoly1305(data, key)));
      }
    }
  });

  it('random keys, nonces and data', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.uint8Array({ maxLength: 3000 }), (key, nonce, data) => {
        const sealed = xchachaSeal(key, nonce, data);
        expect(hex(sealed)).toBe(hex(noble(key, nonce, data)));
        expect(hex(xchachaOpen(key, nonce, sealed))).toBe(hex(data));
        // Poly1305 alone, with the random key as its one-time key.
        expect(hex(poly1305(key, data))).toBe(hex(noblePoly1305(data, key)));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('refuses every tampering: a flipped bit anywhere, a wrong key or nonce, a cut tag', () => {
    const key = new Uint8Array(32).fill(9);
    const nonce = new Uint8Array(24).fill(3);
    const sealed = xchachaSeal(key, nonce, new TextEncoder().encode('attack at dawn, bring snacks'));
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const bad = sealed.slice();
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(() => xchachaOpen(key, nonce, bad), `bit ${bit}`).toThrow(DecryptionError);
    }
    expect(() => xchachaOpen(new Uint8Array(32).fill(8), nonce, sealed)).toThrow(DecryptionError);
    expect(() => xchachaOpen(key, new Uint8Array(24).fill(4), sealed)).toThrow(DecryptionError);
    expect(() => xchachaOpen(key, nonce, sealed.subarray(0, sealed.length - 1))).toThrow(DecryptionError);
    expect(() => xchachaOpen(key, nonce, new Uint8Array(15))).toThrow(DecryptionError);
  });
});
