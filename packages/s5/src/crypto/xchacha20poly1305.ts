// XChaCha20-Poly1305 (RFC 8439 + draft-irtf-cfrg-xchacha), the AEAD of S5 mutable bytes (PROTOCOL §8),
// without associated data. Hand-written rather than @noble/ciphers for the SDK's browser budget
// (sdk-core test/size): noble's AEAD framework, helpers and unrolled cores are ~11 KB minified
// (~4.5 KB gzip) of every app, a third of what the budget had left. Written for the same properties:
// 32-bit ARX and Poly1305 in 13-bit limbs (every product and sum stays an exact integer below 2^53),
// no branch or table lookup on secret data, the tag compared in constant time and checked before
// any plaintext is produced. test/xchacha20poly1305.test.ts checks it against @noble/ciphers (random
// keys, nonces and lengths around every block boundary), the draft's XChaCha test vector and RFC
// 8439's Poly1305 vector; test/mutable-bytes.test.ts against the libsodium-verified S5 vectors.
import { DecryptionError } from '../errors.js';

const rotl = (w: number, n: number) => (w << n) | (w >>> (32 - n));
const le32 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

/** The ChaCha state for key + the last four words (counter and nonce, or HChaCha's 16-byte nonce). */
function initState(key: Uint8Array, tail: Uint32Array): Uint32Array {
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]); // "expand 32-byte k"
  for (let i = 0; i < 8; i++) s[4 + i] = le32(key, 4 * i);
  s.set(tail, 12);
  return s;
}

function quarter(s: Uint32Array, a: number, b: number, c: number, d: number): void {
  s[a] = s[a]! + s[b]!;
  s[d] = rotl(s[d]! ^ s[a]!, 16);
  s[c] = s[c]! + s[d]!;
  s[b] = rotl(s[b]! ^ s[c]!, 12);
  s[a] = s[a]! + s[b]!;
  s[d] = rotl(s[d]! ^ s[a]!, 8);
  s[c] = s[c]! + s[d]!;
  s[b] = rotl(s[b]! ^ s[c]!, 7);
}

/** 20 rounds over `s` in place (no feed-forward): ten times four columns, then four diagonals. */
function rounds(s: Uint32Array): void {
  for (let r = 0; r < 10; r++) {
    quarter(s, 0, 4, 8, 12);
    quarter(s, 1, 5, 9, 13);
    quarter(s, 2, 6, 10, 14);
    quarter(s, 3, 7, 11, 15);
    quarter(s, 0, 5, 10, 15);
    quarter(s, 1, 6, 11, 12);
    quarter(s, 2, 7, 8, 13);
    quarter(s, 3, 4, 9, 14);
  }
}

/** data XOR the ChaCha20 keystream (IETF: 32-bit counter, 96-bit nonce) from block `counter`. */
function chacha20(key: Uint8Array, nonce12: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  const input = initState(key, Uint32Array.of(0, le32(nonce12, 0), le32(nonce12, 4), le32(nonce12, 8)));
  const s = new Uint32Array(16);
  for (let offset = 0; offset < data.length; offset += 64, counter++) {
    input[12] = counter;
    s.set(input);
    rounds(s);
    for (let i = 0; i < 16; i++) s[i] = s[i]! + input[i]!;
    for (let i = 0; i < 64 && offset + i < data.length; i++) out[offset + i] = data[offset + i]! ^ (s[i >> 2]! >>> (8 * (i & 3)));
  }
  return out;
}

/** HChaCha20: the XChaCha subkey from the key and the nonce's first 16 bytes. */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const s = initState(key, Uint32Array.of(le32(nonce16, 0), le32(nonce16, 4), le32(nonce16, 8), le32(nonce16, 12)));
  rounds(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s[i < 16 ? i >> 2 : 8 + (i >> 2)]! >>> (8 * (i & 3));
  return out;
}

/** Ten 13-bit limbs (130 bits, little-endian) of the number in `b` into `out` (b: 20 bytes). */
function limbs(b: Uint8Array, out: Float64Array): Float64Array {
  for (let i = 0; i < 10; i++) {
    const j = (13 * i) >> 3;
    out[i] = ((b[j]! | (b[j + 1]! << 8) | (b[j + 2]! << 16)) >>> ((13 * i) & 7)) & 0x1fff;
  }
  return out;
}

/**
 * Carry every limb into the next; the carry out of limb 9 re-enters limb 0 times 5 (2^130 ≡ 5 mod p),
 * and limb 0's carry goes on into limb 1. After it every limb is < 2^13 except limb 1 (a little more).
 */
function carry(h: Float64Array): void {
  let c = 0;
  for (let i = 0; i < 10; i++) {
    h[i] = h[i]! + c;
    c = (h[i]! / 0x2000) | 0; // h < 2^44, so the quotient fits an int32: this is floor
    h[i] = h[i]! & 0x1fff; // ToInt32 keeps the low 32 bits exactly, so this is h mod 2^13
  }
  h[0] = h[0]! + 5 * c;
  c = (h[0]! / 0x2000) | 0;
  h[0] = h[0]! & 0x1fff;
  h[1] = h[1]! + c;
}

