// The FS5 and P2P vectors that touch the client's primitives: key derivations (FS5 is out of scope,
// but its keys come from our identity tree and must match) and the raw registry records peers exchange.
import { describe, expect, it } from 'vitest';
import {
  decodeRegistryEntry,
  deriveHashInt,
  deriveHashString,
  Ed25519KeyPair,
  encodeMultibase,
  registrySubscribeFrame,
  S5Identity,
  toBase64Url,
  verifyRegistryEntry,
} from '../src/index.js';
import { hex, toHex, V } from './vectors.js';

describe('fs5_keys vectors', () => {
  const f = V.fs5_keys;
  const identity = S5Identity.fromSeedPhrase(V.seed_phrases[0].phrase);
  it('root keys and URI', () => {
    expect(toHex(identity.fsRootKey)).toBe(f.fs_root_key_hex);
    const rootWriteKey = deriveHashInt(identity.fsRootKey, 1);
    expect(toHex(rootWriteKey)).toBe(f.root_write_key_hex);
    const rootPk = Ed25519KeyPair.fromSeed(rootWriteKey).publicKey;
    expect(toHex(rootPk)).toBe(f.root_public_key_hex);
    const rootEnc = deriveHashInt(rootWriteKey, 1);
    expect(toHex(rootEnc)).toBe(f.root_encryption_key_hex);
    const uri = `fs5://write:u${toBase64Url(new Uint8Array([0, ...rootWriteKey]))}@${encodeMultibase(new Uint8Array([0x5d, 0x5e, 0xa6, ...rootEnc, ...rootPk]), 'b')}`;
    expect(uri).toBe(f.root_uri);
  });
  it('child directory keys', () => {
    const keys: Record<string, Uint8Array> = { root: hex(f.root_write_key_hex) };
    for (const c of f.children) {
      const name = c.path.split('/').pop();
      const writeKey = deriveHashString(keys[c.parent]!, name);
      keys[c.path] = writeKey;
      expect(toHex(writeKey), c.path).toBe(c.write_key_hex);
      expect(toHex(Ed25519KeyPair.fromSeed(writeKey).publicKey)).toBe(c.public_key_hex);
    }
  });
  it('hidden DB keys', () => {
    const h = f.hidden_db;
    expect(toHex(identity.hiddenDbKey)).toBe(h.hidden_db_key_hex);
    const pathKey = deriveHashInt(deriveHashString(identity.hiddenDbKey, h.path), 1);
    expect(toHex(pathKey)).toBe(h.path_key_hex);
    const writeKey = deriveHashInt(pathKey, 2);
    expect(toHex(writeKey)).toBe(h.write_key_hex);
    expect(toHex(Ed25519KeyPair.fromSeed(writeKey).publicKey)).toBe(h.public_key_hex);
    expect(toHex(deriveHashInt(pathKey, 3))).toBe(h.encryption_key_hex);
  });
});

describe('p2p registry records', () => {
  const frame = (name: string) => V.p2p.frames.find((f: { name: string }) => f.name === name);
  for (const name of ['node_registry_entry', 'client_registry_push']) {
    it(`${name} decodes and verifies, and re-encodes identically`, () => {
      const entry = decodeRegistryEntry(hex(frame(name).hex));
      expect(verifyRegistryEntry(entry)).toBe(true);
      expect(toHex(entry.publicKey)).toBe(V.registry.key.multikey_hex);
    });
  }
  it('subscription frame uses the same header-less msgpack framing as the registry query', () => {
    const query = hex(frame('client_registry_query').hex); // 0d c4 21 <pk33>
    const pk = query.subarray(3);
    const sub = registrySubscribeFrame(pk);
    expect(toHex(sub)).toBe('02c421' + toHex(pk));
    expect(toHex(sub.subarray(1))).toBe(toHex(query.subarray(1)));
  });
});
