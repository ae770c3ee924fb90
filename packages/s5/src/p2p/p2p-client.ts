import { bytesToHex, concatBytes } from '../encoding/bytes.js';
import { ValidationError } from '../errors.js';
import { assertValidRegistryEntry, decodeRegistryEntry, type RegistryEntry } from '../registry.js';
import { transientBackoffDelay } from '../resilience/transient-policy.js';
import { resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from '../portal/subscription.js';
import { P2PProtocolError, P2PUnavailableError } from './errors.js';
import { P2P } from './framing.js';
import { ClientHandshake, type NodeHello } from './handshake.js';

export type P2PState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'unavailable' | 'closed';

export interface P2PClientOptions {
  /** The portal's `http(s)://` base URL: the peer URI is `ws(s)://<host>/s5/p2p`. */
  portalUrl?: string;
  /** A peer URI instead (what the portal advertises, e.g. `wss://<domain>/s5/p2p`). Wins over portalUrl. */
  url?: string;
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff: capped exponential with jitter (defaults 500 ms → 30 s). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** An opened socket that has not finished the handshake by then is dropped (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Consecutive attempts without a finished handshake before the state says 'unavailable' (default 2). */
  unavailableAfter?: number;
  /** Problems that do not end the client (bad frames, failed attempts). Never throws into the socket. */
  onError?: (error: unknown) => void;
}

export interface P2PClientStats {
  /** Sockets opened (each reconnect counts). */
  connects: number;
  handshakes: number;
  framesIn: number;
  /** 0x07 records whose decoding or signature failed. */
  entriesRejected: number;
  entriesDelivered: number;
}

type EntryListener = (entry: RegistryEntry) => void;

/** `ws(s)://host[:port]/s5/p2p` for a portal URL, or a given peer URI without its userinfo. */
export function p2pUrlFor(opts: { portalUrl?: string; url?: string }): string {
  const raw = opts.url ?? opts.portalUrl;
  let u: URL;
  try {
    u = new URL(raw ?? '');
  } catch {
    throw new ValidationError([{ path: opts.url !== undefined ? 'url' : 'portalUrl', message: 'not a valid URL' }]);
  }
  if (opts.url === undefined) {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ValidationError([{ path: 'portalUrl', message: 'expected http: or https:' }]);
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    u.pathname = '/s5/p2p';
    u.search = '';
  } else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new ValidationError([{ path: 'url', message: 'expected ws: or wss:' }]);
  }
  // A peer URI may carry the node id as userinfo (PROTOCOL §7.1); it means nothing to the node and
  // browsers handle credentials in WebSocket URLs inconsistently.
  u.username = '';
  u.password = '';
  u.hash = '';
  return u.toString();
}

async function frameBytes(data: unknown): Promise<Uint8Array> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) return concatBytes(...(data as Uint8Array[]));
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new P2PProtocolError('Text frames are not part of the P2P protocol.');
}

/**
 * An S5 P2P peer connection to one portal (PROTOCOL §7, PORTALS §2.8): one WebSocket whatever the
 * number of watched keys. The node broadcasts every new registry entry of every key to every
 * connected peer; this client verifies each one (strict decode + signature) and hands it only to
 * the listeners of that key, in increasing revision order. It sends nothing but the handshake, so
 * it cannot break a node's view of us, and ignores AnnouncePeers, stream messages, queries and
 * unknown bytes. The socket opens on the first watch, closes with the last, and reconnects with
 * backoff. Hand-written (no maintained JS S5 P2P client exists that is not a whole node).
 */
