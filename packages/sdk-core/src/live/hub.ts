import { P2PClient, ValidationError, type RegistryEntry, type S5Backend } from '@s5chat/s5';
import { deriveConversationKeys, deriveIndexKeys, type SeedDeriver } from '../layout/keys.js';
import { assertConversationId, type ConversationSummary } from '../schemas.js';
import { stableStringify } from '../merge.js';
import { diffSnapshot, emptyBaseline, type Baseline } from './diff.js';
import { KeyFeed } from './key-feed.js';
import type { StorageEvents } from '../events.js';
import type { ConversationState } from '../ops.js';
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
 * How long a head written under our device id waits for our own 'saved' event: the portal's push of
 * our write usually overtakes the reply to it.
 */
const OWN_WRITE_GRACE_MS = 3000;

interface Listener {
  fn: (e: WatchEvent) => void;
  baseline: Baseline;
  /** initial: false — the first snapshot only sets the baseline. */
  silent: boolean;
}

interface Watched {
  feed: KeyFeed;
  listeners: Set<Listener>;
  /** Highest entry offered (revision -1 = none yet, null = read found nothing). */
  latest: { revision: number; entry: RegistryEntry | null };
  snapshot?: LiveSnapshot;
  busy: boolean;
  /** Highest revision another tab announced, and this manager's own commits. */
  tabRevision: number;
  own: Set<number>;
  /** Resolved on each of our own commits ('saved'). */
  ownWaiters: Set<() => void>;
}

/** The conversation list's watch: listener → the JSON of the items it last got ('' = none yet). */
interface ListWatch {
  feed: KeyFeed;
  listeners: Map<(e: ConversationsWatchEvent) => void, string>;
  latest: number;
  own: number;
  busy: boolean;
}

const INDEX = '#index';

/**
 * Live updates for a StorageManager: one KeyFeed per watched conversation (shared by its
 * listeners), one P2P socket per portal (shared by all feeds), a per-listener diff so each listener
 * gets exactly what changed since it last heard. Reads are coalesced: while one is in flight only
 * the newest entry offered meanwhile is read next (a stream's checkpoints may be skipped, never
 * reordered).
 */
export class LiveHub {
  readonly #o: LiveHubOptions;
  readonly #watched = new Map<string, Watched>();
  readonly #offs: (() => void)[] = [];
  #p2p: P2PClient | undefined | null;
  #list: ListWatch | undefined;

  constructor(o: LiveHubOptions) {
    this.#o = o;
    this.#offs.push(
      o.on('remote', ({ conversationId, revision }) => {
        const w = conversationId === INDEX ? undefined : this.#watched.get(conversationId);
        if (w) {
          w.tabRevision = Math.max(w.tabRevision, revision);
          this.#readNow(conversationId);
        }
      }),
      o.on('saved', ({ conversationId, revision, kind }) => {
        if (kind === 'index' && this.#list) this.#list.own = Math.max(this.#list.own, revision);
        const w = this.#watched.get(conversationId);
        if (w && kind !== 'index') {
          w.own.add(revision);
          for (const wake of [...w.ownWaiters]) wake();
        }
      }),
    );
  }

