/**
 * `outboxDir` → the Node file store. Browser builds swap this module for file-store-for.browser.ts
 * (build/browser-files.ts), so browser bundles carry no file store they could never use.
 */
import { FileOutboxStore } from './file-store.js';
import type { OutboxStore } from './store.js';

export const fileStoreFor = (dir: string): OutboxStore => new FileOutboxStore(dir);
