import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RegistryStore, RegistryUpdate } from '../registry-store.js';
import type { StatsCollector } from '../stats.js';
import { bytesToHex } from '../s5.js';
import { decodeSeq, isBytes } from './framing.js';
import { toBytes } from './hub.js';

const SUBSCRIBE = 2;
/** One socket may watch many keys, but not unboundedly many. */
const MAX_KEYS_PER_SOCKET = 1024;

/**
 * `/s5/registry/subscription` (PROTOCOL §6.4): a client sends `02 c4 21 <pk33>` per key; the node
 * pushes the raw 0x07 record of every accepted update of that key. Unlike Dart we also push the
 * current entry right after subscribing (clients must still GET once, per the spec).
 */
export class RegistrySubscriptions {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  readonly #byKey = new Map<string, Set<WebSocket>>();
  readonly #unsubscribe: () => void;

  readonly #encode: (u: RegistryUpdate) => Uint8Array;
  readonly #initialPush: boolean;

  constructor(
    private readonly registry: RegistryStore,
    private readonly stats: StatsCollector,
    private readonly log: (line: string) => void,
    /** Profile-specific push format (LumeWeb does not send 0x07 records, nor an initial push). */
    push: { encode(u: RegistryUpdate): Uint8Array; initialPush: boolean } = { encode: (u) => u.wire, initialPush: true },
  ) {
    this.#encode = push.encode;
    this.#initialPush = push.initialPush;
    this.#wss.on('connection', (ws) => this.#accept(ws));
    this.#unsubscribe = registry.onUpdate((u) => {
      for (const ws of this.#byKey.get(bytesToHex(u.entry.publicKey)) ?? []) this.#send(ws, this.#encode(u));
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const keys = new Set<string>();
    ws.on('error', (err) => this.log(`subscription: socket error: ${err.message}`));
    ws.on('close', () => {
      for (const k of keys) {
        const set = this.#byKey.get(k);
        set?.delete(ws);
        if (set?.size === 0) this.#byKey.delete(k);
      }
    });
    ws.on('message', (data, isBinary) => {
      this.stats.counters.p2p.framesIn++;
      try {
        if (!isBinary) throw new Error('text frames are not part of the protocol');
        const bytes = toBytes(data);
        if (bytes[0] !== SUBSCRIBE) throw new Error(`unknown subscription message ${bytes[0]}`);
        const [, pk] = decodeSeq(bytes);
        if (!isBytes(pk, 33) || pk[0] !== 0xed) throw new Error('subscribe must carry a 33-byte 0xed key');
        if (keys.size >= MAX_KEYS_PER_SOCKET) throw new Error(`more than ${MAX_KEYS_PER_SOCKET} keys on one socket`);
        const key = bytesToHex(pk);
        keys.add(key);
        let set = this.#byKey.get(key);
        if (!set) this.#byKey.set(key, (set = new Set()));
        set.add(ws);
        if (this.#initialPush) {
          this.registry.get(pk).then(
            (found) => found && this.#send(ws, found.wire),
            (err: unknown) => this.log(`subscription: lookup failed: ${String(err)}`),
          );
        }
      } catch (err) {
        this.stats.counters.p2p.framesRejected++;
        this.log(`subscription: dropped frame: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  #send(ws: WebSocket, frame: Uint8Array): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(frame, { binary: true }, (err) => {
      if (err) this.log(`subscription: send failed: ${err.message}`);
    });
  }
}
