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

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}
interface ChannelLike {
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

/** A token cache plus the single in-flight login for one (portal, account). */
export class LoginSlot {
  readonly key: string;
  #token: string | undefined;
  #inflight: Promise<string> | undefined;
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
    const go = async () => {
      // Another tab may have finished a login while we waited for the lock.
      if (this.#token !== undefined) return this.#token;
      const token = await login();
      try {
        channel?.postMessage({ key: this.key, token });
      } catch {
        /* other tabs log in themselves */
      }
      return token;
    };
    return locks ? locks.request(`s5chat-login:${this.key}`, go) : go();
  }
}

const shared = new Map<string, LoginSlot>();
let defaultEnv: Required<LoginShareEnvironment> | undefined;

function platformEnv(): Required<LoginShareEnvironment> {
  if (defaultEnv) return defaultEnv;
  const g = globalThis as {
    navigator?: { locks?: LockManagerLike };
    BroadcastChannel?: new (name: string) => ChannelLike;
  };
  const locks = g.navigator?.locks ?? null;
  let channel: ChannelLike | null = null;
  if (locks && typeof g.BroadcastChannel === 'function') {
    try {
      channel = new g.BroadcastChannel(CHANNEL_NAME);
      channel.unref?.();
      channel.onmessage = (ev) => {
        const m = ev.data as { key?: unknown; token?: unknown } | null;
        if (m && typeof m.key === 'string' && typeof m.token === 'string') shared.get(m.key)?.receive(m.token);
      };
    } catch {
      channel = null;
    }
  }
  defaultEnv = { locks, channel };
  return defaultEnv;
}

/** The process-wide slot for (portal base URL, account public key). */
export function sharedLoginSlot(portalBase: string, accountKey: string): LoginSlot {
  const key = `${portalBase}|${accountKey}`;
  let slot = shared.get(key);
  if (!slot) {
    slot = new LoginSlot(key, platformEnv());
    shared.set(key, slot);
  }
  return slot;
}

/** A slot used by one client only (`shareLogin: false`, or a tokenProvider). */
export function privateLoginSlot(key: string): LoginSlot {
  return new LoginSlot(key, { locks: null, channel: null });
}
