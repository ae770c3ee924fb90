import { devnodeCorsHeaders, jsonErrorReply } from '../http/json-errors.js';
import { empty, json } from '../http/reply.js';
import { buildRouter } from '../http/routes.js';
import { BlobId, bytesToHex } from '../s5.js';
import { P2P_PATH, SUBSCRIPTION_PATH } from './paths.js';
import type { PortalProfile, ProfileContext } from './profile.js';

/**
 * The devnode's own permissive, fast portal: any multibase id form, 0x1e or 0x1f, 200/404 blob reads,
 * 400/401/413 JSON errors, a registry subscription socket, no artificial waits. For unit-like tests;
 * no real portal behaves like this (PORTALS.md §4.4).
 */
export function devnodeProfile(ctx: ProfileContext): PortalProfile {
  return {
    name: 'devnode',
    router: buildRouter(),
    // Longer than any event-loop stall of an in-process test: with Node's 5 s the server could close
    // an idle socket in the same loop turn a client picked it for reuse (ECONNRESET in tests).
    keepAliveTimeoutMs: 60_000,
    commonHeaders: (req) => devnodeCorsHeaders(req, ctx.corsOrigin),
    preflight: () => empty(204),
    notFound: (req, url, allowed) =>
      allowed.length
        ? json(405, { error: `${req.method} not allowed; use ${allowed.join(', ')}`, code: 'METHOD_NOT_ALLOWED' }, { allow: allowed.join(', ') })
        : json(404, { error: `no route for ${url.pathname}`, code: 'NOT_FOUND' }),
    errorReply: jsonErrorReply,
    upgrade: (_req, pathname) => {
      if (pathname === P2P_PATH) return { kind: 'p2p' };
      if (pathname === SUBSCRIPTION_PATH) return { kind: 'subscription' };
      return { kind: 'reply', reply: empty(404) };
    },
    p2p: {
      selfUris: () => [],
      announcePeers: false,
      async locate(hash33, services) {
        if (hash33[0] !== 0x1e && hash33[0] !== 0x1f) return undefined;
        const digest = hash33.subarray(1);
        const size = await services.blobs.size(bytesToHex(digest));
        if (size === undefined) return undefined;
        return `http://${ctx.authority()}/s5/blob/${BlobId.fromHash(digest, size).toString('z')}`;
      },
    },
  };
}
