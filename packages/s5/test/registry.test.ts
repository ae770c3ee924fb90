import { describe, expect, it } from 'vitest';
import {
  assertValidRegistryEntry,
  createRegistryEntry,
  decodeRegistryEntry,
  Ed25519KeyPair,
  encodeRegistryEntry,
  InvalidSignatureError,
  registryEntryFromJson,
  registryEntrySignedMessage,
  registryEntryToJson,
  ValidationError,
  verifyRegistryEntry,
  type RegistryEntry,
} from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

const keyPair = Ed25519KeyPair.fromSeed(hex(V.registry.key.ed25519_seed_hex));

describe('registry entry vectors', () => {
  for (const v of V.registry.entries) {
    it(v.description, () => {
      expect(toHex(registryEntrySignedMessage(v.revision, hex(v.data_hex)))).toBe(v.signed_message_hex);
      const entry = createRegistryEntry({ keyPair, revision: v.revision, data: hex(v.data_hex) });
      expect(toHex(entry.signature)).toBe(v.signature_hex);
      const wire = encodeRegistryEntry(entry);
      expect(toHex(wire)).toBe(v.wire_hex);
      expect(wire.length).toBe(v.wire_length);
      expect(registryEntryToJson(entry)).toEqual(v.http_json);
      const decoded = decodeRegistryEntry(hex(v.wire_hex));
      expect(decoded).toEqual(entry);
      expect(verifyRegistryEntry(decoded)).toBe(true);
      expect(registryEntryFromJson(v.http_json)).toEqual(entry);
    });
  }
  it('s5.js wire bytes for revision 2^40 (its 32-bit encoder bug) do not verify as revision 2^40', () => {
    const v = V.registry.entries[2];
    const decoded = decodeRegistryEntry(hex(v.s5js_wire_hex));
    expect(decoded.revision).toBe(0); // s5.js wrote zero bytes
    expect(verifyRegistryEntry(decoded)).toBe(true); // its signature covers those zero bytes
    expect(verifyRegistryEntry({ ...decoded, revision: v.revision })).toBe(false);
  });
});

describe('registry validation (typed errors, in the network order of PROTOCOL §6.2)', () => {
  const base = createRegistryEntry({ keyPair, revision: 5, data: new Uint8Array([0x1e, 1, 2]) });

  it('data of 65 bytes → ValidationError, nothing signed', () => {
    const err = (() => {
      try {
        createRegistryEntry({ keyPair, revision: 1, data: new Uint8Array(65) });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('VALIDATION');
    expect(err.issues[0]!.path).toBe('data');
    expect(() => createRegistryEntry({ keyPair, revision: 1, data: new Uint8Array(64) })).not.toThrow();
  });
  it('revision 2^48 + 1 → ValidationError; 2^48 is allowed', () => {
    expect(() => createRegistryEntry({ keyPair, revision: 2 ** 48 + 1, data: new Uint8Array() })).toThrow(ValidationError);
    expect(() => createRegistryEntry({ keyPair, revision: -1, data: new Uint8Array() })).toThrow(ValidationError);
    expect(() => createRegistryEntry({ keyPair, revision: 1.5, data: new Uint8Array() })).toThrow(ValidationError);
    const max = createRegistryEntry({ keyPair, revision: 2 ** 48, data: new Uint8Array() });
    expect(decodeRegistryEntry(encodeRegistryEntry(max)).revision).toBe(2 ** 48);
  });
  it('wrong signature → InvalidSignatureError / false', () => {
    const sig = base.signature.slice();
    sig[10]! ^= 0x01;
    const bad: RegistryEntry = { ...base, signature: sig };
    expect(verifyRegistryEntry(bad)).toBe(false);
    expect(() => assertValidRegistryEntry(bad)).toThrow(InvalidSignatureError);
    // A valid signature under another key is also rejected: the entry claims a different key.
    const other = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(7));
    expect(verifyRegistryEntry({ ...base, publicKey: other.publicKey })).toBe(false);
    // Changing the revision invalidates the signature (it is signed).
    expect(verifyRegistryEntry({ ...base, revision: 6 })).toBe(false);
  });
  it('pk type / size checks', () => {
    const pk = base.publicKey.slice();
    pk[0] = 0x01;
    expect(() => assertValidRegistryEntry({ ...base, publicKey: pk })).toThrow(/Invalid public key type/);
    expect(() => assertValidRegistryEntry({ ...base, publicKey: pk.subarray(1) })).toThrow(/Invalid public key size/);
  });
  it('decoder is strict about length, type byte, signature length and huge revisions', () => {
    const wire = encodeRegistryEntry(base);
    expect(() => decodeRegistryEntry(wire.subarray(0, wire.length - 1))).toThrow(ValidationError);
    expect(() => decodeRegistryEntry(Uint8Array.from([...wire, 0]))).toThrow(ValidationError);
    const t = wire.slice();
    t[0] = 0x05;
    expect(() => decodeRegistryEntry(t)).toThrow(ValidationError);
    const bigRev = wire.slice();
    bigRev.set([0, 0, 0, 0, 0, 0, 0, 0xff], 34);
    expect(() => decodeRegistryEntry(bigRev)).toThrow(/Invalid revision/);
    const overRev = wire.slice();
    overRev.set([1, 0, 0, 0, 0, 0, 1, 0], 34); // 2^48 + 1
    expect(() => decodeRegistryEntry(overRev)).toThrow(/Invalid revision/);
    const longData = wire.slice();
    longData[42] = 65;
    expect(() => decodeRegistryEntry(longData)).toThrow(/Data too long/);
  });
  it('JSON parsing lists every bad field', () => {
    try {
      registryEntryFromJson({ pk: 'a+', revision: 1, data: 5, signature: 'AA' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).issues.map((i) => i.path).sort()).toEqual(['data', 'pk']);
    }
    expect(() => registryEntryFromJson({ ...registryEntryToJson(base), revision: '5' })).toThrow(ValidationError);
    expect(() => registryEntryFromJson(null)).toThrow(ValidationError);
  });
  it('does not alias the caller data buffer', () => {
    const data = new Uint8Array([1, 2, 3]);
    const entry = createRegistryEntry({ keyPair, revision: 1, data });
    data[0] = 9;
    expect(Array.from(entry.data)).toEqual([1, 2, 3]);
    expect(verifyRegistryEntry(entry)).toBe(true);
  });
});
