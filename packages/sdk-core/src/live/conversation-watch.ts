import type { RegistryEntry } from '@s5chat/s5';
import { deriveConversationKeys } from '../layout/keys.js';
import type { Message } from '../schemas.js';
import { diffSnapshot, emptyBaseline, type Baseline } from './diff.js';
import type { FeedFactory } from './feed-factory.js';
import type { LiveHubOptions } from './hub.js';
import type { KeyFeed } from './key-feed.js';
import { OwnWrites } from './own-writes.js';
import { RetryLater } from './retry-later.js';
import type { LiveSnapshot, WatchEvent, WatchOptions, WatchSource } from './types.js';

export interface WatchListener {
  fn: (e: WatchEvent) => void;
  baseline: Baseline;
  /** initial: false — the first snapshot only sets the baseline. */
  silent: boolean;
}

/**
 * The watch of one conversation, shared by its listeners: a feed of its main key plus one per
 * device log it lists (device-logs/). Reads are coalesced: while one is in flight only the newest
 * entry offered meanwhile is read next (a stream's checkpoints may be skipped, never reordered).
 * Each snapshot is diffed per listener; what this manager wrote itself (`own`) only moves baselines.
 */
export class ConversationWatch {
  /** This manager's own commits to the conversation (the hub records its 'saved' events here). */
  readonly own = new OwnWrites();
  readonly #id: string;
  readonly #o: LiveHubOptions;
  readonly #feeds: FeedFactory;
  /** The main key's name (tags are `<key name>@<revision>`) and public key. */
  readonly #mainKey: string;
  readonly #publicKey: Uint8Array;
  #feed: KeyFeed | undefined;
  readonly #listeners = new Set<WatchListener>();
  /** Highest entry offered (revision -1 = none yet, null = read found nothing). */
  #latest: { revision: number; entry: RegistryEntry | null } = { revision: -1, entry: null };
  #snapshot: LiveSnapshot | undefined;
  #busy = false;
  /** Highest revision another tab announced. */
  #tabRevision = 0;
  /** Device logs: a feed and the highest revision offered per log key. */
  readonly #logFeeds = new Map<string, KeyFeed>();
  readonly #logRevs = new Map<string, number>();
  #closed = false;
  /** A failed read of the newest entry is read again later (retry-later.ts says why). */
  readonly #retry = new RetryLater(() => void this.#pump());

  constructor(id: string, o: LiveHubOptions, feeds: FeedFactory) {
    this.#id = id;
    this.#o = o;
    this.#feeds = feeds;
    const keys = deriveConversationKeys(o.identity, id);
    this.#mainKey = keys.name;
    this.#publicKey = keys.keyPair.publicKey;
  }

