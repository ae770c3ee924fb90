// The hand-written P2P msgpack codec against the reference library (@msgpack/msgpack, a dev
// dependency only): same bytes out for the values frames carry, same values back from whatever the
// reference encodes, and hostile input refused within the limits.
import { decodeMulti, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToUtf8, utf8ToBytes } from '../src/encoding/bytes.js';
import { decodeSequence, encodeValue, MsgpackError } from '../src/p2p/msgpack.js';

const LIMITS = { maxStrLength: 4096, maxBinLength: 1 << 16, maxArrayLength: 256, maxMapLength: 16, maxDepth: 8 };

const scalar = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
  fc.maxSafeInteger(),
  fc.maxSafeNat(),
  fc.integer({ min: -200, max: 300 }),
  fc.double({ noNaN: true }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.uint8Array({ maxLength: 70_000 }).map((b) => b.subarray(0, b.length % 2 ? b.length : Math.min(b.length, 300))),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 20 }), fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 10 })),
})).v;

describe('P2P msgpack codec', () => {
  it('encodes byte-identically to @msgpack/msgpack', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(encodeValue(v)).toEqual(encode(v));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a string that starts with U+FEFF (a default TextDecoder strips it as a BOM)', () => {
    const v = { a: '\uFEFFx', b: ['\uFEFF'] };
    expect(decodeSequence(encode(v), LIMITS)).toEqual([v]);
    expect(decodeSequence(encodeValue(v), LIMITS)).toEqual([v]);
    expect(bytesToUtf8(utf8ToBytes('\uFEFF'))).toBe('\uFEFF');
  });

  it('decodes what @msgpack/msgpack encodes (sequences too)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 5 }), (vs) => {
        const bytes = new Uint8Array(vs.flatMap((v) => [...encode(v)]));
        expect(decodeSequence(bytes, { ...LIMITS, maxBinLength: 1 << 20, maxArrayLength: 1 << 20, maxMapLength: 1 << 20, maxStrLength: 1 << 20, maxDepth: 64 })).toEqual([...decodeMulti(bytes)]);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses hostile input with a MsgpackError, never a huge allocation', () => {
    const bad: [string, number[]][] = [
      ['bin32 claiming 4 GB', [0xc6, 0xff, 0xff, 0xff, 0xff]],
      ['array32 claiming 4 G items', [0xdd, 0xff, 0xff, 0xff, 0xff]],
      ['str longer than the limit', [0xda, 0x20, 0x00]],
      ['truncated uint32', [0xce, 0x01]],
      ['extension type', [0xd4, 0x01, 0x00]],
      ['reserved 0xc1', [0xc1]],
      ['invalid UTF-8', [0xa1, 0xff]],
      ['map with a bin key', [0x81, 0xc4, 0x00, 0x01]],
      ['nesting deeper than the limit', Array(20).fill(0x91)],
    ];
    for (const [why, bytes] of bad) expect(() => decodeSequence(Uint8Array.from(bytes), LIMITS), why).toThrow(MsgpackError);
    // "__proto__" as a map key is a plain own key, not a prototype switch
    const m = decodeSequence(encode({ ['__proto__']: 1 } as never), LIMITS)[0] as Record<string, unknown>;
    expect(Object.getPrototypeOf(m)).toBe(Object.prototype);
  });
});
