import { describe, expect, it } from 'vitest';
import {
  decodeMultibase,
  decodeUintLE,
  encodeMultibase,
  encodeTrimmedSize,
  encodeU64LE,
  fromBase64Url,
  toBase64Url,
  ValidationError,
} from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

describe('base64url', () => {
  it('round-trips without padding and matches the registry JSON vectors', () => {
    for (const e of V.registry.entries) {
      expect(toBase64Url(hex(e.data_hex))).toBe(e.http_json.data);
      expect(toHex(fromBase64Url(e.http_json.signature))).toBe(e.signature_hex);
    }
    expect(toBase64Url(new Uint8Array())).toBe('');
    expect(fromBase64Url('')).toEqual(new Uint8Array());
  });
  it('rejects padding and the standard alphabet with a ValidationError', () => {
    expect(() => fromBase64Url('AQ==')).toThrow(ValidationError);
    expect(() => fromBase64Url('a+b/')).toThrow(ValidationError);
  });
});

describe('multibase', () => {
  it('encodes every blob identifier vector in z/b/u/f', () => {
    for (const b of V.blob_identifiers) {
      const id = hex(b.blob_id_hex);
      expect(encodeMultibase(id, 'z')).toBe(b.z_base58btc);
      expect(encodeMultibase(id, 'b')).toBe(b.b_base32);
      expect(encodeMultibase(id, 'u')).toBe(b.u_base64url);
      expect(encodeMultibase(id, 'f')).toBe(b.f_hex);
      for (const s of [b.z_base58btc, b.b_base32, b.u_base64url, b.f_hex]) expect(toHex(decodeMultibase(s))).toBe(b.blob_id_hex);
      expect(toHex(decodeMultibase(b.b_base32.toUpperCase().replace(/^B/, 'b')))).toBe(b.blob_id_hex);
    }
  });
  it('rejects unknown prefixes and bad characters', () => {
    expect(() => decodeMultibase('mAAAA')).toThrow(/Multibase encoding m not supported/);
    expect(() => decodeMultibase('z0OIl')).toThrow(ValidationError);
    expect(() => decodeMultibase('')).toThrow(ValidationError);
  });
});

describe('little-endian integers', () => {
  it('encodes u64 correctly where s5.js did not (PROTOCOL §11 item 10)', () => {
    for (const c of V.registry.s5js_encodeLittleEndian_bug) {
      expect(toHex(encodeU64LE(c.value))).toBe(c.correct_u64le_hex);
      expect(decodeUintLE(hex(c.correct_u64le_hex))).toBe(c.value);
    }
  });
  it('trims blob sizes to at least one byte', () => {
    expect(toHex(encodeTrimmedSize(0))).toBe('00');
    expect(toHex(encodeTrimmedSize(11))).toBe('0b');
    expect(toHex(encodeTrimmedSize(100000))).toBe('a08601');
    expect(toHex(encodeTrimmedSize(2 ** 32))).toBe('0000000001');
  });
  it('rejects negative, fractional and unsafe values', () => {
    expect(() => encodeU64LE(-1)).toThrow(ValidationError);
    expect(() => encodeU64LE(1.5)).toThrow(ValidationError);
    expect(() => decodeUintLE(hex('ffffffffffffffff'))).toThrow(ValidationError);
  });
});
