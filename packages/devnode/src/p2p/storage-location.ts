import type { Ed25519KeyPair } from '../s5.js';

/** StorageLocation record type byte (PROTOCOL §7.6). */
export const RECORD_STORAGE_LOCATION = 0x05;
/** Location type "full file". */
export const LOCATION_TYPE_FULL = 5;

/**
 * `0x05 ‖ hash33 ‖ type ‖ expiry u32 LE ‖ N ‖ N × (u16 LE len ‖ url) ‖ 0x00 ‖ nodeId33 ‖ sig64`, the
 * signature covering everything from offset 0 through the 0x00. `hash33` is echoed exactly as it was
 * queried (s5.js matches locations by those bytes; a 0x1f query answered with 0x1e is never matched).
 */
export function encodeStorageLocation(args: {
  hash33: Uint8Array;
  urls: readonly string[];
  expiry: number;
  type?: number;
  keyPair: Ed25519KeyPair;
}): Uint8Array {
  const { hash33, urls, expiry, keyPair } = args;
  if (hash33.length !== 33) throw new Error('storage location hash must be 33 bytes');
  if (urls.length < 1 || urls.length > 255) throw new Error('storage location needs 1..255 URLs');
  const encodedUrls = urls.map((u) => new TextEncoder().encode(u));
  const signedLength = 1 + 33 + 1 + 4 + 1 + encodedUrls.reduce((n, u) => n + 2 + u.length, 0) + 1;
  const signed = new Uint8Array(signedLength);
  const view = new DataView(signed.buffer);
  let o = 0;
  signed[o++] = RECORD_STORAGE_LOCATION;
  signed.set(hash33, o);
  o += 33;
  signed[o++] = args.type ?? LOCATION_TYPE_FULL;
  view.setUint32(o, expiry >>> 0, true);
  o += 4;
  signed[o++] = encodedUrls.length;
  for (const u of encodedUrls) {
    if (u.length > 0xffff) throw new Error('storage location URL too long');
    view.setUint16(o, u.length, true);
    o += 2;
    signed.set(u, o);
    o += u.length;
  }
  signed[o++] = 0x00;
  const signature = keyPair.sign(signed);
  const out = new Uint8Array(signedLength + 33 + 64);
  out.set(signed, 0);
  out.set(keyPair.publicKey, signedLength);
  out.set(signature, signedLength + 33);
  return out;
}
