/**
 * The browser build's stand-in for file-store-for.ts: a browser has no file system, so `outboxDir`
 * is a configuration error there (the 'auto' outbox uses IndexedDB).
 */
import { ValidationError } from '@s5chat/s5';
import type { OutboxStore } from './store.js';

export const fileStoreFor = (_dir: string): OutboxStore => {
  throw new ValidationError([{ path: 'outboxDir', message: "needs Node; in a browser leave it unset" }]);
};
