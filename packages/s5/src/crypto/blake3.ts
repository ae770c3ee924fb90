// BLAKE3-256, unkeyed hash mode only (PROTOCOL §1), straight from the BLAKE3 paper. Hand-written
// rather than @noble/hashes' blake3 for the SDK's browser budget (sdk-core test/size): noble's hash
// drags its BLAKE2 base class and hash framework in, ~9 KB minified (~3 KB gzip) of every app, where
// one-shot hashing needs ~70 lines. No secret-dependent branches or table lookups (like noble's), so
// hashing key material here is as safe. test/blake3.test.ts checks it against @noble/hashes and the
// official test vectors, at every length around the block, chunk and tree boundaries.
import { assertBytes } from '../encoding/bytes.js';

const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const CHUNK_START = 1;
const CHUNK_END = 2;
const PARENT = 4;
const ROOT = 8;
const BLOCK = 64;
const CHUNK = 1024;
/** The state words each G mixes: four columns, then four diagonals. */
const G = [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 5, 10, 15, 1, 6, 11, 12, 2, 7, 8, 13, 3, 4, 9, 14];
const PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8];

let schedule: Uint8Array | undefined;
/** Message word order of all 7 rounds (round 0 in order, each next one permuted), built on first use. */
function messageSchedule(): Uint8Array {
  if (!schedule) {
    schedule = new Uint8Array(7 * 16);
    let order = Array.from({ length: 16 }, (_, i) => i);
    for (let r = 0; r < 7; r++, order = PERMUTATION.map((p) => order[p]!)) schedule.set(order, r * 16);
  }
  return schedule;
}

const rotr = (w: number, n: number) => (w >>> n) | (w << (32 - n));

/** The compression function; writes the 8-word chaining value (= the first 32 output bytes) to `out`. */
function compress(cv: ArrayLike<number>, m: Uint32Array, counter: number, blockLen: number, flags: number, out: Uint32Array): void {
  const s = messageSchedule();
  const v = new Uint32Array(16);
  for (let i = 0; i < 8; i++) v[i] = cv[i]!;
  for (let i = 0; i < 4; i++) v[8 + i] = IV[i]!;
  v[12] = counter;
  v[13] = counter / 2 ** 32;
  v[14] = blockLen;
  v[15] = flags;
  for (let i = 0; i < 112; i += 16) {
    for (let g = 0, j = i; g < 32; g += 4, j += 2) {
      const a = G[g]!;
      const b = G[g + 1]!;
      const c = G[g + 2]!;
      const d = G[g + 3]!;
      // Uint32Array stores reduce every sum mod 2^32.
      v[a] = v[a]! + v[b]! + m[s[j]!]!;
      v[d] = rotr(v[d]! ^ v[a]!, 16);
      v[c] = v[c]! + v[d]!;
      v[b] = rotr(v[b]! ^ v[c]!, 12);
      v[a] = v[a]! + v[b]! + m[s[j + 1]!]!;
      v[d] = rotr(v[d]! ^ v[a]!, 8);
      v[c] = v[c]! + v[d]!;
      v[b] = rotr(v[b]! ^ v[c]!, 7);
    }
  }
  for (let i = 0; i < 8; i++) out[i] = v[i]! ^ v[i + 8]!;
}

/** Chaining value of the subtree over input[start, end) whose first chunk has index `chunk`; `root`: ROOT or 0. */
function subtree(input: Uint8Array, start: number, end: number, chunk: number, root: number, out: Uint32Array): void {
  const len = end - start;
  if (len > CHUNK) {
    // The left subtree: the largest power-of-two number of chunks that leaves the right one non-empty.
    let chunks = 1;
    while (chunks * 2 * CHUNK < len) chunks *= 2;
    const children = new Uint32Array(16);
    subtree(input, start, start + chunks * CHUNK, chunk, 0, children);
    subtree(input, start + chunks * CHUNK, end, chunk + chunks, 0, children.subarray(8));
    compress(IV, children, 0, BLOCK, PARENT | root, out);
    return;
  }
  const cv = new Uint32Array(IV);
  const m = new Uint32Array(16);
  const blocks = Math.max(1, Math.ceil(len / BLOCK));
  for (let b = 0; b < blocks; b++) {
    const from = start + b * BLOCK;
    const blockLen = Math.min(BLOCK, end - from);
    m.fill(0);
    for (let i = 0; i < blockLen; i++) m[i >> 2]! |= input[from + i]! << (8 * (i & 3));
    compress(cv, m, chunk, blockLen, (b === 0 ? CHUNK_START : 0) | (b === blocks - 1 ? CHUNK_END | root : 0), cv);
  }
  out.set(cv);
}

/** BLAKE3-256, unkeyed (PROTOCOL §1). */
export function blake3(bytes: Uint8Array): Uint8Array {
  assertBytes(bytes, 'bytes');
  const h = new Uint32Array(8);
  subtree(bytes, 0, bytes.length, 0, ROOT, h);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = h[i >> 2]! >>> (8 * (i & 3));
  return out;
}
