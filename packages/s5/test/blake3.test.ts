// The hand-written BLAKE3 (src/crypto/blake3.ts, written for the bundle budget) against @noble/hashes'
// blake3, which it replaced: every length around the block (64 B), chunk (1 KiB) and tree boundaries,
// the inputs of the official test_vectors.json (byte i = i % 251), and random inputs. Plus the
// published hashes of the first official vectors, so the reference itself is pinned.
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blake3 } from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pattern = (n: number) => new Uint8Array(n).map((_, i) => i % 251);

describe('blake3 (hand-written) = @noble/hashes blake3', () => {
  it('the published official vectors (empty, 1, 1023, 1024, 1025 bytes)', () => {
    expect(hex(blake3(pattern(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(hex(blake3(pattern(1)))).toBe('2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213');
    expect(hex(blake3(pattern(1023)))).toBe('10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11');
    expect(hex(blake3(pattern(1024)))).toBe('42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7');
    expect(hex(blake3(pattern(1025)))).toBe('d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444');
  });

  it('every official vector length, and each length around a block, chunk and tree boundary', () => {
    const official = [0, 1, 1023, 1024, 1025, 2048, 2049, 3072, 3073, 4096, 4097, 5120, 5121, 6144, 6145, 7168, 7169, 8192, 8193, 16384, 31744, 102400];
    const boundaries = [64, 128, 960, 1024, 2048, 3072, 4096, 8192, 16384, 65536].flatMap((b) => [b - 1, b, b + 1]);
    for (const n of [...official, ...boundaries, ...Array.from({ length: 200 }, (_, i) => i)]) {
      expect(hex(blake3(pattern(n))), `${n} bytes`).toBe(hex(nobleBlake3(pattern(n))));
    }
  });

  it('random inputs up to 40 KiB, and views into a larger buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40_000 }), fc.nat(50), (bytes, cut) => {
        expect(hex(blake3(bytes))).toBe(hex(nobleBlake3(bytes)));
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(hex(blake3(view))).toBe(hex(nobleBlake3(view)));
      }),
      { numRuns: 300, seed: 15 },
    );
  });

  it('a 1 MiB input (a deep tree)', () => {
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 7919) & 255);
    expect(hex(blake3(big))).toBe(hex(nobleBlake3(big)));
  });
});
