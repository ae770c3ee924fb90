import { createStore, del, set, values, type UseStore } from 'idb-keyval';
import { isOutboxRecord, type OutboxRecord, type OutboxStore } from './store.js';

/**
 * Browsers: IndexedDB through idb-keyval (maintained, ~600 B, one object store per database, every
 * call its own transaction — exactly the put/delete/list this needs; hand-writing the request/
 * transaction plumbing would buy nothing). The database opens on first use.
 */
export class IndexedDbOutboxStore implements OutboxStore {
  readonly #dbName: string;
  #store: UseStore | undefined;

  constructor(dbName = 's5chat-outbox') {
    this.#dbName = dbName;
  }

  #db(): UseStore {
    this.#store ??= createStore(this.#dbName, 'records');
    return this.#store;
  }

  async list(): Promise<OutboxRecord[]> {
    return (await values(this.#db())).filter(isOutboxRecord);
  }

  put(record: OutboxRecord): Promise<void> {
    return set(record.operationId, record, this.#db());
  }

  delete(operationId: string): Promise<void> {
    return del(operationId, this.#db());
  }
}
