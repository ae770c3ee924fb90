/**
 * The conversation list of one SDK instance, paged, live through `storage.watchConversations`
 * (other tabs/devices) and this instance's own index commits. Shared by every useConversations()
 * with the same page size; answers of superseded reads are dropped (sequence numbers).
 */
import type { ConversationSummary, Sdk } from '@s5chat/sdk-core';
import type { ConversationsWatchEvent } from '@s5chat/sdk-core';
import { watchConversationList } from './live.js';

export type ListStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ConversationListSnapshot {
  items: ConversationSummary[];
  status: ListStatus;
  error: unknown;
  /** More items after the loaded ones (loadMore() fetches them). */
  hasMore: boolean;
  loadingMore: boolean;
}

/** The SDK's list order: most recently updated first, then id. */
const order = (a: ConversationSummary, b: ConversationSummary) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class ConversationListStore {
  readonly sdk: Sdk;
  readonly pageSize: number;
  #items: ConversationSummary[] = [];
  #cursor: string | undefined;
  #status: ListStatus = 'loading';
  #error: unknown = null;
  #loadingMore = false;
  /** How many items the user asked to see: a page, plus one per loadMore(). */
  #wanted: number;
  /** Incremented by every refresh: older answers (and loadMore pages based on them) are dropped. */
  #seq = 0;
  #listeners = new Set<() => void>();
  #teardown: (() => void)[] = [];
  #snapshot: ConversationListSnapshot;

  constructor(sdk: Sdk, pageSize: number) {
    this.sdk = sdk;
    this.pageSize = pageSize;
    this.#wanted = pageSize;
    this.#snapshot = this.#build();
  }

  getSnapshot = (): ConversationListSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#activate();
    return () => {
      if (!this.#listeners.delete(listener)) return;
      if (this.#listeners.size === 0) for (const off of this.#teardown.splice(0)) off();
    };
  };

  /** Re-read the first pages (as many items as were asked for). */
  refresh = (): void => {
    // Supersedes earlier reads and any loadMore() in flight: it reads every wanted item itself.
    const seq = ++this.#seq;
    this.#read({ limit: Math.min(1000, this.#wanted) }).then(
      (r) => {
        if (seq !== this.#seq) return;
        this.#loadingMore = false;
        this.#items = [...r.items].sort(order);
        this.#cursor = r.nextCursor;
        this.#status = 'ready';
        this.#error = null;
        this.#emit();
      },
      (error: unknown) => {
        if (seq !== this.#seq) return;
        this.#loadingMore = false;
        if (this.#status === 'loading') this.#status = 'error';
        this.#error = error;
        this.#emit();
      },
    );
  };

  /** Fetch the next page; a no-op while one is loading or when there is none. */
  loadMore = (): void => {
    const cursor = this.#cursor;
    if (cursor === undefined) return;
    const wanted = this.#items.length + this.pageSize;
    if (this.#loadingMore && wanted <= this.#wanted) return; // that page is on its way
    this.#wanted = Math.max(this.#wanted, wanted);
    const inFlight = this.#loadingMore;
    this.#loadingMore = true;
    this.#emit();
    // A read for fewer items is under way (a refresh, or a page it superseded): re-read them all.
    if (inFlight) return this.refresh();
    const seq = this.#seq;
    this.#read({ limit: this.pageSize, cursor }).then(
      (r) => {
        if (seq !== this.#seq) return;
        this.#loadingMore = false;
        const known = new Set(this.#items.map((i) => i.id));
        this.#items = this.#items.concat(r.items.filter((i) => !known.has(i.id))).sort(order);
        this.#cursor = r.nextCursor;
        this.#emit();
      },
      (error: unknown) => {
        if (seq !== this.#seq) return;
        this.#loadingMore = false;
        this.#error = error;
        this.#emit();
      },
    );
  };

  #read(opts: { limit: number; cursor?: string }) {
    try {
      return this.sdk.storage.listConversations(opts);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #onWatch = (e: ConversationsWatchEvent) => {
    // The event holds the list's first 1000 items: show as many as are loaded at once (deletions
    // included), then re-read so the paging cursor matches what is shown.
    this.#items = [...e.items].sort(order).slice(0, this.#wanted);
    this.#status = 'ready';
    this.#error = null;
    this.#emit();
    this.refresh();
  };

  #activate() {
    const storage = this.sdk.storage;
    // Other tabs and devices (the watch is silent about this instance's own index commits).
    this.#teardown.push(watchConversationList(storage, this.#onWatch));
    // This instance's own index commits (creates, renames, deletes).
    this.#teardown.push(storage.on('saved', (e) => e.kind === 'index' && this.refresh()));
    this.refresh();
  }

  #emit() {
    this.#snapshot = this.#build();
    for (const l of [...this.#listeners]) l();
  }

  #build(): ConversationListSnapshot {
    return { items: this.#items, status: this.#status, error: this.#error, hasMore: this.#cursor !== undefined, loadingMore: this.#loadingMore };
  }
}
