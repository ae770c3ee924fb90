/**
 * The one place this package imports S5 protocol primitives from. Everything byte-level (BLAKE3,
 * blob ids, registry entry encoding and verification, Ed25519, base64url) comes from @s5chat/s5 so
 * the node and the client can never disagree on the wire format.
 */
export {
  BlobId,
  Ed25519KeyPair,
  InvalidSignatureError,
  ValidationError,
  blake3,
  bytesToHex,
  decodeMultibase,
  decodeRegistryEntry,
  encodeMultibase,
  encodeRegistryEntry,
  equalBytes,
  fromBase64Url,
  hexToBytes,
  registryEntryFromJson,
  registryEntrySignedMessage,
  registryEntryToJson,
  seededRandom,
  toBase64Url,
  verifyEd25519,
  verifyRegistryEntry,
} from '@s5chat/s5';
export type { RegistryEntry, RegistryEntryJson } from '@s5chat/s5';
