import { InvalidSignatureError, PortalUnavailableError, S5ChatError, ValidationError } from '../errors.js';
import { concatBytes, equalBytes } from '../encoding/bytes.js';
import { decodeRegistryEntry, assertValidRegistryEntry, type RegistryEntry } from '../registry.js';
import { transientBackoffDelay } from '../resilience/transient-policy.js';

/** Minimal WebSocket surface we use: the browser WebSocket and the `ws` package both provide it. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Subscribe frame: `0x02 ‖ msgpack bin8(pk33)` = `02 c4 21 <pk33>` (PROTOCOL §6.4). */
export function registrySubscribeFrame(publicKey33: Uint8Array): Uint8Array {
  if (!(publicKey33 instanceof Uint8Array) || publicKey33.length !== 33 || publicKey33[0] !== 0xed) {
    throw new ValidationError([{ path: 'publicKey', message: 'expected a 33-byte 0xed multikey' }]);
  }
  return concatBytes(Uint8Array.of(0x02, 0xc4, 0x21), publicKey33);
}

/**
 * Resolve a WebSocket implementation: an injected one, else the platform's (browsers, Node >= 22),
 * else the `ws` package loaded lazily — the specifier is kept opaque so browser bundlers never try
 * to include a Node module.
 */
export async function resolveWebSocket(injected?: WebSocketConstructor): Promise<WebSocketConstructor> {
  if (injected) return injected;
  const platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (platform) return platform;
  const specifier = 'ws';
  const noWebSocket = (details: string, cause?: unknown) =>
    new ValidationError([{ path: 'WebSocket', message: 'no WebSocket implementation available' }], {
      shortMessage: 'No WebSocket implementation available: pass one as `WebSocket` or install the "ws" package.',
      details,
      cause,
    });
  let mod: { default?: WebSocketConstructor; WebSocket?: WebSocketConstructor };
  try {
    mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof mod;
  } catch (cause) {
    throw noWebSocket('the platform has no WebSocket and the "ws" package could not be loaded', cause);
  }
  const ctor = mod.WebSocket ?? mod.default;
  if (!ctor) throw noWebSocket('the "ws" package does not export a WebSocket');
  return ctor;
}

/** Frame payload as bytes, whatever the implementation hands us (ArrayBuffer, Buffer, Buffer[]). */
async function frameBytes(data: unknown): Promise<Uint8Array> {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return new Uint8Array(data);
  if (Array.isArray(data)) return concatBytes(...(data as Uint8Array[]));
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  throw new ValidationError([{ path: 'frame', message: 'unexpected non-binary WebSocket frame' }]);
}

export interface SubscriptionOptions {
  url: string;
  publicKey: Uint8Array;
  onEntry: (entry: RegistryEntry) => void;
  /** Problems that do not end the subscription (bad frames, reconnects). Never throws into the socket. */
  onError?: (error: unknown) => void;
  /** Read the current entry over HTTP; called after every (re)subscribe so no update is missed. */
  fetchCurrent: () => Promise<RegistryEntry | null>;
  WebSocket?: WebSocketConstructor;
  /** Reconnect backoff (capped exponential, full jitter). */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
}

/**
 * A live registry subscription. Delivers each verified entry for the key at most once and only in
 * increasing revision order (the GET after subscribing and a push of the same entry collapse).
 * Reconnects after the socket drops, then GETs again. Every inbound frame is validated inside a
 * try/catch: a hostile or broken node can never crash the process (PROTOCOL §11 item 11).
 */
export class RegistrySubscription {
  readonly #opts: SubscriptionOptions;
  #socket: WebSocketLike | undefined;
  #closed = false;
  #lastRevision = -1;
  #reconnects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: SubscriptionOptions) {
    registrySubscribeFrame(opts.publicKey); // validate up front
    this.#opts = { ...opts, publicKey: opts.publicKey.slice() };
    void this.#connect();
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    try {
      this.#socket?.close();
    } catch {
      /* already closing */
    }
    this.#socket = undefined;
  }

  #report(error: unknown): void {
    try {
      this.#opts.onError?.(error);
    } catch {
      /* a throwing error handler must not break the subscription */
    }
  }

  #deliver(entry: RegistryEntry): void {
    if (this.#closed || entry.revision <= this.#lastRevision) return;
    this.#lastRevision = entry.revision;
    try {
      this.#opts.onEntry(entry);
    } catch (error) {
      this.#report(error);
    }
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    let Ctor: WebSocketConstructor;
    try {
      Ctor = await resolveWebSocket(this.#opts.WebSocket);
    } catch (error) {
      this.#report(error);
      return;
    }
    if (this.#closed) return;
    let socket: WebSocketLike;
    try {
      socket = new Ctor(this.#opts.url);
    } catch (error) {
      this.#report(
        error instanceof S5ChatError
          ? error
          : new PortalUnavailableError('Could not open the registry subscription socket.', { details: this.#opts.url, cause: error }),
      );
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      this.#reconnects = 0;
      try {
        socket.send(registrySubscribeFrame(this.#opts.publicKey));
      } catch (error) {
        this.#report(error);
        return;
      }
      // The node pushes only updates after the subscribe: read once so nothing between is missed.
      this.#opts.fetchCurrent().then(
        (entry) => entry && this.#deliver(entry),
        (error: unknown) => this.#report(error),
      );
    };
    socket.onmessage = (ev) => {
      frameBytes(ev.data)
        .then((bytes) => {
          const entry = decodeRegistryEntry(bytes);
          if (!equalBytes(entry.publicKey, this.#opts.publicKey)) {
            throw new InvalidSignatureError('Subscription pushed an entry for a different key.');
          }
          assertValidRegistryEntry(entry);
          this.#deliver(entry);
        })
        .catch((error: unknown) => this.#report(error));
    };
    socket.onerror = (ev) => {
      const cause = (ev as { error?: unknown } | undefined)?.error;
      this.#report(
        cause instanceof S5ChatError
          ? cause
          : new PortalUnavailableError('Registry subscription socket failed.', {
              details: `${this.#opts.url}${cause instanceof Error ? `: ${cause.message}` : ''}`,
              ...(cause !== undefined ? { cause } : {}),
            }),
      );
    };
    socket.onclose = () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#scheduleReconnect();
    };
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = transientBackoffDelay(this.#reconnects++, {
      initialDelayMs: this.#opts.reconnectInitialMs ?? 250,
      maxDelayMs: this.#opts.reconnectMaxMs ?? 10_000,
      jitter: 0.5,
    });
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }
}
