import { ValidationError } from './errors.js';
import { assertBytes, bytesToHex, concatBytes, copyBytes, equalBytes } from './encoding/bytes.js';
import { decodeUintLE, encodeTrimmedSize } from './encoding/integers.js';
import { decodeMultibase, encodeMultibase, type Multibase } from './encoding/multibase.js';
import { blake3 } from './crypto/blake3.js';

/** Multihash byte s5.js uses for BLAKE3 ("MULTIHASH_BLAKE3"). */
export const MULTIHASH_BLAKE3 = 0x1e;
/** Multihash byte lib5/Dart uses for BLAKE3 ("blake3 default"); treated as equal to 0x1e. */
export const MULTIHASH_BLAKE3_DEFAULT = 0x1f;
/** First two bytes of every BlobIdentifier (PROTOCOL §5.1). */
export const BLOB_ID_PREFIX = Uint8Array.of(0x5b, 0x82);
/** First byte of the legacy raw CID used by Dart nodes. */
export const LEGACY_RAW_CID = 0x26;

function isBlake3Byte(b: number | undefined): boolean {
  return b === MULTIHASH_BLAKE3 || b === MULTIHASH_BLAKE3_DEFAULT;
}

/**
 * An S5 BlobIdentifier: `0x5b 0x82 ‖ 0x1e ‖ digest32 ‖ sizeLE (trimmed, >= 1 byte)`.
 * Immutable: every accessor returns a fresh copy, so callers can never alias our state (§11 item 8).
 */
export class BlobId {
  readonly #hash: Uint8Array;
  /** Size of the blob in bytes. */
  readonly size: number;

  private constructor(hash: Uint8Array, size: number) {
    this.#hash = hash;
    this.size = size;
  }

  /** Compute the identifier of `bytes` (BLAKE3 + length). Does not keep a reference to `bytes`. */
  static fromBytes(bytes: Uint8Array): BlobId {
    assertBytes(bytes, 'bytes');
    return new BlobId(blake3(bytes), bytes.length);
  }

  /** From a 33-byte multihash (0x1e or 0x1f ‖ digest) and a size. */
  static fromMultihash(multihash33: Uint8Array, size: number): BlobId {
    assertBytes(multihash33, 'multihash', 33);
    if (!isBlake3Byte(multihash33[0])) {
      throw new ValidationError([{ path: 'multihash', message: `unsupported multihash type 0x${multihash33[0]!.toString(16)}` }]);
    }
    return BlobId.fromHash(multihash33.subarray(1), size);
  }

  /** From the bare 32-byte BLAKE3 digest and a size. */
  static fromHash(digest32: Uint8Array, size: number): BlobId {
    assertBytes(digest32, 'hash', 32);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new ValidationError([{ path: 'size', message: `expected a non-negative integer, got ${String(size)}` }]);
    }
    return new BlobId(copyBytes(digest32), size);
  }

  /**
   * Decode identifier bytes. Accepts `0x5b 0x82 ‖ (0x1e|0x1f) ‖ digest ‖ size` and the legacy raw CID
   * `0x26 ‖ (0x1e|0x1f) ‖ digest ‖ size`. Unlike s5.js we check the prefix (PROTOCOL §11 item 13).
   */
  static decode(bytes: Uint8Array): BlobId {
    assertBytes(bytes, 'blobId');
    let offset: number;
    if (bytes[0] === LEGACY_RAW_CID) offset = 1;
    else if (bytes[0] === BLOB_ID_PREFIX[0] && bytes[1] === BLOB_ID_PREFIX[1]) offset = 2;
    else {
      throw new ValidationError([
        { path: 'blobId', message: 'not a BlobIdentifier (expected prefix 0x5b 0x82 or legacy 0x26)' },
      ]);
    }
    const sizeBytes = bytes.length - offset - 33;
    if (sizeBytes < 1 || sizeBytes > 8) {
      throw new ValidationError([{ path: 'blobId', message: `invalid length ${bytes.length}` }]);
    }
    if (!isBlake3Byte(bytes[offset])) {
      throw new ValidationError([
        { path: 'blobId', message: `unsupported multihash type 0x${(bytes[offset] ?? 0).toString(16)}` },
      ]);
    }
    const size = decodeUintLE(bytes.subarray(offset + 33), 'blobId.size');
    return new BlobId(bytes.slice(offset + 1, offset + 33), size);
  }

  /** Parse any multibase string form (z, b, u, f), including the legacy CID. */
  static parse(text: string): BlobId {
    return BlobId.decode(decodeMultibase(text, 'blobId'));
  }

  /** The 32-byte BLAKE3 digest (a copy). */
  get hash(): Uint8Array {
    return copyBytes(this.#hash);
  }

  /** `0x1e ‖ digest` (a copy). */
  get multihash(): Uint8Array {
    return concatBytes(Uint8Array.of(MULTIHASH_BLAKE3), this.#hash);
  }

  /** Canonical identifier bytes `0x5b 0x82 ‖ 0x1e ‖ digest ‖ sizeLE` (a copy). */
  get bytes(): Uint8Array {
    return concatBytes(BLOB_ID_PREFIX, this.multihash, encodeTrimmedSize(this.size));
  }

  /** Legacy raw CID `0x26 ‖ 0x1f ‖ digest ‖ sizeLE`, as Dart nodes emit it. */
  get legacyCidBytes(): Uint8Array {
    return concatBytes(Uint8Array.of(LEGACY_RAW_CID, MULTIHASH_BLAKE3_DEFAULT), this.#hash, encodeTrimmedSize(this.size));
  }

  /** Multibase string; default `z` (base58btc), the form portal URLs use. */
  toString(base: Multibase = 'z'): string {
    return encodeMultibase(this.bytes, base);
  }

  toJSON(): string {
    return this.toString();
  }

  /** Same digest and size. */
  equals(other: BlobId): boolean {
    return other instanceof BlobId && other.size === this.size && equalBytes(other.#hash, this.#hash);
  }

  /** True if `bytes` hash to this identifier's digest and have its size. */
  matches(bytes: Uint8Array): boolean {
    return bytes.length === this.size && equalBytes(blake3(bytes), this.#hash);
  }

  get hashHex(): string {
    return bytesToHex(this.#hash);
  }
}
