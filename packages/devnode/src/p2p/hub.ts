import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { RegistryStore } from '../registry-store.js';
import type { StatsCollector } from '../stats.js';
import { P2P, decodeRegistryEntry, equalBytes, verifyEd25519, type Ed25519KeyPair } from '../s5.js';
import { decodeSeq, encodeSeq, isBytes } from './framing.js';
import { encodeStorageLocation } from './storage-location.js';

const LOCATION_TTL_SECONDS = 3600;
const MAX_FRAME_BYTES = 64 * 1024;

/** A malformed frame; logged and counted, never fatal. */
class FrameError extends Error {}

interface Peer {
  ws: WebSocket;
  /** Our challenge to this peer (what its HandshakeDone must echo). */
  challenge: Uint8Array;
  /** Set once the peer proved its node key by signing our challenge. */
  remoteId?: Uint8Array;
  /** URIs the peer announced in its HandshakeDone. */
  uris: string[];
}

export interface P2PHubOptions {
  keyPair: Ed25519KeyPair;
  registry: RegistryStore;
  stats: StatsCollector;
  log: (line: string) => void;
  /** URIs announced in our HandshakeDone (the profile decides; Dart: one, the devnode: none). */
  selfUris: () => string[];
  /** Send AnnouncePeers after a peer's handshake completes (Dart does, PORTALS.md §2.8). */
  announcePeers: boolean;
  /** URL a peer can GET the blob with these 33 hash bytes from without auth, or undefined (silence). */
  locate: (hash33: Uint8Array) => Promise<string | undefined>;
  /**
   * Pass a registry query the node cannot answer on to the other peers, once per key (lib5 ≥ ebe3865,
   * Dart HEAD; v0.14.1 does not, PORTALS.md §2.8). A peer's answer is stored and broadcast as usual.
   */
  forwardUnknownQueries?: boolean;
}

/**
 * The `/s5/p2p` endpoint: handshake (§7.4), registry query / push with broadcast (§7.5) and hash
 * query → signed storage location (§7.6). Every inbound frame is validated inside a try/catch: bad
 * peer input is counted and dropped, and we only ever send frames whose layout s5.js parses.
 */
export class P2PHub {
  readonly #opts: P2PHubOptions;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  readonly #peers = new Set<Peer>();
  readonly #unsubscribe: () => void;
  /** Keys whose unknown query was already forwarded (lib5 forwards once per key). */
  readonly #forwarded = new Set<string>();

