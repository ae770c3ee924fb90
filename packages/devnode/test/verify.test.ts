import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registryEntrySignedMessage, verifyEd25519 } from '@s5chat/s5';
import { assertValidEntry, verifyEd25519Native } from '../src/verify.js';
import { entry, randomKeyPair } from './helpers.js';
import { hex, V } from './vectors.js';

describe('native Ed25519 verification agrees with @s5chat/s5', () => {
  it('accepts every registry vector', () => {
    const pk = hex(V.registry.key.multikey_hex);
    for (const e of V.registry.entries) {
      const msg = registryEntrySignedMessage(e.revision, hex(e.data_hex));
      const sig = hex(e.wire_hex).subarray(-64);
      expect(verifyEd25519Native(pk, msg, sig)).toBe(true);
      expect(verifyEd25519(pk, msg, sig)).toBe(true);
    }
  });

  it('same verdict on 300 valid, bit-flipped, wrong-key and malformed cases', () => {
    for (let i = 0; i < 300; i++) {
      const kp = randomKeyPair();
      const e = entry(kp, i, new Uint8Array(randomBytes(i % 65)));
      const msg = registryEntrySignedMessage(e.revision, e.data);
      const sig = e.signature.slice();
      let pk: Uint8Array = e.publicKey.slice();
      const mode = i % 5;
      if (mode === 1) sig[i % 64]! ^= 1 << (i % 8);
      if (mode === 2) pk = randomKeyPair().publicKey;
      if (mode === 3) msg[msg.length - 1]! ^= 1;
      if (mode === 4) pk = new Uint8Array(randomBytes(33));
      expect(verifyEd25519Native(pk, msg, sig), `case ${i} mode ${mode}`).toBe(verifyEd25519(pk, msg, sig));
      if (mode === 0) expect(verifyEd25519Native(pk, msg, sig)).toBe(true);
    }
    expect(verifyEd25519Native(new Uint8Array(32), new Uint8Array(1), new Uint8Array(64))).toBe(false);
  });

  it('assertValidEntry: shape errors are ValidationError, bad signatures InvalidSignatureError', () => {
    const kp = randomKeyPair();
    expect(() => assertValidEntry(entry(kp, 1))).not.toThrow();
    expect(() => assertValidEntry({ ...entry(kp, 1), revision: 2 })).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    expect(() => assertValidEntry({ ...entry(kp, 1), data: new Uint8Array(65) })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});
