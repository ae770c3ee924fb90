/**
 * The one place this package imports S5 protocol primitives from. Everything byte-level (BLAKE3,
 * blob ids, registry entry encoding and verification, Ed25519, base64url, P2P message numbers and
 * msgpack framing) comes from @s5chat/s5 so the node and the client can never disagree on the wire
 * format.
 */
export {
  BlobId,
  Ed25519KeyPair,
  InvalidSignatureError,
  ValidationError,
  blake3,
  bytesToHex,
  decodeMultibase,
  decodeSequence,
  decodeRegistryEntry,
  encodeMultibase,
  encodeRegistryEntry,
  encodeSeq,
  equalBytes,
  fromBase64Url,
  hexToBytes,
  isBin,
  P2P,
  registryEntryFromJson,
  registryEntrySignedMessage,
  registryEntryToJson,
  seededRandom,
  toBase64Url,
  verifyEd25519,
  verifyRegistryEntry,
} from '@s5chat/s5';
export type { DecodeLimits, RegistryEntry, RegistryEntryJson } from '@s5chat/s5';
