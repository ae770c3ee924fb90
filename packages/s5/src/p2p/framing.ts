import { concatBytes } from '../encoding/bytes.js';
import { decodeSequence, encodeValue } from './msgpack.js';

/**
 * Message numbers and record bytes of PROTOCOL §7.3. An enum rather than an object: bundlers inline
 * its members, so the names cost browser bundles nothing.
 */
export enum P2P {
  HANDSHAKE_OPEN = 1,
  HANDSHAKE_DONE = 2,
  HASH_QUERY = 4,
  STORAGE_LOCATION = 0x05,
  REGISTRY_ENTRY = 0x07,
  STREAM_MESSAGE = 0x08,
  ANNOUNCE_PEERS = 8,
  SIGNED_MESSAGE = 10,
  REGISTRY_QUERY = 13,
  /** Feature bits every S5 peer announces; Dart refuses peers without them. */
  REQUIRED_FEATURES = 3,
}

/**
 * S5 P2P messages are msgpack *sequences*: consecutive values without an enclosing array header
 * (PROTOCOL §7.2). Byte strings travel as msgpack `bin`, which encodeValue emits for Uint8Array.
 */
export function encodeSeq(values: readonly unknown[]): Uint8Array {
  return concatBytes(...values.map((v) => encodeValue(v)));
}

/** Limits so a hostile frame cannot make us allocate much (handshake frames are tiny). */
const DECODE_LIMITS = { maxStrLength: 4096, maxBinLength: 1 << 16, maxArrayLength: 256, maxMapLength: 16, maxDepth: 8 };

/** Decode a sequence; throws on malformed msgpack. */
export function decodeSeq(bytes: Uint8Array): unknown[] {
  return decodeSequence(bytes, DECODE_LIMITS);
}

export function isBin(v: unknown, length?: number): v is Uint8Array {
  return v instanceof Uint8Array && (length === undefined || v.length === length);
}
