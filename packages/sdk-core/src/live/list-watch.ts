import { deriveIndexKeys } from '../layout/keys.js';
import { stableStringify } from '../merge.js';
import type { FeedFactory } from './feed-factory.js';
import type { LiveHubOptions } from './hub.js';
import type { KeyFeed } from './key-feed.js';
import { RetryLater } from './retry-later.js';
import type { ConversationsWatchEvent } from './types.js';

/** The id the conversation list's registry key is read, observed and reported under. */
export const INDEX = '#index';

type ListListener = (e: ConversationsWatchEvent) => void;

/**
 * The watch of the conversation list (`watchConversations`): one feed of the index key shared by
 * every listener. Each new entry lists the conversations again; a listener hears the list only when
 * it differs from the one it last got, and never of this manager's own index writes.
 */
export class ConversationListWatch {
  readonly #o: LiveHubOptions;
  /** listener → the JSON of the items it last got ('' = none yet). */
  readonly #listeners = new Map<ListListener, string>();
  readonly #feed: KeyFeed;
  /** Highest index revision offered, and the highest this manager wrote itself. */
  #latest = -1;
  /** The highest offered revision a finished listing covers. */
  #listed = -1;
  #own = 0;
  #busy = false;
  #closed = false;
  /** A failed listing is tried again later (retry-later.ts says why). */
  readonly #retry = new RetryLater(() => void this.#pump(this.#latest <= this.#own));

  constructor(o: LiveHubOptions, feeds: FeedFactory) {
    this.#o = o;
    this.#feed = feeds.feed(deriveIndexKeys(o.identity).keyPair.publicKey, INDEX, (e) => this.#offer(e?.revision ?? 0));
  }

  add(fn: ListListener): void {
    // A later listener is given the current list at once (the others' baselines only move); the
    // first one gets it from the feed's initial read.
    if (this.#listeners.size > 0) void this.#pump(true);
    this.#listeners.set(fn, '');
  }

  /** True when that was the last listener: the watch is closed. */
  remove(fn: ListListener): boolean {
    if (!this.#listeners.delete(fn) || this.#listeners.size > 0) return false;
    this.close();
    return true;
  }

  /** This manager wrote the index at `revision` (its 'saved' event). */
  saved(revision: number): void {
    this.#own = Math.max(this.#own, revision);
  }

  close(): void {
    this.#closed = true;
    this.#retry.cancel();
    this.#feed.close();
  }

  #offer(revision: number): void {
    if (this.#closed || revision <= this.#latest) return;
    this.#latest = revision;
    void this.#pump(revision <= this.#own);
  }

  /**
   * List the conversations and tell each listener whose list changed (`silent`: only set what they
   * have). An entry offered while a listing is in flight is listed again after it (that listing may
   * predate it); a failed listing is retried later.
   */
  async #pump(silent: boolean): Promise<void> {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    try {
      for (let first = true; first || (!this.#closed && this.#listed < this.#latest); first = false) {
        const covers = this.#latest;
        const items = await this.#o.list();
        this.#listed = Math.max(this.#listed, covers);
        this.#retry.reset();
        this.#tell(items, first ? silent : covers <= this.#own);
      }
    } catch (error) {
      this.#o.onError(INDEX, error);
      this.#retry.schedule();
    } finally {
      this.#busy = false;
    }
  }

  #tell(items: ConversationsWatchEvent['items'], silent: boolean): void {
    const json = stableStringify(items);
    for (const [fn, last] of [...this.#listeners]) {
      if (last === json) continue;
      this.#listeners.set(fn, json);
      if (silent && last !== '') continue;
      try {
        fn({ items, source: 'device' });
      } catch (error) {
        this.#o.onError(INDEX, error);
      }
    }
  }
}
