import { describe, expect, it } from 'vitest';
import {
  blake3,
  checkPaddedBlock,
  DecryptionError,
  decryptMutableBytes,
  encryptMutableBytes,
  padFileSize,
  ValidationError,
} from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

describe('padding vectors', () => {
  for (const p of V.padding.pad_file_size) {
    it(`padFileSize(${p.input}) = ${p.padFileSize}`, () => expect(padFileSize(p.input)).toBe(p.padFileSize));
  }
  for (const c of V.padding.check_padded_block) {
    it(`checkPaddedBlock(${c.size}) = ${c.valid}`, () => expect(checkPaddedBlock(c.size)).toBe(c.valid));
  }
});

describe('mutable bytes vectors (fixed nonce)', () => {
  for (const m of V.mutable_bytes) {
    it(m.description, () => {
      const blob = encryptMutableBytes(hex(m.plaintext_hex), hex(m.key_hex), hex(m.nonce_hex));
      expect(blob.length).toBe(m.padded_blob_length);
      expect(toHex(blob)).toBe(m.blob_hex);
      expect(toHex(blake3(blob))).toBe(m.blob_blake3_hex);
      expect(toHex(decryptMutableBytes(hex(m.blob_hex), hex(m.key_hex)))).toBe(m.plaintext_hex);
    });
  }
});

describe('mutable bytes negative cases', () => {
  const m = V.mutable_bytes[0];
  const key = hex(m.key_hex);
  it('a flipped ciphertext bit → DecryptionError', () => {
    const blob = hex(m.blob_hex);
    blob[100]! ^= 1;
    expect(() => decryptMutableBytes(blob, key)).toThrow(DecryptionError);
  });
  it('a wrong key → DecryptionError', () => {
    const wrong = key.slice();
    wrong[0]! ^= 1;
    expect(() => decryptMutableBytes(hex(m.blob_hex), wrong)).toThrow(DecryptionError);
  });
  it('unpadded length and wrong version → DecryptionError', () => {
    expect(() => decryptMutableBytes(hex(m.blob_hex).subarray(0, 4095), key)).toThrow(/not padded/);
    const v2 = hex(m.blob_hex);
    v2[1] = 2;
    expect(() => decryptMutableBytes(v2, key)).toThrow(/version/);
  });
  it('random nonces: two encryptions differ but both decrypt', () => {
    const data = new TextEncoder().encode('same');
    const a = encryptMutableBytes(data, key);
    const b = encryptMutableBytes(data, key);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(decryptMutableBytes(a, key)).toEqual(data);
    expect(decryptMutableBytes(b, key)).toEqual(data);
  });
  it('bad key/nonce sizes → ValidationError', () => {
    expect(() => encryptMutableBytes(new Uint8Array(1), new Uint8Array(31))).toThrow(ValidationError);
    expect(() => encryptMutableBytes(new Uint8Array(1), key, new Uint8Array(12))).toThrow(ValidationError);
    expect(() => padFileSize(-1)).toThrow(ValidationError);
  });
});
