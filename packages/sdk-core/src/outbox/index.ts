export { Outbox, type OutboxEvent, type OutboxOptions, type OutboxLockManager, type QueuedResult } from './outbox.js';
export { MemoryOutboxStore, type OutboxRecord, type OutboxStore } from './store.js';
export { FileOutboxStore } from './file-store.js';
export { IndexedDbOutboxStore } from './idb-store.js';
export { createOutboxStore, type OutboxSetting } from './resolve.js';
export { outboxOwner } from './owner.js';
