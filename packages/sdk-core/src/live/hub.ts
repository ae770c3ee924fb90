import { ValidationError, type RegistryEntry, type S5Backend } from '@s5chat/s5';
import { deriveConversationKeys, type SeedDeriver } from '../layout/keys.js';
import { assertConversationId, type ConversationSummary } from '../schemas.js';
import type { StorageEvents } from '../events.js';
import { parseKeyId } from '../device-logs/ids.js';
import { ConversationWatch } from './conversation-watch.js';
import { FeedFactory } from './feed-factory.js';
import { ConversationListWatch, INDEX } from './list-watch.js';
import type { ConversationsWatchEvent, LiveOptions, LiveSnapshot, WatchEvent, WatchOptions } from './types.js';

export interface LiveHubOptions extends LiveOptions {
  backend: S5Backend;
  identity: SeedDeriver;
  /** Read the conversation at `entry` (null = nothing stored). */
  read: (conversationId: string, entry: RegistryEntry | null) => Promise<LiveSnapshot>;
  /** The conversation list as listConversations returns it. */
  list: () => Promise<ConversationSummary[]>;
  /**
   * The manager's events: 'remote' (another tab committed) and 'saved' (this manager committed:
   * its own writes are never reported to its watchers).
   */
  on: <K extends 'remote' | 'saved'>(event: K, fn: (e: StorageEvents[K]) => void) => () => void;
  onError: (conversationId: string, error: unknown) => void;
  /** This manager's device id (heads name their writer). */
  deviceId: string;
  /**
   * The registry read of a watched key (a conversation id, or '#index') through the manager's
   * registry view (its monotonic floor, a fresh identity's known answers).
   */
  readEntry: (id: string, publicKey: Uint8Array) => Promise<RegistryEntry | null>;
  /** Told of every entry a feed delivers (pushes included), so the manager's registry view knows it exists. */
  observed: (id: string, entry: RegistryEntry) => void;
}

/**
 * Live updates for a StorageManager: one ConversationWatch per watched conversation (shared by its
 * listeners, conversation-watch.ts), one watch of the conversation list (list-watch.ts), their
 * feeds sharing one P2P socket per portal (feed-factory.ts). The hub routes the manager's events
 * to them: another tab's commit triggers a read, this manager's own commits are recorded as its own.
 */
export class LiveHub {
  readonly #o: LiveHubOptions;
  readonly #feeds: FeedFactory;
  readonly #watched = new Map<string, ConversationWatch>();
  readonly #offs: (() => void)[] = [];
  #list: ConversationListWatch | undefined;

  constructor(o: LiveHubOptions) {
    this.#o = o;
    this.#feeds = new FeedFactory(o);
    this.#offs.push(
      o.on('remote', ({ conversationId, revision }) => {
        if (conversationId !== INDEX) this.#watched.get(conversationId)?.remote(revision);
      }),
      o.on('saved', ({ conversationId, revision, kind, messages }) => {
        if (kind === 'index') return this.#list?.saved(revision);
        // A write of one of the conversation's device logs is the conversation's too.
        const w = this.#watched.get(parseKeyId(conversationId).conversationId);
        w?.own.saved(`${deriveConversationKeys(o.identity, conversationId).name}@${revision}`, messages);
      }),
    );
  }

  watch(conversationId: string, fn: (e: WatchEvent) => void, opts: WatchOptions = {}): () => void {
    const id = assertConversationId(conversationId);
    if (typeof fn !== 'function') throw new ValidationError([{ path: 'listener', message: 'expected a function' }]);
    let w = this.#watched.get(id);
    if (!w) this.#watched.set(id, (w = new ConversationWatch(id, this.#o, this.#feeds)));
    const listener = w.add(fn, opts);
    return () => {
      if (this.#watched.get(id)?.remove(listener)) this.#watched.delete(id);
    };
  }

  watchConversations(fn: (e: ConversationsWatchEvent) => void): () => void {
    if (typeof fn !== 'function') throw new ValidationError([{ path: 'listener', message: 'expected a function' }]);
    (this.#list ??= new ConversationListWatch(this.#o, this.#feeds)).add(fn);
    return () => {
      if (this.#list?.remove(fn)) this.#list = undefined;
    };
  }

  /** For tests and status displays: the shared P2P client's state, if one exists. */
  get p2pState(): string {
    return this.#feeds.p2pState;
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    for (const w of this.#watched.values()) w.close();
    this.#watched.clear();
    this.#list?.close();
    this.#list = undefined;
    this.#feeds.close();
  }
}
