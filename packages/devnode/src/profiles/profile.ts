import type { IncomingMessage } from 'node:http';
import type { Reply } from '../http/reply.js';
import type { Router } from '../http/router.js';
import type { RegistryUpdate } from '../registry-store.js';
import type { Services } from '../services.js';

/** The portal implementations the devnode can impersonate (PORTALS.md §1). */
export const PROFILE_NAMES = ['devnode', 'dart', 'dart-0.14', 'lumeweb'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export type Registration = 'open' | 'invite';

/** What a WebSocket upgrade request gets. */
export type UpgradeDecision = { kind: 'p2p' } | { kind: 'subscription' } | { kind: 'reply'; reply: Reply };

/** How the P2P endpoint behaves on this profile (PORTALS.md §2.8). */
export interface P2PBehaviour {
  /** URIs announced in HandshakeDone (Dart: exactly one, `ws(s)://<domain>/s5/p2p`). */
  selfUris(): string[];
  /** Send an AnnouncePeers signed message right after a completed handshake (Dart does). */
  announcePeers: boolean;
  /**
   * Where a hash query for these 33 bytes can be fetched from, or undefined for silence. Dart
   * answers only for the exact `0x1f` multihash it stores, pointing at its store origin.
   */
  locate(hash33: Uint8Array, services: Services): Promise<string | undefined>;
  /** Forward registry queries the node cannot answer to the other peers, once per key (Dart HEAD). */
  forwardUnknownQueries?: boolean;
}

/**
 * One portal implementation's observable behaviour. The dispatcher and node are generic; everything
 * that differs between implementations (routes, error shapes, CORS, host rules, request slots, P2P
 * details) lives behind this interface, one module per implementation.
 */
export interface PortalProfile {
  readonly name: ProfileName;
  readonly router: Router<Services>;
  /** Headers set on every API response before routing (Dart's CORS block); may be empty. */
  commonHeaders(req: IncomingMessage): Record<string, string>;
  /** The answer to `OPTIONS` on any path. */
  preflight(req: IncomingMessage): Reply;
  /** The answer when no route matches the path (or the method). */
  notFound(req: IncomingMessage, url: URL, allowed: string[]): Reply;
  /** Turn anything a handler threw into this implementation's reply. */
  errorReply(err: unknown, log: (line: string) => void): Reply;
  /** Host handling ahead of routing (Dart's `http.api.domain` logic); undefined = route normally. */
  beforeRouting?(req: IncomingMessage): Promise<Reply | undefined>;
  /** WebSocket upgrade routing. */
  upgrade(req: IncomingMessage, pathname: string): UpgradeDecision;
  readonly p2p: P2PBehaviour;
  /** How `/s5/registry/subscription` pushes (when `upgrade` routes there); default: raw 0x07 records plus the current entry at once. */
  readonly subscription?: { encode(update: RegistryUpdate): Uint8Array; initialPush: boolean };
  /** Idle keep-alive sockets are closed after this long (Dart: 1 s, §2.11); undefined = Node's default. */
  readonly keepAliveTimeoutMs?: number;
  /** Requests handled at once, the rest queued (Alfred's 50); undefined = unlimited. */
  readonly maxInFlight?: number;
  /** Start side servers (Dart's store origin) once the API server's URL is known. */
  start?(apiUrl: string): Promise<void>;
  stop?(): Promise<void>;
}

/** What a profile factory gets from `startDevnode`. */
export interface ProfileContext {
  services: Services;
  /** The node key seed (profiles derive their own secrets from it, e.g. LumeWeb's JWT key). */
  nodeSeed: Uint8Array;
  timeScale: number;
  registration: Registration;
  inviteTokens: readonly string[];
  /** `host:port` the API server listens on, known once it listens (the Dart "domain"). */
  authority(): string;
  /** Host name of `authority()` (what Dart compares `Host` with). */
  hostname(): string;
  /** The listen address, for side servers (Dart's store origin). */
  bindHost: string;
  corsOrigin: string;
}
