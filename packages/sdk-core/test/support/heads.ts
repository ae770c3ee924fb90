/**
 * Reading and forging heads in tests (tamper, backward compatibility): decode the head the
 * registry entry points at, and point the entry at a document of the test's choosing.
 */
import { BlobId, concatBytes, createRegistryEntry } from '@s5chat/s5';
import { deriveConversationKeys, type Head, type MemoryBackend } from '../../src/index.js';
import { decodeDocument, encodeDocument } from '../../src/layout/codec.js';
import { identity } from './helpers.js';

export const keysOf = (id: string) => deriveConversationKeys(identity(), id);

export function pointerOf(backend: MemoryBackend, id: string): BlobId {
  const e = backend.peekEntry(keysOf(id).keyPair.publicKey)!;
  return BlobId.fromMultihash(e.data.subarray(0, 33), e.data.subarray(33).reduceRight((a, b) => a * 256 + b, 0));
}

/** The current head of `id` as stored (decrypted when encrypted). */
export async function currentHead(backend: MemoryBackend, id: string): Promise<Head> {
  return headAt(backend, id, pointerOf(backend, id));
}

export async function headAt(backend: MemoryBackend, id: string, blob: BlobId): Promise<Head> {
  const bytes = await backend.downloadBlob(blob);
  return decodeDocument(bytes, keysOf(id).encryptionKey, 'head').doc as Head;
}

/** Point `id`'s registry entry (revision + 1) at these bytes. */
export async function rewriteHead(backend: MemoryBackend, id: string, bytes: Uint8Array): Promise<BlobId> {
  const blob = await backend.uploadBlob(bytes);
  const e = backend.peekEntry(keysOf(id).keyPair.publicKey);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setUint32(0, blob.size, true);
  let n = 8;
  while (n > 1 && size[n - 1] === 0) n--;
  const data = concatBytes(blob.multihash, size.subarray(0, n));
  await backend.registrySet(createRegistryEntry({ keyPair: keysOf(id).keyPair, revision: (e?.revision ?? 0) + 1, data }));
  return blob;
}

/** Encode `doc` the way heads are stored (encrypted with the conversation key unless `plain`) and point `id` at it. */
export async function writeHeadDoc(backend: MemoryBackend, id: string, doc: object, plain = false): Promise<BlobId> {
  return rewriteHead(backend, id, encodeDocument(doc, plain ? null : keysOf(id).encryptionKey));
}
