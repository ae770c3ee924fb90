// SHA-512 (FIPS 180-4), the hash @noble/ed25519's synchronous API needs wired in. Hand-written rather
// than @noble/hashes' sha512 for the SDK's browser budget (sdk-core test/size): noble's brings its
// hash framework, 64-bit helpers and 1.3 KB of round constants, ~8 KB minified (~3 KB gzip) of every
// app. Here the constants are computed on first use from their definition (the first 64 bits of the
// fractional parts of the square / cube roots of the first primes, exact BigInt arithmetic), and the
// 64-bit words are pairs of 32-bit halves in Int32Arrays, as in noble: no secret-dependent branches or
// lookups. test/sha512.test.ts checks it against @noble/hashes and the FIPS examples at every length
// around the block boundaries.

/** floor(p^(1/n) · 2^64) mod 2^64: the first 64 fractional bits of the n-th root of p (Newton, exact). */
function rootBits(p: number, n: bigint): bigint {
  const value = BigInt(p) << (64n * n);
  let x = 1n << BigInt(Math.ceil(value.toString(2).length / Number(n)) + 1); // above the root
  for (;;) {
    const next = ((n - 1n) * x + value / x ** (n - 1n)) / n;
    if (next >= x) return x & 0xffffffffffffffffn;
    x = next;
  }
}

let constants: { iv: Int32Array; k: Int32Array } | undefined;
/** Initial hash value (8 words) and round constants (80 words), as [hi, lo] pairs. */
function sha512Constants(): { iv: Int32Array; k: Int32Array } {
  if (!constants) {
    const primes: number[] = [];
    for (let c = 2; primes.length < 80; c++) if (primes.every((p) => c % p !== 0)) primes.push(c);
    const pairs = (words: bigint[]) => Int32Array.from(words.flatMap((x) => [Number(x >> 32n), Number(x & 0xffffffffn)]));
    constants = { iv: pairs(primes.slice(0, 8).map((p) => rootBits(p, 2n))), k: pairs(primes.map((p) => rootBits(p, 3n))) };
  }
  return constants;
}

/** a[i..i+1] += (h, l) mod 2^64 (Int32Array stores reduce mod 2^32; the low half's carry goes up). */
function add(a: Int32Array, i: number, h: number, l: number): void {
  const lo = (a[i + 1]! >>> 0) + (l >>> 0);
  a[i] = a[i]! + h + ((lo / 2 ** 32) | 0);
  a[i + 1] = lo;
}

// The result of the last sigma() (hi, lo).
let sh = 0;
let sl = 0;
/** XOR rotr(x, r) (r > 0) or x >>> -r (r < 0) of the 64-bit x = (h, l) into (sh, sl); 0 < |r| < 64, |r| ≠ 32. */
function mix(h: number, l: number, r: number): void {
  if (r < 0) {
    sh ^= h >>> -r;
    sl ^= (l >>> -r) | (h << (32 + r));
    return;
  }
  if (r > 32) {
    const x = h;
    h = l;
    l = x;
    r -= 32;
  }
  sh ^= (h >>> r) | (l << (32 - r));
  sl ^= (l >>> r) | (h << (32 - r));
}
/** (sh, sl) = mix of the three rotations / shifts of x = (h, l): SHA-512's σ and Σ functions. */
function sigma(h: number, l: number, r1: number, r2: number, r3: number): void {
  sh = sl = 0;
  mix(h, l, r1);
  mix(h, l, r2);
  mix(h, l, r3);
}

/** SHA-512 of `message` (64 bytes). */
export function sha512(message: Uint8Array): Uint8Array<ArrayBuffer> {
  const { iv, k } = sha512Constants();
  // Padding: 0x80, zeros, then the bit length as a 128-bit big-endian integer.
  const padded = new Uint8Array(Math.ceil((message.length + 17) / 128) * 128);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, message.length / 2 ** 29);
  view.setUint32(padded.length - 4, message.length * 8);
  const h = iv.slice();
  const w = new Int32Array(160);
  const s = new Int32Array(16); // the working variables a..h as [hi, lo] pairs
  const t = new Int32Array(4); // T1, T2
  for (let offset = 0; offset < padded.length; offset += 128) {
    for (let i = 0; i < 32; i++) w[i] = view.getInt32(offset + 4 * i);
    for (let i = 32; i < 160; i += 2) {
      w[i] = w[i - 32]!;
      w[i + 1] = w[i - 31]!;
      add(w, i, w[i - 14]!, w[i - 13]!);
      sigma(w[i - 30]!, w[i - 29]!, 1, 8, -7);
      add(w, i, sh, sl);
      sigma(w[i - 4]!, w[i - 3]!, 19, 61, -6);
      add(w, i, sh, sl);
    }
    s.set(h);
    for (let i = 0; i < 160; i += 2) {
      // T1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]
      t[0] = s[14]!;
      t[1] = s[15]!;
      sigma(s[8]!, s[9]!, 14, 18, 41);
      add(t, 0, sh, sl);
      add(t, 0, (s[8]! & s[10]!) ^ (~s[8]! & s[12]!), (s[9]! & s[11]!) ^ (~s[9]! & s[13]!));
      add(t, 0, k[i]!, k[i + 1]!);
      add(t, 0, w[i]!, w[i + 1]!);
      // T2 = Σ0(a) + Maj(a, b, c)
      sigma(s[0]!, s[1]!, 28, 34, 39);
      t[2] = sh;
      t[3] = sl;
      add(t, 2, (s[0]! & s[2]!) ^ (s[0]! & s[4]!) ^ (s[2]! & s[4]!), (s[1]! & s[3]!) ^ (s[1]! & s[5]!) ^ (s[3]! & s[5]!));
      // h = g, g = f, f = e, e = d + T1, d = c, c = b, b = a, a = T1 + T2
      s.copyWithin(2, 0, 14);
      add(s, 8, t[0]!, t[1]!);
      s[0] = t[0]!;
      s[1] = t[1]!;
      add(s, 0, t[2]!, t[3]!);
    }
    for (let i = 0; i < 16; i += 2) add(h, i, s[i]!, s[i + 1]!);
  }
  const out = new Uint8Array(64);
  const outView = new DataView(out.buffer);
  h.forEach((x, i) => outView.setInt32(4 * i, x));
  return out;
}
