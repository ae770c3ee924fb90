/**
 * RFC 4648 base64url / base32 (no padding), base58btc and hex codecs.
 *
 * Hand-written (they replaced @scure/base) because of the 60 KB gzip browser budget of an app importing
 * createSdk: @scure/base's generic coder chain costs ~1.8 KB gzip for the four alphabets we use. The
 * decoders are as strict as @scure/base's: no padding, no characters outside the alphabet, no
 * non-zero or excess trailing bits (so every byte string has exactly one accepted text form).
 * Encoders/decoders throw a plain Error; callers wrap it in a typed ValidationError.
 */

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function encodeBits(bytes: Uint8Array, alphabet: string, bits: number): string {
  let out = '';
  let acc = 0;
  let n = 0;
  const mask = (1 << bits) - 1;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    n += 8;
    for (; n >= bits; n -= bits) out += alphabet[(acc >> (n - bits)) & mask];
  }
  if (n > 0) out += alphabet[(acc << (bits - n)) & mask];
  return out;
}

function decodeBits(text: string, alphabet: string, bits: number): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * bits) / 8));
  let acc = 0;
  let n = 0;
  let j = 0;
  for (const ch of text) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`invalid character ${JSON.stringify(ch)}`);
    acc = ((acc << bits) | v) & 0xffff;
    n += bits;
    if (n >= 8) {
      n -= 8;
      out[j++] = (acc >> n) & 0xff;
    }
  }
  if (n >= bits) throw new Error('excess padding');
  if (acc & ((1 << n) - 1)) throw new Error('non-zero padding');
  return out;
}

export const base64urlnopad = {
  encode: (bytes: Uint8Array): string => encodeBits(bytes, B64URL, 6),
  decode: (text: string): Uint8Array => decodeBits(text, B64URL, 6),
};

/** Upper-case RFC 4648 base32 (decode expects upper case, like @scure/base). */
export const base32nopad = {
  encode: (bytes: Uint8Array): string => encodeBits(bytes, B32, 5),
  decode: (text: string): Uint8Array => decodeBits(text, B32, 5),
};

export const base58 = {
  encode(bytes: Uint8Array): string {
    const digits: number[] = []; // base-58 digits, least significant first
    for (const b of bytes) {
      let carry = b;
      for (let i = 0; i < digits.length; i++) {
        carry += digits[i]! << 8;
        digits[i] = carry % 58;
        carry = (carry / 58) | 0;
      }
      for (; carry > 0; carry = (carry / 58) | 0) digits.push(carry % 58);
    }
    let out = '';
    for (let i = 0; i < bytes.length && bytes[i] === 0; i++) out += '1';
    for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i]!];
    return out;
  },
  decode(text: string): Uint8Array {
    const bytes: number[] = []; // least significant first
    for (const ch of text) {
      let carry = B58.indexOf(ch);
      if (carry < 0) throw new Error(`invalid character ${JSON.stringify(ch)}`);
      for (let i = 0; i < bytes.length; i++) {
        carry += bytes[i]! * 58;
        bytes[i] = carry & 0xff;
        carry >>= 8;
      }
      for (; carry > 0; carry >>= 8) bytes.push(carry & 0xff);
    }
    let zeros = 0;
    while (zeros < text.length && text[zeros] === '1') zeros++;
    const out = new Uint8Array(zeros + bytes.length);
    for (let i = 0; i < bytes.length; i++) out[out.length - 1 - i] = bytes[i]!;
    return out;
  },
};

/** Lower-case hex (decode takes either case and needs an even length, like @scure/base). */
export const hex = {
  encode(bytes: Uint8Array): string {
    let out = '';
    for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
    return out;
  },
  decode(text: string): Uint8Array {
    if (text.length % 2 || !/^[0-9a-f]*$/i.test(text)) throw new Error('invalid hex');
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
    return out;
  },
};
