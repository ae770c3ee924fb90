import { readFileSync } from 'node:fs';
import { Wallet, verifyMessage, hashMessage } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  derivePortalAccountSeed,
  entropyFromSeedPhrase,
  entropyFromWalletSignature,
  generateSeedPhrase,
  InvalidSeedPhraseError,
  isValidSeedPhrase,
  portalAccountKeyPair,
  S5Identity,
  SEED_WORDLIST,
  seedChecksumIndices,
  seedPhraseFromEntropy,
  ValidationError,
  WALLET_IDENTITY_MESSAGE_V1,
  AuthError,
  eip191Hash,
  recoverEip191Address,
  identityFromWallet,
  blake3,
  deriveHashInt,
} from '../src/index.js';
import { hex, toHex, V, wordlistPath } from './vectors.js';

describe('wordlist', () => {
  it('is identical to the shared wordlist.txt', () => {
    const words = readFileSync(wordlistPath, 'utf8').split('\n').filter(Boolean);
    expect(SEED_WORDLIST).toEqual(words);
    expect(new Set(SEED_WORDLIST.map((w) => w.slice(0, 3))).size).toBe(1024);
  });
});

describe('seed phrase vectors', () => {
  for (const s of V.seed_phrases) {
    it(s.description, () => {
      expect(seedPhraseFromEntropy(hex(s.entropy_hex))).toBe(s.phrase);
      expect(toHex(entropyFromSeedPhrase(s.phrase))).toBe(s.entropy_hex);
      const words = s.phrase.split(' ');
      expect(words.slice(0, 13).map((w: string) => SEED_WORDLIST.indexOf(w))).toEqual(s.word_indices);
      expect(seedChecksumIndices(hex(s.entropy_hex))).toEqual(s.checksum_word_indices);
    });
  }
  for (const p of V.phrase_validation) {
    it(`validation: ${p.description}`, () => {
      if (p.valid) {
        expect(toHex(entropyFromSeedPhrase(p.phrase))).toBe(p.entropy_hex);
        expect(isValidSeedPhrase(p.phrase)).toBe(true);
      } else {
        let err: unknown;
        try {
          entropyFromSeedPhrase(p.phrase);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InvalidSeedPhraseError);
        expect((err as InvalidSeedPhraseError).code).toBe('INVALID_SEED_PHRASE');
        expect((err as InvalidSeedPhraseError).s5jsMessage).toBe(p.error); // rejected for s5.js's reason
        expect((err as InvalidSeedPhraseError).shortMessage).toMatch(/check|generateSeedPhrase|letters/); // and says what to do
      }
    });
  }
  it('a corrupted checksum word (word 14) is an InvalidSeedPhraseError', () => {
    const words = V.seed_phrases[0].phrase.split(' ');
    const idx = SEED_WORDLIST.indexOf(words[13]);
    words[13] = SEED_WORDLIST[(idx + 1) % 1024];
    expect(() => entropyFromSeedPhrase(words.join(' '))).toThrow(InvalidSeedPhraseError);
    expect(() => S5Identity.fromSeedPhrase(words.join(' '))).toThrow(InvalidSeedPhraseError);
  });
  it('a changed entropy word is caught by the checksum', () => {
    const words = V.seed_phrases[0].phrase.split(' ');
    words[2] = SEED_WORDLIST[(SEED_WORDLIST.indexOf(words[2]) + 1) % 1024];
    let err: unknown;
    try {
      entropyFromSeedPhrase(words.join(' '));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_SEED_PHRASE', problem: 'checksum' });
  });
  it('generated phrases round-trip and differ', () => {
    const a = generateSeedPhrase();
    const b = generateSeedPhrase();
    expect(a).not.toBe(b);
    expect(a.split(' ')).toHaveLength(15);
    expect(seedPhraseFromEntropy(entropyFromSeedPhrase(a))).toBe(a);
  });
  it('rejects non-strings and entropy of the wrong length', () => {
    expect(() => entropyFromSeedPhrase(42 as unknown as string)).toThrow(InvalidSeedPhraseError);
    expect(() => seedPhraseFromEntropy(new Uint8Array(15))).toThrow(ValidationError);
  });
});

describe('S5Identity key tree', () => {
  for (const s of V.seed_phrases) {
    it(`matches the derivation vectors: ${s.description.slice(0, 40)}`, () => {
      const id = S5Identity.fromSeedPhrase(s.phrase);
      for (const [tweak, seed] of Object.entries(s.leaf_seeds_hex as Record<string, string>)) {
        const t = Number(tweak);
        expect(toHex(t < 64 ? id.publicLeaf(t) : id.privateLeaf(t)), `leaf ${tweak}`).toBe(seed);
      }
      expect(toHex(id.signingKeyPair.publicKey)).toBe(s.signing_public_key_hex);
      expect(id.signingKeyPair.publicKeyBase64Url).toBe(s.signing_public_key_b64url);
      expect(toHex(id.portalAccountSeed)).toBe(s.portal_account_seed_hex);
      expect(toHex(id.hiddenDbKey)).toBe(s.hidden_db_key_hex);
      expect(toHex(id.fsRootKey)).toBe(s.fs_root_key_hex);
      expect(id.seedPhrase).toBe(s.phrase);
      // intermediate chain, recomputed from the spec
      const seedBytes = blake3(hex(s.entropy_hex));
      expect(toHex(seedBytes)).toBe(s.seed_bytes_hex);
      expect(toHex(deriveHashInt(seedBytes, 0))).toBe(s.main_hex);
      expect(toHex(S5Identity.fromEntropy(hex(s.entropy_hex)).signingKeyPair.publicKey)).toBe(s.signing_public_key_hex);
    });
  }
  it('deriveSeed folds deriveHashString from the extension leaf (tweak 127)', () => {
    const s = V.seed_phrases[0];
    const id = S5Identity.fromSeedPhrase(s.phrase);
    const ext = hex(s.leaf_seeds_hex['127']);
    const expected = blake3(new Uint8Array([...blake3(new Uint8Array([...ext, ...blake3(new TextEncoder().encode('s5chat'))])), ...blake3(new TextEncoder().encode('conv-1'))]));
    expect(toHex(id.deriveSeed('s5chat', 'conv-1'))).toBe(toHex(expected));
    expect(toHex(id.deriveSeed('s5chat', 'conv-2'))).not.toBe(toHex(expected));
    expect(() => id.deriveSeed()).toThrow(ValidationError);
  });
});

describe('portal account key', () => {
  const pa = V.portal_auth;
  it('matches the s5.js account key for a given account seed', () => {
    const kp = portalAccountKeyPair(hex(pa.portal_account_seed_hex), hex(pa.account_seed_hex));
    expect(toHex(kp.publicKey)).toBe(pa.public_key_hex);
    expect(kp.publicKeyBase64Url).toBe(pa.public_key_b64url);
    const id = S5Identity.fromSeedPhrase(V.seed_phrases[0].phrase);
    expect(toHex(id.portalAccountKeyPair(pa.host, hex(pa.account_seed_hex)).publicKey)).toBe(pa.public_key_hex);
  });
  it('derives one deterministic account seed per host', () => {
    const seed = hex(pa.portal_account_seed_hex);
    expect(toHex(derivePortalAccountSeed(seed, '127.0.0.1:5050'))).toBe(toHex(derivePortalAccountSeed(seed, '127.0.0.1:5050')));
    expect(toHex(derivePortalAccountSeed(seed, '127.0.0.1:5050'))).not.toBe(toHex(derivePortalAccountSeed(seed, '127.0.0.1:5051')));
    expect(toHex(derivePortalAccountSeed(seed, 'Portal.Example'))).toBe(toHex(derivePortalAccountSeed(seed, 'portal.example')));
  });
});

describe('identityFromWallet', () => {
  const walletA = new Wallet('0x' + '11'.repeat(32));
  const walletB = new Wallet('0x' + '22'.repeat(32));

  it('signs the fixed, versioned message', async () => {
    const seen: string[] = [];
    await identityFromWallet({ signMessage: async (m) => (seen.push(m), walletA.signMessage(m)) });
    expect(seen).toEqual([WALLET_IDENTITY_MESSAGE_V1]);
    expect(WALLET_IDENTITY_MESSAGE_V1.startsWith('s5chat identity v1\n')).toBe(true);
  });
  it('same wallet → same identity; different wallet → different identity', async () => {
    const a1 = await identityFromWallet(walletA);
    const a2 = await identityFromWallet(new Wallet(walletA.privateKey));
    const b = await identityFromWallet(walletB);
    expect(toHex(a1.signingKeyPair.publicKey)).toBe(toHex(a2.signingKeyPair.publicKey));
    expect(a1.seedPhrase).toBe(a2.seedPhrase);
    expect(toHex(a1.signingKeyPair.publicKey)).not.toBe(toHex(b.signingKeyPair.publicKey));
    // The exported phrase reproduces the identity on a device without the wallet.
    expect(toHex(S5Identity.fromSeedPhrase(a1.seedPhrase).signingKeyPair.publicKey)).toBe(toHex(a1.signingKeyPair.publicKey));
  });
  it('is not derivable from the public address (the Fabstir bug)', async () => {
    const id = await identityFromWallet(walletA);
    const addr = walletA.address;
    const candidates = [
      blake3(new TextEncoder().encode(addr)).slice(0, 16),
      blake3(new TextEncoder().encode(addr.toLowerCase())).slice(0, 16),
      blake3(hex(addr.slice(2))).slice(0, 16),
      hex(addr.slice(2)).slice(0, 16),
    ];
    for (const e of candidates) expect(S5Identity.fromEntropy(e).seedPhrase).not.toBe(id.seedPhrase);
    // And it depends on the secret signature: the entropy is a hash of it.
    const sig = await walletA.signMessage(WALLET_IDENTITY_MESSAGE_V1);
    expect(toHex(entropyFromWalletSignature(sig))).toBe(toHex(entropyFromSeedPhrase(id.seedPhrase)));
  });
  it('is invariant to the v encoding and to the high-s twin of the same signature', async () => {
    const sig = await walletA.signMessage(WALLET_IDENTITY_MESSAGE_V1);
    const bytes = hex(sig.slice(2));
    const v01 = bytes.slice();
    v01[64] = v01[64]! - 27;
    expect(toHex(entropyFromWalletSignature(toHex(v01)))).toBe(toHex(entropyFromWalletSignature(sig)));
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt('0x' + toHex(bytes.slice(32, 64)));
    const high = hex((N - s).toString(16).padStart(64, '0'));
    const twin = new Uint8Array([...bytes.slice(0, 32), ...high, bytes[64]!]);
    expect(toHex(entropyFromWalletSignature(toHex(twin)))).toBe(toHex(entropyFromWalletSignature(sig)));
  });
  it('recovers the EIP-191 signer address exactly like ethers', async () => {
    const sig = await walletB.signMessage(WALLET_IDENTITY_MESSAGE_V1);
    expect('0x' + toHex(eip191Hash(WALLET_IDENTITY_MESSAGE_V1))).toBe(hashMessage(WALLET_IDENTITY_MESSAGE_V1));
    expect(recoverEip191Address(WALLET_IDENTITY_MESSAGE_V1, sig)).toBe(verifyMessage(WALLET_IDENTITY_MESSAGE_V1, sig).toLowerCase());
    expect(recoverEip191Address(WALLET_IDENTITY_MESSAGE_V1, sig)).toBe(walletB.address.toLowerCase());
  });
  it('refuses a signature that the signer address did not make', async () => {
    const bridge = { getAddress: async () => walletA.address, signMessage: (m: string) => walletB.signMessage(m) };
    const err = await identityFromWallet(bridge).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('AUTH_FAILED');
  });
  it('rejects malformed signatures and signers', async () => {
    await expect(identityFromWallet({ signMessage: async () => '0x1234' })).rejects.toBeInstanceOf(ValidationError);
    await expect(identityFromWallet({} as never)).rejects.toBeInstanceOf(ValidationError);
    expect(() => entropyFromWalletSignature('0x' + '00'.repeat(65))).toThrow(ValidationError);
  });
});
