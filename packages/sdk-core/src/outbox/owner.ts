import { blake3, toBase64Url, utf8ToBytes } from '@s5chat/s5';
import { deriveIndexKeys, type SeedDeriver } from '../layout/keys.js';

/** Which identity a record belongs to: a hash of its index key (no secret, stable across devices). */
export function outboxOwner(identity: SeedDeriver): string {
  const pk = deriveIndexKeys(identity).keyPair.publicKey;
  return toBase64Url(blake3(new Uint8Array([...utf8ToBytes('s5chat/outbox-owner/v1'), ...pk]))).slice(0, 22);
}
