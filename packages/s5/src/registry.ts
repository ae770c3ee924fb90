import { InvalidSignatureError, ValidationError, type ValidationIssue } from './errors.js';
import { concatBytes, copyBytes, isBytes } from './encoding/bytes.js';
import { decodeUintLE, encodeU64LE } from './encoding/integers.js';
import { fromBase64Url, toBase64Url } from './encoding/base64url.js';
import { MULTIKEY_ED25519, verifyEd25519, type Ed25519KeyPair } from './crypto/ed25519.js';

/** Record type byte of a registry entry on the wire (PROTOCOL §6.1). */
export const RECORD_TYPE_REGISTRY_ENTRY = 0x07;
/** Largest payload a registry entry may carry. */
export const REGISTRY_MAX_DATA_BYTES = 64;
/** Largest revision the network accepts (inclusive). */
export const REGISTRY_MAX_REVISION = 2 ** 48;

/** A signed registry entry (PROTOCOL §6). */
export interface RegistryEntry {
  /** 33 bytes, 0xed ‖ Ed25519 public key. */
  publicKey: Uint8Array;
  /** 0..2^48, strictly increasing per key. */
  revision: number;
  /** At most 64 bytes; by convention the multihash `0x1e ‖ BLAKE3(blob)`. */
  data: Uint8Array;
  /** 64-byte Ed25519 signature over {@link registryEntrySignedMessage}. */
  signature: Uint8Array;
}

/** The HTTP JSON shape of PROTOCOL §6.3. */
export interface RegistryEntryJson {
  pk: string;
  revision: number;
  data: string;
  signature: string;
}

function shapeIssues(e: Partial<RegistryEntry>, requireSignature: boolean): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isBytes(e.publicKey) || e.publicKey.length !== 33) {
    issues.push({ path: 'publicKey', message: 'Invalid public key size (expected 33 bytes)' });
  } else if (e.publicKey[0] !== MULTIKEY_ED25519) {
    issues.push({ path: 'publicKey', message: 'Invalid public key type (expected 0xed)' });
  }
  issues.push(...revisionIssues(e.revision));
  if (!isBytes(e.data)) issues.push({ path: 'data', message: 'expected a Uint8Array' });
  else if (e.data.length > REGISTRY_MAX_DATA_BYTES) {
    issues.push({ path: 'data', message: `Data too long (${e.data.length} > ${REGISTRY_MAX_DATA_BYTES} bytes)` });
  }
  if (requireSignature && (!isBytes(e.signature) || e.signature.length !== 64)) {
    issues.push({ path: 'signature', message: 'expected a 64-byte signature' });
  }
  return issues;
}

function revisionIssues(revision: unknown): ValidationIssue[] {
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 0 || revision > REGISTRY_MAX_REVISION) {
    return [{ path: 'revision', message: `Invalid revision ${String(revision)} (expected an integer in 0..2^48)` }];
  }
  return [];
}

/** Bytes that are signed: `0x07 ‖ revision u64 LE ‖ L ‖ data` — the public key is not signed. */
export function registryEntrySignedMessage(revision: number, data: Uint8Array): Uint8Array {
  const issues = [...revisionIssues(revision)];
  if (!isBytes(data) || data.length > REGISTRY_MAX_DATA_BYTES) {
    issues.push({ path: 'data', message: `Data too long or not bytes (max ${REGISTRY_MAX_DATA_BYTES})` });
  }
  if (issues.length) throw new ValidationError(issues);
  return concatBytes(Uint8Array.of(RECORD_TYPE_REGISTRY_ENTRY), encodeU64LE(revision), Uint8Array.of(data.length), data);
}

/** Sign a new entry. Validates the limits first: nothing invalid is ever signed. */
export function createRegistryEntry(args: { keyPair: Ed25519KeyPair; revision: number; data: Uint8Array }): RegistryEntry {
  const { keyPair, revision, data } = args;
  const issues = shapeIssues({ publicKey: keyPair?.publicKey, revision, data }, false);
  if (issues.length) throw new ValidationError(issues);
  const ownData = copyBytes(data);
  return {
    publicKey: copyBytes(keyPair.publicKey),
    revision,
    data: ownData,
    signature: keyPair.sign(registryEntrySignedMessage(revision, ownData)),
  };
}

/** Throws ValidationError for a malformed entry (in the network's check order), InvalidSignatureError for a bad signature. */
export function assertValidRegistryEntry(entry: RegistryEntry): void {
  const issues = shapeIssues(entry ?? {}, true);
  if (issues.length) throw new ValidationError(issues);
  if (!verifyEd25519(entry.publicKey, registryEntrySignedMessage(entry.revision, entry.data), entry.signature)) {
    throw new InvalidSignatureError('Registry entry signature is not valid.');
  }
}

