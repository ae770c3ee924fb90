import { ValidationError } from '@s5chat/s5';
import { fileStoreFor } from './file-store-for.js';
import { IndexedDbOutboxStore } from './idb-store.js';
import { MemoryOutboxStore, type OutboxStore } from './store.js';

/** `createSdk({ outbox })`: 'auto' (default), false (fail fast), or the app's own store. */
export type OutboxSetting = 'auto' | false | OutboxStore;

/**
 * 'auto' → IndexedDB in browsers, a file store in Node when `outboxDir` is given (a ValidationError
 * in the browser build), memory otherwise
 * (still survives an outage within the session, not a restart). null = outbox disabled.
 */
export function createOutboxStore(setting: OutboxSetting | undefined, outboxDir?: string): OutboxStore | null {
  if (setting === false) return null;
  if (setting === undefined || setting === 'auto') {
    if (outboxDir !== undefined) return fileStoreFor(outboxDir);
    if (typeof (globalThis as { indexedDB?: unknown }).indexedDB !== 'undefined') return new IndexedDbOutboxStore();
    return new MemoryOutboxStore();
  }
  const s = setting as Partial<OutboxStore>;
  if (typeof s?.list !== 'function' || typeof s.put !== 'function' || typeof s.delete !== 'function') {
    throw new ValidationError([{ path: 'outbox', message: "expected 'auto', false or an OutboxStore" }]);
  }
  return setting;
}
