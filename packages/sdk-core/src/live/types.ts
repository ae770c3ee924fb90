import type { ConversationSummary, Message } from '../schemas.js';

/** Where a change came from: another tab of this origin (BroadcastChannel) or another device (the portal). */
export type WatchSource = 'tab' | 'device';

/** Another tab or device committed `revision` of a watched conversation. */
export interface WatchEvent {
  conversationId: string;
  revision: number;
  /** Messages new or changed (a growing streamed reply: same id, longer content) since the last event. */
  messages: Message[];
  /** The whole metadata, present when it changed since the last event. */
  metadata?: Record<string, unknown>;
  /** Present (true) when the conversation is now deleted; false when it was deleted and exists again. */
  deleted?: boolean;
  source: WatchSource;
}

export interface ConversationsWatchEvent {
  items: ConversationSummary[];
  source: WatchSource;
}

export interface WatchOptions {
  /**
   * Deliver the state read at subscribe time as the first event (every message as new). Default
   * true; false makes that read only the baseline (an app that has just loaded the conversation).
   */
  initial?: boolean;
}

/** How registry updates reach this device. */
export type LiveTransportMode = 'auto' | 'p2p' | 'subscription' | 'poll';

export interface LiveOptions {
  /**
   * 'auto' (default): the portal's P2P socket, falling back to the subscription socket where the
   * portal has no P2P and the backend offers one, and to polling while no push path is connected.
   * The others force one path (tests, benchmarks, portals known to lack P2P).
   */
  transport?: LiveTransportMode;
  /** Peer URI to use instead of `ws(s)://<portal host>/s5/p2p` (what the portal advertises). */
  p2pUrl?: string;
  /** Polling interval bounds: starts at min, doubles while nothing changes, back to min on a change (defaults 1000 / 15000 ms). */
  pollMinMs?: number;
  pollMaxMs?: number;
}

/** The part of a stored conversation a watcher diffs. */
export interface LiveSnapshot {
  revision: number;
  exists: boolean;
  deleted: boolean;
  messages: ReadonlyMap<string, Message>;
  metadata: Record<string, unknown>;
  /** The device id the head names as its writer. */
  writer?: string;
  /** Device logs (device-logs/): the main head's own revision (`revision` is main + logs). */
  mainRevision?: number;
  /** The device logs merged into this snapshot: their registry keys, revisions and writers. */
  logs?: { key: string; keyId: string; publicKey: Uint8Array; revision: number; writer?: string; messages?: readonly Message[] }[];
}
