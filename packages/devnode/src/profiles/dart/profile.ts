import type { IncomingMessage } from 'node:http';
import { DevnodeError } from '../../errors.js';
import { jsonErrorReply } from '../../http/json-errors.js';
import { empty, text, type Reply } from '../../http/reply.js';
import { addAdminRoutes } from '../../http/routes.js';
import { Router, type RequestContext } from '../../http/router.js';
import type { Services } from '../../services.js';
import { P2P_PATH } from '../paths.js';
import type { PortalProfile, ProfileContext } from '../profile.js';
import { DartAccounts } from './accounts.js';
import { DartBlobs, dartJson } from './blobs.js';
import { decodeDartCid, storedDigestHex, CID_TYPE_RAW } from './codec.js';
import { DartThrown } from './errors.js';
import { DartRegistry } from './registry.js';
import { DartStoreServer } from './store-server.js';
import { DartTus } from './tus.js';
import type { DartVariant } from './variant.js';

type Ctx = RequestContext<Services>;

/** Alfred's default `simultaneousProcessing` (alfred.dart:141-142). */
const ALFRED_SLOTS = 50;

/** http_api.dart:843-866: set on every API response, errors included, before routing. */
function dartCors(req: IncomingMessage): Record<string, string> {
  return {
    'access-control-allow-origin': req.headers.origin ?? '*',
    'access-control-max-age': '86400',
    'access-control-allow-methods': 'GET, POST, HEAD, OPTIONS, PUT, PATCH, DELETE',
    'access-control-allow-headers':
      'User-Agent,X-Requested-With,If-Modified-Since,If-None-Match,Cache-Control,Content-Type,Range,X-HTTP-Method-Override,upload-offset,upload-metadata,upload-length,tus-version,tus-resumable,tus-extension,tus-max-size,upload-concat,location,authorization',
    'access-control-expose-headers':
      'Content-Length,Content-Range,ETag,Accept-Ranges,upload-offset,upload-metadata,upload-length,tus-version,tus-resumable,tus-extension,tus-max-size,upload-concat,location',
    'access-control-allow-credentials': 'true',
    vary: 'origin',
    'x-content-type-options': 'nosniff',
  };
}

/** Host name of the request as Dart's `requestedUri.host` (lower-case, no port). */
function requestHost(req: IncomingMessage): string {
  const host = req.headers.host ?? '';
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return host.toLowerCase();
  }
}

/**
 * A Dart S5 node as a public portal runs it (PORTALS.md §1–§2): accounts enabled, a store with its
 * own HTTP origin, `http.api.domain` = the node's own `127.0.0.1`. `variant` selects HEAD
 * 1.0.0-pre.1 or v0.14.1.
 */
export function dartProfile(variant: DartVariant, ctx: ProfileContext): PortalProfile {
  const auth = { registration: ctx.registration, inviteTokens: ctx.inviteTokens };
  const store = new DartStoreServer(ctx.services, ctx.bindHost);
  const accounts = new DartAccounts(variant, auth);
  const blobs = new DartBlobs(variant, auth, store);
  const registry = new DartRegistry(auth);
  const tus = new DartTus(auth);

  const r = new Router<Services>({ headFromGet: false });
  const api = (method: 'GET' | 'POST' | 'HEAD' | 'PATCH', pattern: string, handle: (c: Ctx) => Promise<Reply>) =>
    r.add({ method, pattern, faultable: true, adminOnly: false, handle });
  api('GET', '/', async () => text(200, `S5 Node is running! :) v${variant.version}`));
  api('GET', '/s5/version', async () => dartJson({ node: variant.version }));
  for (const flow of ['register', 'login'] as const) {
    api('GET', `/s5/account/${flow}`, (c) => accounts.challenge(c, flow));
    api('POST', `/s5/account/${flow}`, (c) => accounts.respond(c, flow));
  }
  api('GET', '/s5/account', (c) => accounts.account(c));
  api('HEAD', '/s5/upload', async () => empty(200));
  api('POST', '/s5/upload', (c) => blobs.upload(c));
  api('HEAD', '/s5/upload/tus/:id', (c) => tus.head(c));
  api('PATCH', '/s5/upload/tus/:id', (c) => tus.patch(c));
  api('POST', '/s5/upload/tus', (c) => tus.create(c));
  api('GET', '/s5/blob/:cid', (c) => blobs.redirect(c));
  api('GET', '/s5/download/:cid', (c) => blobs.download(c));
  api('GET', '/s5/registry', (c) => registry.get(c));
  api('HEAD', '/s5/registry', async () => empty(200));
  api('POST', '/s5/registry', (c) => registry.post(c));
  addAdminRoutes(r);

  /**
   * The domain logic ahead of routing (http_api.dart:890-925). Host == domain: route normally.
   * Another host: HEAD decodes `<cid>.<domain>` subdomains and resolves any other name by DNSLink,
   * which on a loopback devnode always fails → 500. v0.14.1 exempts `localhost` entirely.
   */
  function hostRule(req: IncomingMessage): Reply | undefined {
    const host = requestHost(req);
    if (variant.localhostBypassesDomain && host === 'localhost') return undefined;
    const domain = ctx.hostname();
    if (host === domain) return undefined;
    if (`.${host}`.endsWith(`.${domain}`)) {
      if (!variant.subdomainCids) return undefined;
      try {
        const cid = decodeDartCid(host.split('.')[0]!, variant);
        if (cid.type === CID_TYPE_RAW) {
          return text(500, "Raw files can't be served on a subdomain. Try loading this CID on the root domain");
        }
        return text(404, '404 Not found');
      } catch (err) {
        return text(500, err instanceof DevnodeError ? err.message : String(err));
      }
    }
    return text(500, `No valid S5 dnslink record found for "${host}"`);
  }

  return {
    name: variant.profile,
    router: r,
    maxInFlight: ALFRED_SLOTS,
    // `_server.idleTimeout = Duration(seconds: 1)` (http_api.dart:841): clients must survive a reset
    // of a reused socket.
    keepAliveTimeoutMs: 1000,
    commonHeaders: dartCors,
    preflight: () => empty(204, { 'cache-control': 'public, max-age=86400' }),
    notFound: () => text(404, '404 not found'),
    errorReply(err, log) {
      if (err instanceof DartThrown) return text(err.status, err.message);
      if (err instanceof DevnodeError) return jsonErrorReply(err, log);
      log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return text(500, String(err));
    },
    beforeRouting: async (req) => hostRule(req),
    upgrade(req, pathname) {
      const early = hostRule(req);
      if (early) return { kind: 'reply', reply: early };
      const host = requestHost(req);
      // `localhost` on v0.14.1 skipped the domain block, so the P2P branch never runs.
      if (pathname === P2P_PATH && host === ctx.hostname()) return { kind: 'p2p' };
      // No /s5/registry/subscription since ac7661b: Alfred's 404 (PORTALS.md §2.7).
      return { kind: 'reply', reply: text(404, '404 not found') };
    },
    p2p: {
      // `wss://<domain>/s5/p2p` on a real portal; the devnode speaks plain ws and keeps its port.
      selfUris: () => [`ws://${ctx.authority()}${P2P_PATH}`],
      announcePeers: true,
      forwardUnknownQueries: variant.forwardsRegistryQueries,
      async locate(hash33, s) {
        const digestHex = storedDigestHex(hash33);
        if (!digestHex || (await s.blobs.size(digestHex)) === undefined) return undefined;
        return store.urlFor(hash33);
      },
    },
    start: async () => {
      await store.start();
    },
    stop: () => store.stop(),
  };
}
