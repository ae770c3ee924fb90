/**
 * One login in flight per (portal, account key), and its token reused by every caller: all
 * PortalClients of this process share a {@link LoginSlot}, and tabs of one origin take turns through
 * a Web Lock and hand the token to each other over a BroadcastChannel (PORTALS.md §3 item 11: a Dart
 * portal keeps one challenge per key and every challenge GET overwrites it, so two concurrent
 * logins of one account make each other fail).
 *
 * The pattern follows sdk-core's cross-tab coordinator, re-stated here because @s5chat/s5 is the
 * lowest layer and must not depend on sdk-core. Where Web Locks / BroadcastChannel are missing
 * (Node, old browsers) only the in-process sharing remains, and the login retries on a lost
 * challenge cover logins from other processes.
 */

/** The part of the Web Locks API we use (`navigator.locks`). */
export interface LockManagerLike {
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
  request<T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
  unref?: () => void;
}

export interface LoginShareEnvironment {
  /** Default `globalThis.navigator?.locks`; null disables. */
  locks?: LockManagerLike | null;
  /** Default a `BroadcastChannel` where Web Locks exist; null disables. */
  channel?: ChannelLike | null;
}

const CHANNEL_NAME = 's5chat:portal-login';
/**
 * How long a tab that had to wait for the lock waits for the holder's announcement: the lock is
 * released as soon as the holder's login returns, while its BroadcastChannel message is still a
 * queued task in the other tabs.
 */
const ANNOUNCEMENT_GRACE_MS = 200;

/** A token cache plus the single in-flight login for one (portal, account). */
export class LoginSlot {
  readonly key: string;
  #token: string | undefined;
  #inflight: Promise<string> | undefined;
  readonly #waiters: (() => void)[] = [];
  readonly #env: Required<LoginShareEnvironment>;

  constructor(key: string, env: Required<LoginShareEnvironment>) {
    this.key = key;
    this.#env = env;
  }

  get token(): string | undefined {
    return this.#token;
  }

  /** A token another tab obtained. */
  receive(token: string): void {
    this.#token = token;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Forget `token` after the portal refused it (only if it is still the current one). */
  invalidate(token: string): void {
    if (this.#token === token) this.#token = undefined;
  }

  /**
   * The cached token, or the result of the one shared run of `login`. The run is not tied to any one
   * caller's signal (one caller aborting must not fail the others); callers stop waiting on their own.
   */
  obtain(login: () => Promise<string>): Promise<string> {
    if (this.#token !== undefined) return Promise.resolve(this.#token);
    if (!this.#inflight) {
      const run = this.#underLock(login).then((token) => {
        this.#token = token;
        return token;
      });
      const shared = run.finally(() => {
        if (this.#inflight === shared) this.#inflight = undefined;
      });
      shared.catch(() => undefined); // observed by the callers; never an unhandled rejection
      this.#inflight = shared;
    }
    return this.#inflight;
  }

  async #underLock(login: () => Promise<string>): Promise<string> {
    const { locks, channel } = this.#env;
    const go = async (waited: boolean) => {
      // Another tab may have finished a login while we waited for the lock.
      if (waited && this.#token === undefined) await this.#announcement(ANNOUNCEMENT_GRACE_MS);
      if (this.#token !== undefined) return this.#token;
      const token = await login();
      try {
        channel?.postMessage({ key: this.key, token });
      } catch {
        /* other tabs log in themselves */
      }
      return token;
    };
    if (!locks) return go(false);
    const name = `s5chat-login:${this.key}`;
    const busy = Symbol('busy');
    const first = await locks.request(name, { ifAvailable: true }, async (lock) => (lock ? go(false) : busy));
    if (first !== busy) return first as string;
    return locks.request(name, () => go(true));
  }

  #announcement(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }

}

/**
 * The slots of one JavaScript realm (a tab, a worker, a Node process), connected to the other realms
 * of the origin through `env`. One default instance uses the platform's Web Locks and BroadcastChannel.
 */
export class LoginShare {
  readonly #slots = new Map<string, LoginSlot>();
  readonly #env: Required<LoginShareEnvironment>;

  constructor(env: LoginShareEnvironment = {}) {
    const g = globalThis as {
      navigator?: { locks?: LockManagerLike };
      BroadcastChannel?: new (name: string) => ChannelLike;
    };
    const locks = env.locks === undefined ? (g.navigator?.locks ?? null) : env.locks;
    let channel: ChannelLike | null = null;
    if (env.channel !== undefined) channel = env.channel;
    else if (locks && typeof g.BroadcastChannel === 'function') {
      try {
        channel = new g.BroadcastChannel(CHANNEL_NAME);
      } catch {
        channel = null;
      }
    }
    if (channel) {
      channel.unref?.(); // never keep a Node process alive for this
      channel.onmessage = (ev) => {
        const m = ev.data as { key?: unknown; token?: unknown } | null;
        if (m && typeof m.key === 'string' && typeof m.token === 'string') this.#slots.get(m.key)?.receive(m.token);
      };
    }
    this.#env = { locks, channel };
  }

  /** The slot for (portal base URL, account public key). */
  slot(portalBase: string, accountKey: string): LoginSlot {
    const key = `${portalBase}|${accountKey}`;
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = new LoginSlot(key, this.#env);
      this.#slots.set(key, slot);
    }
    return slot;
  }
}

let platformShare: LoginShare | undefined;

/** The process-wide (and, in browsers, tab-spanning) slot for (portal base URL, account public key). */
export function sharedLoginSlot(portalBase: string, accountKey: string): LoginSlot {
  platformShare ??= new LoginShare();
  return platformShare.slot(portalBase, accountKey);
}

/** A slot used by one client only (`shareLogin: false`, or a tokenProvider). */
export function privateLoginSlot(key: string): LoginSlot {
  return new LoginSlot(key, { locks: null, channel: null });
}
