/**
 * One writer per conversation per device (browser origin).
 *
 * Tabs of one origin share the same identity and would otherwise race each other at the registry.
 * With the Web Locks API, each write to a conversation holds `navigator.locks` lock
 * `s5chat:<registry key>` across the registry read → upload → set, so tabs take turns instead of
 * conflicting (the lock is released when the write settles or the tab dies). After a commit the
 * tab announces the new revision on a BroadcastChannel so other tabs can refresh their view.
 *
 * Where neither API exists (Node, old browsers) this is a no-op: the in-process keyed mutex plus
 * the registry's revision check still make every write safe; only the cross-tab turn-taking (fewer
 * conflicts) is lost. Names never contain conversation ids (registry keys are derived values).
 */

/** The part of the Web Locks API we use (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of BroadcastChannel we use. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  unref?: () => void;
}

export interface RevisionAnnouncement {
  /** Registry key name (base64url) of the document. */
  key: string;
  revision: number;
  /** Sender instance, so a tab ignores its own announcements. */
  from: string;
}

export interface CrossTabCoordinator {
  /** True when Web Locks are used. */
  readonly locking: boolean;
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  announce(key: string, revision: number): void;
  onAnnouncement(fn: (a: RevisionAnnouncement) => void): () => void;
  close(): void;
}

export interface CrossTabOptions {
  /** Default: `globalThis.navigator?.locks`; null disables. */
  locks?: LockManagerLike | null;
  /** Default: globalThis.BroadcastChannel when Web Locks exist (browsers); null disables. */
  createChannel?: ((name: string) => BroadcastChannelLike) | null;
  channelName?: string;
  instanceId: string;
}

export function createCrossTab(opts: CrossTabOptions): CrossTabCoordinator {
  const g = globalThis as { navigator?: { locks?: LockManagerLike }; BroadcastChannel?: new (name: string) => BroadcastChannelLike };
  const locks = opts.locks === undefined ? (g.navigator?.locks ?? null) : opts.locks;
  const createChannel =
    opts.createChannel === undefined
      ? locks && g.BroadcastChannel
        ? (name: string) => new g.BroadcastChannel!(name)
        : null
      : opts.createChannel;
  const listeners = new Set<(a: RevisionAnnouncement) => void>();
  let channel: BroadcastChannelLike | null = null;
  if (createChannel) {
    channel = createChannel(opts.channelName ?? 's5chat:revisions');
    channel.unref?.(); // never keep a Node process alive just for announcements
    channel.onmessage = (ev) => {
      const a = ev.data as RevisionAnnouncement | null;
      if (!a || typeof a.key !== 'string' || typeof a.revision !== 'number' || a.from === opts.instanceId) return;
      for (const fn of [...listeners]) fn(a);
    };
  }
  return {
    locking: locks !== null,
    withLock: (key, fn) => (locks ? locks.request(`s5chat:${key}`, fn) : fn()),
    announce(key, revision) {
      // Best effort and never throwing: it runs after a write is already durable, and a closed or
      // broken channel must not turn that acknowledged write into a reported failure.
      try {
        channel?.postMessage({ key, revision, from: opts.instanceId } satisfies RevisionAnnouncement);
      } catch {
        /* other tabs learn the revision on their next read */
      }
    },
    onAnnouncement(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close() {
      listeners.clear();
      if (channel) {
        channel.onmessage = null;
        channel.close();
        channel = null;
      }
    },
  };
}
