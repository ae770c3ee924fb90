// The hand-written codecs (src/encoding/radix.ts) must encode and accept exactly what @scure/base,
// which they replaced for bundle size, encodes and accepts — including which malformed texts throw.
import * as scure from '@scure/base';
import { describe, expect, it } from 'vitest';
import * as radix from '../src/encoding/radix.js';

const CODECS = [
  ['base64urlnopad', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/='],
  ['base32nopad', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567a=1'],
  ['base58', '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl'],
  ['hex', '0123456789abcdefABG'],
] as const;

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const outcome = (f: () => Uint8Array | string) => {
  try {
    const v = f();
    return typeof v === 'string' ? v : Array.from(v);
  } catch {
    return 'THROWS';
  }
};

describe('hand-written radix codecs match @scure/base', () => {
  for (const [name, alphabet] of CODECS) {
    it(`${name}: same encoding, same decoding, same rejections`, () => {
      const mine = radix[name];
      const ref = scure[name];
      const rnd = prng(name.length);
      for (let t = 0; t < 2000; t++) {
        const bytes = Uint8Array.from({ length: t % 41 }, () => Math.floor(rnd() * 256));
        if (t % 7 === 0) bytes.fill(0, 0, t % 5); // leading zeros matter for base58
        const text = ref.encode(bytes);
        expect(mine.encode(bytes)).toBe(text);
        expect(Array.from(mine.decode(text))).toEqual(Array.from(bytes));
        let junk = '';
        for (let i = 0; i < t % 13; i++) junk += alphabet[Math.floor(rnd() * alphabet.length)];
        expect(outcome(() => mine.decode(junk)), JSON.stringify(junk)).toEqual(outcome(() => ref.decode(junk)));
      }
    });
  }
});
