import { describe, expect, it } from 'vitest';
import { BlobId, ValidationError } from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

function content(c: { kind: string; text?: string; length?: number }): Uint8Array {
  if (c.kind === 'empty') return new Uint8Array();
  if (c.kind === 'utf8') return new TextEncoder().encode(c.text!);
  if (c.kind === 'pattern') return Uint8Array.from({ length: c.length! }, (_, i) => i % 251);
  throw new Error(`unknown content kind ${c.kind}`);
}

describe('BlobId vectors', () => {
  for (const b of V.blob_identifiers) {
    it(b.description, () => {
      const id = BlobId.fromBytes(content(b.content));
      expect(id.size).toBe(b.size);
      expect(toHex(id.hash)).toBe(b.blake3_hex);
      expect(toHex(id.multihash)).toBe(b.multihash_hex);
      expect(toHex(id.bytes)).toBe(b.blob_id_hex);
      expect(id.toString()).toBe(b.z_base58btc);
      expect(id.toString('z')).toBe(b.z_base58btc);
      expect(id.toString('b')).toBe(b.b_base32);
      expect(id.toString('u')).toBe(b.u_base64url);
      expect(id.toString('f')).toBe(b.f_hex);
      expect(toHex(id.legacyCidBytes)).toBe(b.legacy_cid_hex);
      for (const s of [b.z_base58btc, b.b_base32, b.u_base64url, b.f_hex, b.legacy_cid_z]) {
        expect(BlobId.parse(s).equals(id), s).toBe(true);
      }
      expect(BlobId.decode(hex(b.legacy_cid_hex)).equals(id)).toBe(true);
      expect(BlobId.fromMultihash(hex(b.multihash_hex), b.size).equals(id)).toBe(true);
      // s5.js's fallback URL carries 0x1f and size 0: it decodes to the same digest.
      const fallback = BlobId.parse(b.s5js_portal_fallback_path.replace('/s5/blob/', ''));
      expect(toHex(fallback.hash)).toBe(b.blake3_hex);
      expect(fallback.size).toBe(0);
      expect(id.matches(content(b.content))).toBe(true);
    });
  }
});

describe('BlobId decoding is strict', () => {
  const good = hex(V.blob_identifiers[1].blob_id_hex);
  it('checks the 0x5b 0x82 prefix (s5.js does not)', () => {
    const bad = good.slice();
    bad[1] = 0x83;
    expect(() => BlobId.decode(bad)).toThrow(ValidationError);
  });
  it('rejects other hash types and bad lengths', () => {
    const bad = good.slice();
    bad[2] = 0x12;
    expect(() => BlobId.decode(bad)).toThrow(/unsupported multihash/);
    expect(() => BlobId.decode(good.subarray(0, 35))).toThrow(ValidationError);
    expect(() => BlobId.parse('xabc')).toThrow(ValidationError);
  });
  it('accepts hash byte 0x1f inside the 0x5b 0x82 form', () => {
    const alt = good.slice();
    alt[2] = 0x1f;
    expect(BlobId.decode(alt).equals(BlobId.decode(good))).toBe(true);
  });
  it('never aliases caller buffers or its own state', () => {
    const bytes = new TextEncoder().encode('hello world');
    const id = BlobId.fromBytes(bytes);
    const h = id.hash;
    h.fill(0);
    expect(toHex(id.hash)).toBe(V.blob_identifiers[1].blake3_hex);
    const mh = hex(V.blob_identifiers[1].multihash_hex);
    const id2 = BlobId.fromMultihash(mh, 11);
    mh.fill(0);
    expect(id2.equals(id)).toBe(true);
    expect(id.matches(new TextEncoder().encode('hello worle'))).toBe(false);
  });
  it('distinguishes size', () => {
    const a = BlobId.fromHash(BlobId.fromBytes(new Uint8Array([1])).hash, 1);
    const b = BlobId.fromHash(a.hash, 2);
    expect(a.equals(b)).toBe(false);
  });
});