  constructor(opts: P2PHubOptions) {
    this.#opts = opts;
    this.#wss.on('connection', (ws) => this.#accept(ws));
    // Registry updates from any source (HTTP, another peer, admin) reach every connected peer except
    // the one that sent it, so s5.js clients stay current (they store any valid newer record).
    this.#unsubscribe = opts.registry.onUpdate((u) => {
      const from = typeof u.origin === 'object' ? u.origin.peer : undefined;
      for (const p of this.#peers) if (p !== from && p.remoteId) this.#send(p, u.wire);
    });
  }

  get connectedPeers(): number {
    return [...this.#peers].filter((p) => p.remoteId).length;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // The `ws` client turns the node id in the peer URI into `Authorization: Basic …`; it means
    // nothing here and is ignored (PROTOCOL §7.1).
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    for (const p of this.#peers) p.ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket): void {
    const peer: Peer = { ws, challenge: new Uint8Array(randomBytes(32)), uris: [] };
    this.#peers.add(peer);
    this.#opts.stats.counters.p2p.connections++;
    ws.on('close', () => this.#peers.delete(peer));
    ws.on('error', (err) => this.#opts.log(`p2p: socket error: ${err.message}`));
    ws.on('message', (data, isBinary) => this.#onMessage(peer, data, isBinary));
    // Exactly two values: s5.js throws on a trailing network id (PROTOCOL §7.4 step 1).
    this.#send(peer, encodeSeq([P2P.HANDSHAKE_OPEN, peer.challenge]));
  }

  #onMessage(peer: Peer, data: RawData, isBinary: boolean): void {
    const { stats, log } = this.#opts;
    stats.counters.p2p.framesIn++;
    const reject = (err: unknown) => {
      stats.counters.p2p.framesRejected++;
      log(`p2p: dropped frame: ${err instanceof Error ? err.message : String(err)}`);
    };
    if (!isBinary) return reject(new FrameError('text frames are not part of the protocol'));
    const bytes = toBytes(data);
    this.#handleFrame(peer, bytes).catch(reject);
  }

  async #handleFrame(peer: Peer, bytes: Uint8Array): Promise<void> {
    switch (bytes[0]) {
      case P2P.HANDSHAKE_OPEN:
        return this.#onHandshakeOpen(peer, bytes);
      case P2P.SIGNED_MESSAGE:
        return this.#onSignedMessage(peer, bytes);
      case P2P.REGISTRY_QUERY:
        return this.#onRegistryQuery(peer, bytes);
      case P2P.HASH_QUERY:
        return this.#onHashQuery(peer, bytes);
      case P2P.REGISTRY_ENTRY:
        return this.#onRegistryEntry(peer, bytes);
      case P2P.STORAGE_LOCATION:
      default:
        // Stream messages (0x08), message queries (0x49), locations from peers and unknown methods
        // are ignored, as s5.js does.
        return;
    }
  }

  #onHandshakeOpen(peer: Peer, bytes: Uint8Array): void {
    const values = decodeSeq(bytes);
    const challenge = values[1];
    if (!isBytes(challenge) || challenge.length < 1 || challenge.length > 255) {
      throw new FrameError('HandshakeOpen without a 1..255-byte challenge');
    }
    // [2, echo, features, uriCount, uri…]; s5.js parses `02 c4 40 <C> 03` from the inner bytes.
    const uris = this.#opts.selfUris();
    this.#sendSigned(peer, encodeSeq([P2P.HANDSHAKE_DONE, challenge, P2P.REQUIRED_FEATURES, uris.length, ...uris]));
  }

  #sendSigned(peer: Peer, inner: Uint8Array): void {
    const { keyPair } = this.#opts;
    this.#send(peer, encodeSeq([P2P.SIGNED_MESSAGE, keyPair.publicKey, keyPair.sign(inner), inner]));
  }

  /** Dart's AnnouncePeers: `[8, n, (id, connected, uriCount, uri…)…]` over every handshaked peer (the new one included). */
  #announcePeersTo(peer: Peer): void {
    const known = [...this.#peers].filter((p) => p.remoteId);
    const values: unknown[] = [P2P.ANNOUNCE_PEERS, known.length];
    for (const p of known) values.push(p.remoteId, true, p.uris.length, ...p.uris);
    this.#sendSigned(peer, encodeSeq(values));
  }

  #onSignedMessage(peer: Peer, bytes: Uint8Array): void {
    const values = decodeSeq(bytes);
    if (values.length !== 4) throw new FrameError(`SignedMessage must have 4 values, got ${values.length}`);
    const [, nodeId, signature, inner] = values;
    if (!isBytes(nodeId, 33) || !isBytes(signature, 64) || !isBytes(inner) || inner.length === 0) {
      throw new FrameError('SignedMessage must be [10, bin33 nodeId, bin64 signature, bin message]');
    }
    if (!verifyEd25519(nodeId, inner, signature)) throw new FrameError('SignedMessage signature does not verify');
    if (inner[0] === P2P.ANNOUNCE_PEERS) return; // we do not connect onwards
    if (inner[0] !== P2P.HANDSHAKE_DONE) return;
    const [, echo, features, uriCount, ...rest] = decodeSeq(inner);
    if (!isBytes(echo) || !equalBytes(echo, peer.challenge)) throw new FrameError('Invalid challenge found in p2p handshake');
    if (features !== P2P.REQUIRED_FEATURES) throw new FrameError('Remote node does not support required features');
    const firstHandshake = !peer.remoteId;
    if (firstHandshake) this.#opts.stats.counters.p2p.handshakes++;
    peer.remoteId = nodeId.slice();
    const count = typeof uriCount === 'number' ? uriCount : 0;
    peer.uris = rest.slice(0, count).filter((u): u is string => typeof u === 'string');
    if (firstHandshake && this.#opts.announcePeers) this.#announcePeersTo(peer);
  }

  async #onRegistryQuery(peer: Peer, bytes: Uint8Array): Promise<void> {
    const [, pk] = decodeSeq(bytes);
    if (!isBytes(pk, 33) || pk[0] !== 0xed) throw new FrameError('RegistryQuery must carry a 33-byte 0xed key');
    this.#opts.stats.counters.registry.gets++;
    const found = await this.#opts.registry.get(pk);
    // No negative answer exists in the protocol: unknown keys get silence (§7.5).
    if (found) return this.#send(peer, found.wire);
    if (!this.#opts.forwardUnknownQueries || !peer.remoteId) return;
    const key = Buffer.from(pk).toString('hex');
    if (this.#forwarded.has(key)) return;
    this.#forwarded.add(key);
    for (const p of this.#peers) if (p !== peer && p.remoteId) this.#send(p, bytes);
  }

  /** Ask every handshaked peer for a key (what Dart and libs5-go do on an HTTP read, registry.dart:92-113). */
  queryRegistry(pk: Uint8Array): void {
    const frame = encodeSeq([P2P.REGISTRY_QUERY, pk]);
    for (const p of this.#peers) if (p.remoteId) this.#send(p, frame);
  }

  async #onHashQuery(peer: Peer, bytes: Uint8Array): Promise<void> {
    const [, hash] = decodeSeq(bytes);
    if (!isBytes(hash, 33) || (hash[0] !== 0x1e && hash[0] !== 0x1f)) {
      throw new FrameError('HashQuery must carry a 33-byte BLAKE3 multihash (0x1e or 0x1f)');
    }
    const url = await this.#opts.locate(hash);
    if (url === undefined) return;
    const { keyPair } = this.#opts;
    this.#send(
      peer,
      encodeStorageLocation({
        hash33: hash, // echoed exactly as queried (§7.6)
        urls: [url],
        expiry: Math.floor(Date.now() / 1000) + LOCATION_TTL_SECONDS,
        keyPair,
      }),
    );
  }

  async #onRegistryEntry(peer: Peer, bytes: Uint8Array): Promise<void> {
    // Dart logs `peer.id` first, which throws before the handshake completed: the entry is dropped.
    if (!peer.remoteId) throw new FrameError('registry entry before the handshake completed');
    const entry = decodeRegistryEntry(bytes);
    const { registry, stats } = this.#opts;
    const current = await registry.get(entry.publicKey);
    if (current && current.entry.revision === entry.revision) return; // equal: ignored, as Dart does
    if (current && current.entry.revision > entry.revision) {
      this.#send(peer, current.wire); // tell the sender what is newer
      return;
    }
    stats.counters.registry.sets++;
    const outcome = await registry.set(entry, { peer }).catch((err: unknown) => {
      stats.counters.registry.setsRejected++;
      throw err;
    });
    if (outcome.accepted) stats.counters.registry.setsAccepted++;
    else {
      stats.counters.registry.setsRejected++;
      if (outcome.current.entry.revision > entry.revision) this.#send(peer, outcome.current.wire);
    }
  }

  #send(peer: Peer, frame: Uint8Array): void {
    if (peer.ws.readyState !== peer.ws.OPEN) return;
    peer.ws.send(frame, { binary: true }, (err) => {
      if (err) this.#opts.log(`p2p: send failed: ${err.message}`);
    });
  }
}

export function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