  watch(conversationId: string, fn: (e: WatchEvent) => void, opts: WatchOptions = {}): () => void {
    const id = assertConversationId(conversationId);
    if (typeof fn !== 'function') throw new ValidationError([{ path: 'listener', message: 'expected a function' }]);
    let w = this.#watched.get(id);
    const listener: Listener = { fn, baseline: emptyBaseline(), silent: opts.initial === false };
    if (!w) {
      const pk = deriveConversationKeys(this.#o.identity, id).keyPair.publicKey;
      const created: Watched = { listeners: new Set([listener]), latest: { revision: -1, entry: null }, busy: false, tabRevision: 0, own: new Set(), ownWaiters: new Set() } as unknown as Watched;
      this.#watched.set(id, created);
      created.feed = this.#feed(pk, id, (e) => this.#offer(id, e));
      w = created;
    } else {
      w.listeners.add(listener);
      if (w.snapshot) this.#deliver(id, listener, w.snapshot, 'device');
    }
    return () => {
      const cur = this.#watched.get(id);
      if (!cur || !cur.listeners.delete(listener) || cur.listeners.size > 0) return;
      cur.feed.close();
      this.#watched.delete(id);
    };
  }

  watchConversations(fn: (e: ConversationsWatchEvent) => void): () => void {
    if (typeof fn !== 'function') throw new ValidationError([{ path: 'listener', message: 'expected a function' }]);
    if (!this.#list) {
      const pk = deriveIndexKeys(this.#o.identity).keyPair.publicKey;
      const list = { listeners: new Map(), latest: -1, own: 0, busy: false } as unknown as ListWatch;
      this.#list = list;
      list.feed = this.#feed(pk, INDEX, (e) => this.#offerList(e?.revision ?? 0));
    } else void this.#pumpList(true);
    this.#list.listeners.set(fn, '');
    return () => {
      const l = this.#list;
      if (!l || !l.listeners.delete(fn) || l.listeners.size > 0) return;
      l.feed.close();
      this.#list = undefined;
    };
  }

  /** For tests and status displays: the shared P2P client's state, if one exists. */
  get p2pState(): string {
    return this.#p2p ? this.#p2p.state : 'none';
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    for (const w of this.#watched.values()) w.feed.close();
    this.#watched.clear();
    this.#list?.feed.close();
    this.#list = undefined;
    this.#p2p?.close();
  }

  #p2pClient(): P2PClient | undefined {
    if (this.#p2p !== undefined) return this.#p2p ?? undefined;
    const mode = this.#o.transport ?? 'auto';
    const portalUrl = (this.#o.backend as { portalUrl?: unknown }).portalUrl;
    this.#p2p = null;
    if (mode !== 'auto' && mode !== 'p2p') return undefined;
    if (this.#o.p2pUrl === undefined && typeof portalUrl !== 'string') return undefined;
    this.#p2p = new P2PClient({
      ...(this.#o.p2pUrl !== undefined ? { url: this.#o.p2pUrl } : { portalUrl: portalUrl as string }),
      onError: (e) => this.#o.onError('', e),
    });
    return this.#p2p;
  }

  #feed(publicKey: Uint8Array, id: string, onEntry: (e: RegistryEntry | null) => void): KeyFeed {
    const backend = this.#o.backend as S5Backend & { registrySubscribe?: KeyFeedSubscribe };
    return new KeyFeed({
      publicKey,
      mode: this.#o.transport ?? 'auto',
      read: () => this.#o.readEntry(id, publicKey),
      p2p: this.#p2pClient(),
      subscribe: typeof backend.registrySubscribe === 'function' ? backend.registrySubscribe.bind(backend) : undefined,
      onEntry: (e) => {
        if (e) this.#o.observed(id, e);
        onEntry(e);
      },
      onError: (e) => this.#o.onError(id, e),
      pollMinMs: this.#o.pollMinMs ?? 1000,
      pollMaxMs: this.#o.pollMaxMs ?? 15_000,
    });
  }

  /** Another tab announced a commit: read now instead of waiting for a push or poll. */
  #readNow(id: string): void {
    const pk = deriveConversationKeys(this.#o.identity, id).keyPair.publicKey;
    this.#o.backend.registryGet(pk).then(
      (e) => this.#offer(id, e),
      (error: unknown) => this.#o.onError(id, error),
    );
  }

  #offer(id: string, entry: RegistryEntry | null): void {
    const w = this.#watched.get(id);
    const revision = entry?.revision ?? 0;
    if (!w || revision <= w.latest.revision) return;
    w.latest = { revision, entry };
    void this.#pump(id, w);
  }

  async #pump(id: string, w: Watched): Promise<void> {
    if (w.busy) return;
    w.busy = true;
    try {
      while (this.#watched.get(id) === w && (w.snapshot?.revision ?? -1) < w.latest.revision) {
        const { entry, revision } = w.latest;
        let snap: LiveSnapshot;
        try {
          snap = await this.#o.read(id, entry);
        } catch (error) {
          this.#o.onError(id, error);
          if (w.latest.revision === revision) break; // retried when the next entry comes
          continue;
        }
        // Written under our device id, neither announced by a tab nor acknowledged to us yet: most
        // likely our own write whose push beat its reply. Wait for the reply before judging.
        if (snap.writer === this.#o.deviceId && !w.own.has(snap.revision) && snap.revision > w.tabRevision) {
          await this.#ownCommit(w, snap.revision);
        }
        w.snapshot = snap;
        const source = snap.revision <= w.tabRevision ? 'tab' : 'device';
        const own = w.own.has(snap.revision);
        for (const l of [...w.listeners]) {
          if (own) diffSnapshot(id, l.baseline, snap, source); // our own write: baseline only
          else this.#deliver(id, l, snap, source);
        }
      }
    } finally {
      w.busy = false;
    }
  }

  #ownCommit(w: Watched, revision: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        w.ownWaiters.delete(check);
        resolve();
      };
      const check = () => {
        if (w.own.has(revision)) done();
      };
      const timer = setTimeout(done, OWN_WRITE_GRACE_MS);
      w.ownWaiters.add(check);
    });
  }

  #deliver(id: string, l: Listener, snap: LiveSnapshot, source: 'tab' | 'device'): void {
    const event = diffSnapshot(id, l.baseline, snap, source);
    if (l.silent) {
      l.silent = false;
      return;
    }
    if (!event) return;
    try {
      l.fn(event);
    } catch (error) {
      this.#o.onError(id, error);
    }
  }

  #offerList(revision: number): void {
    const l = this.#list;
    if (!l || revision <= l.latest) return;
    l.latest = revision;
    void this.#pumpList(revision <= l.own);
  }

  async #pumpList(silent: boolean): Promise<void> {
    const l = this.#list;
    if (!l || l.busy) return;
    l.busy = true;
    try {
      const items = await this.#o.list();
      const json = stableStringify(items);
      for (const [fn, last] of [...l.listeners]) {
        if (last === json) continue;
        l.listeners.set(fn, json);
        if (silent && last !== '') continue;
        try {
          fn({ items, source: 'device' });
        } catch (error) {
          this.#o.onError(INDEX, error);
        }
      }
    } catch (error) {
      this.#o.onError(INDEX, error);
    } finally {
      l.busy = false;
    }
  }
}

type KeyFeedSubscribe = (pk: Uint8Array, onEntry: (e: RegistryEntry) => void, o: { onError: (e: unknown) => void }) => () => void;

/** What a watcher diffs, from a stored state. */
export function liveSnapshot(state: ConversationState, head: { writer?: string } | null): LiveSnapshot {
  const { revision, exists, deleted, messages } = state;
  const snap: LiveSnapshot = { revision, exists, deleted, messages, metadata: state.metadata.values };
  if (typeof head?.writer === 'string') snap.writer = head.writer;
  return snap;
}
