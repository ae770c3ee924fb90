import { S5Identity } from '@s5chat/s5';
import { MemoryBackend, StorageManager, type StorageManagerOptions } from '../../src/index.js';

const identities = new Map<number, S5Identity>();
/** One identity object per seed, so its derived keys are memoised across managers. */
export function identity(seed = 7): S5Identity {
  let id = identities.get(seed);
  if (!id) {
    id = S5Identity.fromEntropy(Uint8Array.from({ length: 16 }, (_, i) => (seed * 31 + i) & 0xff));
    identities.set(seed, id);
  }
  return id;
}

export const noWait = () => Promise.resolve();

export function manager(backend: MemoryBackend, opts: Partial<StorageManagerOptions> = {}): StorageManager {
  // outbox: false — these tests exercise the fail-fast write path; the outbox has its own tests.
  return new StorageManager({ backend, identity: identity(), crossTab: false, sleep: noWait, outbox: false, ...opts });
}

export function msg(id: string, content = `content of ${id}`, timestamp = 1_000, extra: Record<string, unknown> = {}) {
  return { id, role: 'user' as const, content, timestamp, ...extra };
}

import type { BlobId, CallOptions, RegistryEntry, S5Backend } from '@s5chat/s5';

export type CallName = 'registryGet' | 'registrySet' | 'uploadBlob' | 'downloadBlob';

/**
 * A per-device view of one shared backend that lets a test run code right before a call reaches
 * it (to force an interleaving) and counts this device's calls. It forwards everything else.
 */
export class Tap implements S5Backend {
  calls: CallName[] = [];
  before?: (name: CallName, entry?: RegistryEntry) => Promise<void> | void;
  constructor(readonly inner: S5Backend) {}
  count(name: CallName) {
    return this.calls.filter((c) => c === name).length;
  }
  async registryGet(pk: Uint8Array, o?: CallOptions): Promise<RegistryEntry | null> {
    this.calls.push('registryGet');
    await this.before?.('registryGet');
    return this.inner.registryGet(pk, o);
  }
  async registrySet(e: RegistryEntry, o?: CallOptions): Promise<void> {
    this.calls.push('registrySet');
    await this.before?.('registrySet', e);
    return this.inner.registrySet(e, o);
  }
  async uploadBlob(b: Uint8Array, o?: CallOptions): Promise<BlobId> {
    this.calls.push('uploadBlob');
    await this.before?.('uploadBlob');
    return this.inner.uploadBlob(b, o);
  }
  async downloadBlob(id: BlobId, o?: CallOptions): Promise<Uint8Array> {
    this.calls.push('downloadBlob');
    await this.before?.('downloadBlob');
    return this.inner.downloadBlob(id, o);
  }
}

export function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