  add(fn: (e: WatchEvent) => void, opts: WatchOptions): WatchListener {
    const listener: WatchListener = { fn, baseline: emptyBaseline(), silent: opts.initial === false };
    this.#listeners.add(listener);
    if (this.#snapshot) this.#deliver(listener, this.#snapshot, 'device');
    // The first listener starts the feed; its initial read gives the first snapshot.
    this.#feed ??= this.#feeds.feed(this.#publicKey, this.#id, (e) => this.#offer(e));
    return listener;
  }

  /** True when that was the last listener: the watch is closed. */
  remove(listener: WatchListener): boolean {
    if (!this.#listeners.delete(listener) || this.#listeners.size > 0) return false;
    this.close();
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#retry.cancel();
    this.#feed?.close();
    for (const f of this.#logFeeds.values()) f.close();
  }

  /** Another tab announced a commit: read now instead of waiting for a push or poll. */
  remote(revision: number): void {
    this.#tabRevision = Math.max(this.#tabRevision, revision);
    this.#o.backend.registryGet(this.#publicKey).then(
      (e) => this.#offer(e),
      (error: unknown) => this.#o.onError(this.#id, error),
    );
  }

  #offer(entry: RegistryEntry | null): void {
    const revision = entry?.revision ?? 0;
    if (this.#closed || revision <= this.#latest.revision) return;
    this.#latest = { revision, entry };
    void this.#pump();
  }

  /** A device log has a new entry: read the merged state again. */
  #offerLog(key: string, entry: RegistryEntry | null): void {
    const revision = entry?.revision ?? 0;
    if (this.#closed || revision <= (this.#logRevs.get(key) ?? 0)) return;
    this.#logRevs.set(key, revision);
    void this.#pump();
  }

  /** The composite revision offered so far: the main entry's plus every device log's. */
  #wanted(): number {
    let n = this.#latest.revision;
    for (const r of this.#logRevs.values()) n += r;
    return n;
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const id = this.#id;
    let idle = 0;
    try {
      while (!this.#closed && (this.#snapshot?.revision ?? -1) < this.#wanted() && idle < 3) {
        const { entry } = this.#latest;
        const wanted = this.#wanted();
        let snap: LiveSnapshot;
        try {
          snap = await this.#o.read(id, entry);
        } catch (error) {
          this.#o.onError(id, error);
          if (this.#wanted() === wanted) {
            this.#retry.schedule(); // read again later, or sooner when a newer entry comes
            break;
          }
          continue;
        }
        this.#retry.reset();
        if (!snap.logs && !this.#snapshot?.logs) {
          await this.#showOneKey(snap);
          continue;
        }
        // A log read behind what was offered (a lagging replica): a few more reads, then wait for the next entry.
        if (snap.revision <= (this.#snapshot?.revision ?? -1)) {
          idle++;
          continue;
        }
        this.#watchLogs(snap);
        // The keys that changed since the last snapshot, as `<key>@<revision>`, and their writers.
        const prev = this.#snapshot;
        const mainRevision = snap.mainRevision ?? snap.revision;
        const changed: { tag: string; writer?: string | undefined }[] = [];
        if ((prev?.mainRevision ?? prev?.revision) !== mainRevision) changed.push({ tag: `${this.#mainKey}@${mainRevision}`, writer: snap.writer });
        for (const l of snap.logs ?? []) {
          const before = prev?.logs?.find((p) => p.key === l.key)?.revision;
          if (before !== l.revision) changed.push({ tag: `${l.key}@${l.revision}`, writer: l.writer });
        }
        // Written under our device id, neither announced by a tab nor acknowledged to us yet: most
        // likely our own write whose push beat its reply. Wait for the reply before judging.
        const early = changed.find((c) => c.writer === this.#o.deviceId && !this.own.has(c.tag));
        if (early && !(changed.length === 1 && mainRevision <= this.#tabRevision)) await this.own.settle(early.tag);
        this.#snapshot = snap;
        const logChanged = changed.some((c) => !c.tag.startsWith(`${this.#mainKey}@`));
        const source = mainRevision <= this.#tabRevision && !logChanged ? 'tab' : 'device';
        const own = changed.length > 0 && changed.every((c) => this.own.has(c.tag));
        // A snapshot that mixes our own log write with another device's: hide the messages whose
        // winning version came from our own log (they are ours; the rest is reported).
        const ownLogs = new Set(changed.filter((c) => this.own.has(c.tag)).map((c) => c.tag.slice(0, c.tag.lastIndexOf('@'))));
        const hide = own ? undefined : new Set((snap.logs ?? []).filter((x) => ownLogs.has(x.key)).flatMap((x) => x.messages ?? []));
        for (const l of [...this.#listeners]) {
          if (own) diffSnapshot(id, l.baseline, snap, source); // our own write: baseline only
          else this.#deliver(l, snap, source, hide);
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /** A snapshot of a conversation without device logs: one key, one writer per revision. */
  async #showOneKey(snap: LiveSnapshot): Promise<void> {
    const tag = `${this.#mainKey}@${snap.revision}`;
    // Written under our device id, neither announced by a tab nor acknowledged to us yet: most
    // likely our own write whose push beat its reply. Wait for the reply before judging.
    if (snap.writer === this.#o.deviceId && !this.own.has(tag) && snap.revision > this.#tabRevision) await this.own.settle(tag);
    this.#snapshot = snap;
    const source = snap.revision <= this.#tabRevision ? 'tab' : 'device';
    const own = this.own.has(tag);
    for (const l of [...this.#listeners]) {
      if (own) diffSnapshot(this.#id, l.baseline, snap, source); // our own write: baseline only
      else this.#deliver(l, snap, source);
    }
  }

  /** Feeds for the device logs a snapshot lists (one per log key, closed with the watch). */
  #watchLogs(snap: LiveSnapshot): void {
    for (const l of snap.logs ?? []) {
      if (l.revision > (this.#logRevs.get(l.key) ?? 0)) this.#logRevs.set(l.key, l.revision);
      // The feed reads and observes the log's own key (its key id), and offers to the conversation.
      if (!this.#logFeeds.has(l.key)) this.#logFeeds.set(l.key, this.#feeds.feed(l.publicKey, l.keyId, (e) => this.#offerLog(l.key, e)));
    }
  }

  #deliver(l: WatchListener, snap: LiveSnapshot, source: WatchSource, hide?: Set<unknown>): void {
    const first = l.baseline.revision < 0; // the state at subscribe time: every message, ours too
    let event = diffSnapshot(this.#id, l.baseline, snap, source);
    // Once closed the watch no longer tells our own versions apart (nothing records them any more).
    const prints = !first && !this.#closed;
    const ours = (m: Message) => (hide?.has(m) ?? false) || (prints && this.own.stored(m));
    if (event && event.messages.some(ours)) {
      event = { ...event, messages: event.messages.filter((m) => !ours(m)) };
      if (event.messages.length === 0 && event.metadata === undefined && event.deleted === undefined) event = null;
    }
    if (l.silent) {
      l.silent = false;
      return;
    }
    if (!event) return;
    try {
      l.fn(event);
    } catch (error) {
      this.#o.onError(this.#id, error);
    }
  }
}
