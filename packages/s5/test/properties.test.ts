// Property-based round trips (fast-check): the codecs must be exact inverses on every input, and
// decoders must answer malformed input with a typed error, never a crash or a wrong value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BlobId,
  createRegistryEntry,
  decodeMultibase,
  decodeRegistryEntry,
  decryptMutableBytes,
  Ed25519KeyPair,
  encodeMultibase,
  encodeRegistryEntry,
  encryptMutableBytes,
  entropyFromSeedPhrase,
  isS5ChatError,
  padFileSize,
  checkPaddedBlock,
  registryEntryFromJson,
  registryEntryToJson,
  seedPhraseFromEntropy,
  verifyRegistryEntry,
} from '../src/index.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const keyPair = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(1));

describe('properties', () => {
  it('seed phrase ↔ entropy for any 16 bytes', () => {
    fc.assert(fc.property(bytes(16, 16), (e) => {
      expect(entropyFromSeedPhrase(seedPhraseFromEntropy(e))).toEqual(e);
    }));
  });
  it('multibase round trip in every base', () => {
    fc.assert(
      fc.property(bytes(0, 80), fc.constantFrom('z', 'b', 'u', 'f' as const), (b, base) => {
        expect(decodeMultibase(encodeMultibase(b, base))).toEqual(b);
      }),
    );
  });
  it('BlobId string forms round trip for any content size', () => {
    fc.assert(
      fc.property(bytes(32, 32), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.constantFrom('z', 'b', 'u', 'f' as const), (h, size, base) => {
        const id = BlobId.fromHash(h, size);
        const back = BlobId.parse(id.toString(base));
        expect(back.equals(id)).toBe(true);
        expect(back.size).toBe(size);
      }),
    );
  });
  it('registry entry wire and JSON round trips; any single bit flip breaks verification or decoding', () => {
    fc.assert(
      fc.property(bytes(0, 64), fc.integer({ min: 0, max: 2 ** 48 }), fc.nat(), (data, revision, flip) => {
        const e = createRegistryEntry({ keyPair, revision, data });
        const wire = encodeRegistryEntry(e);
        expect(decodeRegistryEntry(wire)).toEqual(e);
        expect(registryEntryFromJson(JSON.parse(JSON.stringify(registryEntryToJson(e))))).toEqual(e);
        const bit = flip % (wire.length * 8);
        const bad = wire.slice();
        bad[bit >> 3]! ^= 1 << (bit & 7);
        let ok = false;
        try {
          ok = verifyRegistryEntry(decodeRegistryEntry(bad));
        } catch (err) {
          expect(isS5ChatError(err)).toBe(true);
        }
        expect(ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
  it('decoders reject arbitrary garbage with typed errors only', () => {
    fc.assert(
      fc.property(bytes(0, 200), (junk) => {
        for (const decode of [() => decodeRegistryEntry(junk), () => BlobId.decode(junk)]) {
          try {
            decode();
          } catch (err) {
            expect(isS5ChatError(err)).toBe(true);
          }
        }
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          BlobId.parse(s);
        } catch (err) {
          expect(isS5ChatError(err)).toBe(true);
        }
      }),
    );
  });
  it('mutable bytes: decrypt(encrypt(x)) = x, blob size is padded', () => {
    const key = new Uint8Array(32).fill(9);
    fc.assert(
      fc.property(bytes(0, 10_000), (data) => {
        const blob = encryptMutableBytes(data, key);
        expect(blob.length).toBe(padFileSize(data.length + 46));
        expect(checkPaddedBlock(blob.length)).toBe(true);
        expect(decryptMutableBytes(blob, key)).toEqual(data);
      }),
      { numRuns: 50 },
    );
  });
  it('padFileSize is monotone, ≥ input, and on the grid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 34 }), (n) => {
        const p = padFileSize(n);
        expect(p).toBeGreaterThanOrEqual(n);
        expect(checkPaddedBlock(p)).toBe(true);
        expect(padFileSize(n + 1)).toBeGreaterThanOrEqual(p);
      }),
    );
  });
});