/** Poly1305 tag of `message` under the one-time 32-byte key (RFC 8439 §2.5). */
export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  const rBytes = new Uint8Array(20);
  rBytes.set(key.subarray(0, 16));
  for (const i of [3, 7, 11, 15]) rBytes[i]! &= 15;
  for (const i of [4, 8, 12]) rBytes[i]! &= 252;
  const r = limbs(rBytes, new Float64Array(10));
  const r5 = r.map((x) => 5 * x);
  // Limbs are exact integers in doubles: with h's limbs below ~2^14 and 5r's below 2^16, every sum of
  // products stays below 2^35, far from 2^53.
  const h = new Float64Array(10);
  const m = new Float64Array(10);
  const d = new Float64Array(10);
  const block = new Uint8Array(20);
  for (let offset = 0; offset < message.length; offset += 16) {
    const n = Math.min(16, message.length - offset);
    block.fill(0);
    block.set(message.subarray(offset, offset + n));
    block[n] = 1; // the 2^(8n) bit: after a full block it is bit 128, after a short one the pad byte
    limbs(block, m);
    for (let i = 0; i < 10; i++) h[i] = h[i]! + m[i]!;
    // h = h · r mod (2^130 − 5): limb products that land at 2^(130+) wrap around times 5.
    for (let i = 0; i < 10; i++) {
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += h[j]! * r[i - j]!;
      for (let j = i + 1; j < 10; j++) sum += h[j]! * r5[i + 10 - j]!;
      d[i] = sum;
    }
    carry(d);
    h.set(d);
  }
  // Two more passes make the limbs canonical (each < 2^13, so h < 2^130 < 2p): after the first, only
  // limb 1 can exceed 2^13, by a carry of at most 1, and a carry out of limb 9 then leaves h tiny.
  carry(h);
  carry(h);
  // h mod p without a branch: g = h + 5 − 2^130 is the answer exactly when it is not negative.
  const g = h.slice();
  g[0] = g[0]! + 5;
  let c = 0;
  for (let i = 0; i < 10; i++) {
    g[i] = g[i]! + c;
    c = g[i]! >>> 13;
    g[i] = g[i]! & 0x1fff;
  }
  const mask = -c; // c is 1 when h + 5 ≥ 2^130, i.e. h ≥ p
  for (let i = 0; i < 10; i++) h[i] = (h[i]! & ~mask) | (g[i]! & mask);
  // tag = (h + s) mod 2^128, little-endian
  const tag = new Uint8Array(16);
  let acc = 0;
  let bits = 0;
  let sum = 0;
  for (let i = 0, limb = 0; i < 16; i++) {
    while (bits < 8) {
      acc |= h[limb++]! << bits;
      bits += 13;
    }
    sum += (acc & 0xff) + key[16 + i]!;
    tag[i] = sum;
    sum >>>= 8;
    acc >>>= 8;
    bits -= 8;
  }
  return tag;
}

/** The MAC input of RFC 8439 §2.8 with no associated data: ciphertext, zero pad to 16, 0 as LE64, length as LE64. */
function tagOf(polyKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const padded = Math.ceil(ciphertext.length / 16) * 16;
  const macData = new Uint8Array(padded + 16);
  macData.set(ciphertext);
  new DataView(macData.buffer).setUint32(padded + 8, ciphertext.length, true); // lengths < 2^32 here
  return poly1305(polyKey, macData);
}

/** Subkey, 12-byte ChaCha nonce and Poly1305 key for a 24-byte XChaCha nonce. */
function setup(key32: Uint8Array, nonce24: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] {
  const subkey = hchacha20(key32, nonce24.subarray(0, 16));
  const nonce12 = new Uint8Array(12);
  nonce12.set(nonce24.subarray(16, 24), 4);
  return [subkey, nonce12, chacha20(subkey, nonce12, 0, new Uint8Array(32))];
}

/** ciphertext ‖ 16-byte tag. */
export function xchachaSeal(key32: Uint8Array, nonce24: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const [subkey, nonce12, polyKey] = setup(key32, nonce24);
  const ciphertext = chacha20(subkey, nonce12, 1, plaintext);
  const out = new Uint8Array(ciphertext.length + 16);
  out.set(ciphertext);
  out.set(tagOf(polyKey, ciphertext), ciphertext.length);
  return out;
}

/** The plaintext of ciphertext ‖ tag; DecryptionError (and no plaintext) unless the tag matches. */
export function xchachaOpen(key32: Uint8Array, nonce24: Uint8Array, sealed: Uint8Array): Uint8Array {
  if (sealed.length < 16) throw new DecryptionError('Ciphertext is shorter than its authentication tag.');
  const [subkey, nonce12, polyKey] = setup(key32, nonce24);
  const ciphertext = sealed.subarray(0, sealed.length - 16);
  const expected = tagOf(polyKey, ciphertext);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i]! ^ sealed[ciphertext.length + i]!;
  if (diff !== 0) throw new DecryptionError('Authentication failed: wrong key or tampered data.');
  return chacha20(subkey, nonce12, 1, ciphertext);
}