/** True if the entry is well formed and its signature verifies against its own public key. */
export function verifyRegistryEntry(entry: RegistryEntry): boolean {
  try {
    assertValidRegistryEntry(entry);
    return true;
  } catch {
    return false;
  }
}

/** Wire / storage form: `0x07 ‖ pk33 ‖ revision u64 LE ‖ L ‖ data ‖ sig64` (107 + L bytes). */
export function encodeRegistryEntry(entry: RegistryEntry): Uint8Array {
  const issues = shapeIssues(entry ?? {}, true);
  if (issues.length) throw new ValidationError(issues);
  return concatBytes(
    Uint8Array.of(RECORD_TYPE_REGISTRY_ENTRY),
    entry.publicKey,
    encodeU64LE(entry.revision),
    Uint8Array.of(entry.data.length),
    entry.data,
    entry.signature,
  );
}

/**
 * Strict decoder: type byte 0x07, 0xed key, revision <= 2^48, L <= 64 and **exactly** 64 signature bytes
 * (s5.js takes "whatever follows", PROTOCOL §11 item 13). Does not verify the signature — call
 * {@link verifyRegistryEntry}. Returns fresh copies; the input is never retained.
 */
export function decodeRegistryEntry(bytes: Uint8Array): RegistryEntry {
  if (!isBytes(bytes)) throw new ValidationError([{ path: 'entry', message: 'expected a Uint8Array' }]);
  if (bytes.length < 43 || bytes[0] !== RECORD_TYPE_REGISTRY_ENTRY) {
    throw new ValidationError([{ path: 'entry', message: 'not a registry entry record (0x07, >= 107 bytes)' }]);
  }
  const length = bytes[42]!;
  if (length > REGISTRY_MAX_DATA_BYTES) {
    throw new ValidationError([{ path: 'data', message: `Data too long (${length} > ${REGISTRY_MAX_DATA_BYTES} bytes)` }]);
  }
  if (bytes.length !== 43 + length + 64) {
    throw new ValidationError([
      { path: 'entry', message: `expected ${43 + length + 64} bytes for data length ${length}, got ${bytes.length}` },
    ]);
  }
  const revisionBytes = bytes.subarray(34, 42);
  // u64 values above 2^53 cannot be a valid revision anyway; report them as such, not as a number overflow.
  let revision: number;
  try {
    revision = decodeUintLE(revisionBytes, 'revision');
  } catch {
    throw new ValidationError([{ path: 'revision', message: 'Invalid revision (exceeds 2^48)' }]);
  }
  const entry: RegistryEntry = {
    publicKey: bytes.slice(1, 34),
    revision,
    data: bytes.slice(43, 43 + length),
    signature: bytes.slice(43 + length),
  };
  const issues = shapeIssues(entry, true);
  if (issues.length) throw new ValidationError(issues);
  return entry;
}

/** HTTP JSON form (PROTOCOL §6.3): base64url without padding, revision as a JSON number. */
export function registryEntryToJson(entry: RegistryEntry): RegistryEntryJson {
  const issues = shapeIssues(entry ?? {}, true);
  if (issues.length) throw new ValidationError(issues);
  return {
    pk: toBase64Url(entry.publicKey),
    revision: entry.revision,
    data: toBase64Url(entry.data),
    signature: toBase64Url(entry.signature),
  };
}

/** Parse the HTTP JSON form; every field is checked (ValidationError lists all problems). */
export function registryEntryFromJson(json: unknown): RegistryEntry {
  if (typeof json !== 'object' || json === null) {
    throw new ValidationError([{ path: '', message: 'expected a JSON object {pk, revision, data, signature}' }]);
  }
  const j = json as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const field = (name: string): Uint8Array | undefined => {
    const v = j[name];
    if (typeof v !== 'string') {
      issues.push({ path: name, message: 'expected a base64url string' });
      return undefined;
    }
    try {
      return fromBase64Url(v, name);
    } catch {
      issues.push({ path: name, message: 'not valid base64url' });
      return undefined;
    }
  };
  const publicKey = field('pk');
  const data = field('data');
  const signature = field('signature');
  if (issues.length) throw new ValidationError(issues);
  const entry = { publicKey: publicKey!, revision: j.revision as number, data: data!, signature: signature! };
  const shape = shapeIssues(entry, true).map((i) => (i.path === 'publicKey' ? { ...i, path: 'pk' } : i));
  if (shape.length) throw new ValidationError(shape);
  return entry;
}