export class P2PClient {
  readonly url: string;
  readonly #opts: P2PClientOptions;
  readonly #listeners = new Map<string, Set<EntryListener>>();
  readonly #lastRevision = new Map<string, number>();
  readonly #stateListeners = new Set<(state: P2PState) => void>();
  readonly #stats: P2PClientStats = { connects: 0, handshakes: 0, framesIn: 0, entriesRejected: 0, entriesDelivered: 0 };
  #state: P2PState = 'idle';
  #socket: WebSocketLike | undefined;
  #hello: NodeHello | undefined;
  #failedAttempts = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: P2PClientOptions) {
    this.url = p2pUrlFor(opts ?? {});
    this.#opts = { ...opts };
  }

  get state(): P2PState {
    return this.#state;
  }

  /** The node's id and advertised URIs from the last finished handshake. */
  get node(): NodeHello | undefined {
    return this.#hello;
  }

  stats(): P2PClientStats {
    return { ...this.#stats };
  }

  /** Called on every state change (and not for the current state). Returns the unsubscribe. */
  onState(fn: (state: P2PState) => void): () => void {
    this.#stateListeners.add(fn);
    return () => this.#stateListeners.delete(fn);
  }

  /** Receive verified entries of `publicKey33`. Returns the unsubscribe. */
  watch(publicKey33: Uint8Array, onEntry: EntryListener): () => void {
    if (!(publicKey33 instanceof Uint8Array) || publicKey33.length !== 33 || publicKey33[0] !== 0xed) {
      throw new ValidationError([{ path: 'publicKey', message: 'expected a 33-byte 0xed multikey' }]);
    }
    if (typeof onEntry !== 'function') throw new ValidationError([{ path: 'onEntry', message: 'expected a function' }]);
    if (this.#state === 'closed') throw new ValidationError([{ path: 'client', message: 'the P2P client is closed' }]);
    const key = bytesToHex(publicKey33);
    let set = this.#listeners.get(key);
    if (!set) this.#listeners.set(key, (set = new Set()));
    set.add(onEntry);
    if (this.#state === 'idle') void this.#connect();
    return () => {
      set.delete(onEntry);
      if (set.size === 0 && this.#listeners.get(key) === set) {
        this.#listeners.delete(key);
        this.#lastRevision.delete(key);
      }
      if (this.#listeners.size === 0 && this.#state !== 'closed') this.#disconnect('idle');
    };
  }

  close(): void {
    this.#listeners.clear();
    this.#disconnect('closed');
    this.#stateListeners.clear();
  }

  #setState(state: P2PState): void {
    if (this.#state === state) return;
    this.#state = state;
    for (const fn of [...this.#stateListeners]) {
      try {
        fn(state);
      } catch (error) {
        this.#report(error);
      }
    }
  }

  #report(error: unknown): void {
    try {
      this.#opts.onError?.(error);
    } catch {
      /* a throwing error handler must not break the connection */
    }
  }

  #disconnect(next: 'idle' | 'closed'): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const s = this.#socket;
    this.#socket = undefined;
    try {
      s?.close();
    } catch {
      /* already closing */
    }
    this.#failedAttempts = 0;
    this.#setState(next);
  }

  async #connect(): Promise<void> {
    if (this.#state === 'closed' || this.#listeners.size === 0) return;
    if (this.#state !== 'unavailable') this.#setState('connecting');
    let Ctor: WebSocketConstructor;
    try {
      Ctor = await resolveWebSocket(this.#opts.WebSocket);
    } catch (error) {
      this.#report(error);
      this.#setState('unavailable');
      return;
    }
    const now = this.#state as P2PState; // may have changed while the implementation loaded
    if (now === 'closed' || now === 'idle') return;
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.url);
    } catch (cause) {
      this.#attemptFailed(undefined, cause);
      return;
    }
    this.#stats.connects++;
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    const handshake = new ClientHandshake();
    let connected = false;
    const handshakeTimer = setTimeout(() => {
      if (!connected) this.#drop(socket, new P2PProtocolError('The node did not finish the P2P handshake in time.', { details: this.url }));
    }, this.#opts.handshakeTimeoutMs ?? 10_000);
    const onHandshakeStep = () => {
      if (connected || !handshake.complete) return;
      connected = true;
      clearTimeout(handshakeTimer);
      this.#failedAttempts = 0;
      this.#hello = handshake.hello;
      this.#stats.handshakes++;
      this.#setState('connected');
    };
    socket.onopen = () => {
      try {
        socket.send(handshake.openFrame());
      } catch (error) {
        this.#drop(socket, error);
      }
    };
    socket.onmessage = (ev) => {
      if (this.#socket !== socket) return;
      this.#stats.framesIn++;
      frameBytes(ev.data)
        .then((bytes) => {
          if (this.#socket !== socket) return;
          switch (bytes[0]) {
            case P2P.HANDSHAKE_OPEN:
              socket.send(handshake.answerOpen(bytes));
              return onHandshakeStep();
            case P2P.SIGNED_MESSAGE:
              handshake.acceptSigned(bytes); // AnnouncePeers (8) and others: verified, then ignored
              return onHandshakeStep();
            case P2P.REGISTRY_ENTRY:
              return this.#onEntry(bytes);
            default:
              // 0x05, 0x08, 4 and 13 queries, 0x49, unknown bytes: not ours to act on (PORTALS §3 item 17).
              return;
          }
        })
        .catch((error: unknown) => {
          // A node that cannot complete a handshake is not a peer we keep; a bad frame after it is just dropped.
          if (!connected) this.#drop(socket, error);
          else this.#report(error);
        });
    };
    socket.onerror = (ev) => {
      const cause = (ev as { error?: unknown } | undefined)?.error;
      if (!connected) return; // the close that follows counts the failed attempt
      this.#report(new P2PUnavailableError(this.url, { details: { url: this.url, text: "the connected P2P socket failed" }, ...(cause !== undefined ? { cause } : {}) }));
    };
    socket.onclose = () => {
      clearTimeout(handshakeTimer);
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (connected) {
        this.#setState('disconnected');
        this.#scheduleReconnect();
      } else this.#attemptFailed(socket, undefined);
    };
  }

  #drop(socket: WebSocketLike, error: unknown): void {
    this.#report(error);
    try {
      socket.close();
    } catch {
      /* closing anyway */
    }
  }

  #attemptFailed(socket: WebSocketLike | undefined, cause: unknown): void {
    if (socket && this.#socket === socket) this.#socket = undefined;
    this.#failedAttempts++;
    if (this.#failedAttempts >= (this.#opts.unavailableAfter ?? 2) && this.#state !== 'unavailable') {
      this.#report(new P2PUnavailableError(this.url, cause !== undefined ? { cause } : {}));
      this.#setState('unavailable');
    } else if (this.#state !== 'unavailable') this.#setState('disconnected');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state === 'closed' || this.#state === 'idle' || this.#listeners.size === 0) return;
    const delay = transientBackoffDelay(this.#failedAttempts, {
      initialDelayMs: this.#opts.reconnectInitialMs ?? 500,
      maxDelayMs: this.#opts.reconnectMaxMs ?? 30_000,
      jitter: 0.5,
    });
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, delay);
  }

  #onEntry(bytes: Uint8Array): void {
    let entry: RegistryEntry;
    try {
      entry = decodeRegistryEntry(bytes);
      assertValidRegistryEntry(entry); // every pushed entry, for any key, is verified before use
    } catch (error) {
      this.#stats.entriesRejected++;
      throw error;
    }
    const key = bytesToHex(entry.publicKey);
    const set = this.#listeners.get(key);
    if (!set) return; // someone else's key: the node broadcasts all of them
    if (entry.revision <= (this.#lastRevision.get(key) ?? -1)) return;
    this.#lastRevision.set(key, entry.revision);
    this.#stats.entriesDelivered++;
    for (const fn of [...set]) {
      try {
        fn(entry);
      } catch (error) {
        this.#report(error);
      }
    }
  }
}
