import { decodeSequence, type DecodeLimits } from '../s5.js';

/**
 * P2P frames are msgpack sequences (PROTOCOL §7.2), encoded and decoded by @s5chat/s5's framing so
 * node and client share one implementation; only what a node accepts from a peer is its own.
 */
export { encodeSeq, isBin as isBytes } from '../s5.js';

/** Limits so a hostile frame cannot make us allocate much (frames are small by design, none nests). */
const NODE_LIMITS: DecodeLimits = { maxStrLength: 4096, maxBinLength: 1 << 16, maxArrayLength: 64, maxMapLength: 16, maxDepth: 8 };

/** Decode a sequence; throws on malformed msgpack (the frame is then dropped and counted). */
export function decodeSeq(bytes: Uint8Array): unknown[] {
  return decodeSequence(bytes, NODE_LIMITS);
}
