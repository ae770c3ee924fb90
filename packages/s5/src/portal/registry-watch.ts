import type { RegistryEntry } from '../registry.js';
import type { PortalKind } from './probe.js';
import { RegistryPoller } from './registry-poll.js';
import { RegistrySubscription, type WebSocketConstructor } from './subscription.js';
import { DEFAULT_POLL_INTERVAL_MS, type SubscribeOptions } from './options.js';

/**
 * A live watch of one registry key, by the means the portal supports: its subscription WebSocket
 * (our devnode, unknown portals) or polling (Dart has no subscription route since v0.14; LumeWeb's
 * needs a token, refuses cross-origin browsers and pushes no `0x07` records). Chosen once the
 * implementation probe answers; closing before that opens nothing.
 */
export function openRegistryWatch(args: {
  kind: Promise<PortalKind>;
  wsUrl: string;
  publicKey: Uint8Array;
  onEntry: (entry: RegistryEntry) => void;
  fetchCurrent: () => Promise<RegistryEntry | null>;
  options: SubscribeOptions;
  WebSocket?: WebSocketConstructor;
}): { close(): void } {
  let closed = false;
  let active: { close(): void } | undefined;
  const { onEntry, fetchCurrent, options } = args;
  void args.kind.then((kind) => {
    if (closed) return;
    if (kind === 'dart' || kind === 'lumeweb') {
      active = new RegistryPoller({ fetchCurrent, onEntry, onError: options.onError, intervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS });
      return;
    }
    active = new RegistrySubscription({
      url: args.wsUrl,
      publicKey: args.publicKey,
      onEntry,
      fetchCurrent,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(args.WebSocket ? { WebSocket: args.WebSocket } : {}),
    });
  });
  return {
    close() {
      closed = true;
      active?.close();
    },
  };
}
