import type { P2PClient, RegistryEntry } from '@s5chat/s5';
import type { LiveTransportMode } from './types.js';
import { RetryLater } from './retry-later.js';

/** Failures of a subscription socket that never delivered, after which 'auto' stops using it. */
const SUBSCRIPTION_GIVE_UP = 3;

export interface KeyFeedOptions {
  publicKey: Uint8Array;
  mode: LiveTransportMode;
  /** HTTP registry GET (the backend's). */
  read: () => Promise<RegistryEntry | null>;
  /** The manager's shared P2P client (one socket per portal), if the portal URL is known. */
  p2p?: P2PClient | undefined;
  /** The backend's registry subscription, if it has one (PortalClient.registrySubscribe). */
  subscribe?: ((pk: Uint8Array, onEntry: (e: RegistryEntry) => void, o: { onError: (e: unknown) => void }) => () => void) | undefined;
  /** Pushed entries, and the result of every GET (null: the key has no entry). */
  onEntry: (entry: RegistryEntry | null) => void;
  onError: (error: unknown) => void;
  pollMinMs: number;
  pollMaxMs: number;
}

/**
 * Registry updates of one key from whichever path works (PORTALS §3 item 16): P2P push while the
 * socket is connected; else the subscription socket (where P2P is unavailable and the backend has
 * one); polling GET with backoff whenever no P2P socket is connected; one GET at start and after
 * every P2P (re)connect so nothing between read and push is missed. Entries may repeat or arrive
 * out of order across paths — the consumer keeps the highest revision.
 */
export class KeyFeed {
  readonly #o: KeyFeedOptions;
  readonly #offs: (() => void)[] = [];
  #pollMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastPolled = -1;
  #subscribed = false;
  #closed = false;
  /** With P2P connected nothing polls: a failed read (at start, after a reconnect) is tried again later. */
  readonly #retry: RetryLater;

  constructor(o: KeyFeedOptions) {
    this.#o = o;
    this.#pollMs = o.pollMinMs;
    this.#retry = new RetryLater(() => void this.#readOnce(), o.pollMinMs, o.pollMaxMs);
    const { p2p, mode } = o;
    if (p2p && (mode === 'auto' || mode === 'p2p')) {
      this.#offs.push(p2p.watch(o.publicKey, (e) => o.onEntry(e)));
      this.#offs.push(
        p2p.onState((s) => {
          if (s === 'connected') void this.#readOnce(); // the gap while we were not connected
          if (s === 'unavailable' && mode === 'auto') this.#subscribe();
          this.#schedulePoll();
        }),
      );
      if (p2p.state === 'unavailable' && mode === 'auto') this.#subscribe();
    } else if (mode === 'subscription' || (mode === 'auto' && !p2p)) this.#subscribe();
    void this.#readOnce().finally(() => this.#schedulePoll());
  }

  close(): void {
    this.#closed = true;
    this.#retry.cancel();
    if (this.#timer) clearTimeout(this.#timer);
    for (const off of this.#offs.splice(0)) off();
  }

  #subscribe(): void {
    if (this.#subscribed || !this.#o.subscribe || this.#closed) return;
    this.#subscribed = true;
    // Current Dart has no subscription route (404, PORTALS §2.7) and the socket would reconnect
    // forever: in 'auto', a subscription that fails repeatedly before delivering anything is closed
    // and polling carries on alone.
    let delivered = false;
    let failures = 0;
    let off: (() => void) | undefined;
    let givenUp = false;
    const onError = (error: unknown) => {
      this.#o.onError(error);
      if (!delivered && ++failures >= SUBSCRIPTION_GIVE_UP && this.#o.mode === 'auto') {
        givenUp = true;
        off?.();
      }
    };
    try {
      const unsubscribe = this.#o.subscribe(this.#o.publicKey, (e) => {
        delivered = true;
        this.#o.onEntry(e);
      }, { onError });
      off = () => {
        off = undefined;
        unsubscribe();
      };
      this.#offs.push(() => off?.());
      if (givenUp) off(); // it failed before subscribe() even returned
    } catch (error) {
      this.#o.onError(error);
    }
  }

  /** Poll unless a P2P socket is connected (or P2P is forced). */
  #pollWanted(): boolean {
    const { mode, p2p } = this.#o;
    if (mode === 'poll') return true;
    if (mode === 'p2p' || mode === 'subscription') return false;
    return !(p2p && p2p.state === 'connected');
  }

  #schedulePoll(): void {
    if (this.#closed || this.#timer || !this.#pollWanted()) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#pollWanted()) return;
      void this.#readOnce(true).finally(() => this.#schedulePoll());
    }, this.#pollMs);
  }

  async #readOnce(polling = false): Promise<void> {
    if (this.#closed) return;
    try {
      const entry = await this.#o.read();
      const revision = entry?.revision ?? 0;
      // Backoff: a poll that finds nothing new doubles the interval; a change resets it.
      if (polling) this.#pollMs = revision > this.#lastPolled ? this.#o.pollMinMs : Math.min(this.#o.pollMaxMs, this.#pollMs * 2);
      this.#lastPolled = Math.max(this.#lastPolled, revision);
      this.#retry.reset();
      if (!this.#closed) this.#o.onEntry(entry);
    } catch (error) {
      if (polling) this.#pollMs = Math.min(this.#o.pollMaxMs, this.#pollMs * 2);
      this.#o.onError(error);
      if (!this.#closed && !this.#pollWanted()) this.#retry.schedule();
    }
  }
}
