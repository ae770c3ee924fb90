import type { IncomingMessage } from 'node:http';
import { DevnodeError } from '../../errors.js';
import { jsonErrorReply } from '../../http/json-errors.js';
import { empty, text, type Reply } from '../../http/reply.js';
import { addAdminRoutes } from '../../http/routes.js';
import { Router, type RequestContext } from '../../http/router.js';
import type { Services } from '../../services.js';
import { blake3 } from '../../s5.js';
import { P2P_PATH, SUBSCRIPTION_PATH } from '../paths.js';
import type { PortalProfile, ProfileContext } from '../profile.js';
import { LumewebAccounts } from './accounts.js';
import { lumewebAuth, LumewebJwt } from './auth.js';
import { LumewebBlobs } from './blobs.js';
import { goErrorReply, GoHttpError } from './errors.js';
import { LumewebRegistry } from './registry.js';
import { LumewebTus } from './tus.js';

type Ctx = RequestContext<Services>;
type Handler = (c: Ctx) => Promise<Reply>;

/** rs/cors `defaultCors` on an actual request: origin reflected with credentials (LW api.go:2028-2035). */
function withCors(reply: Reply, req: IncomingMessage, expose?: string): Reply {
  const headers: Record<string, string> = { ...reply.headers, vary: 'Origin' };
  if (req.headers.origin) {
    headers['access-control-allow-origin'] = req.headers.origin;
    headers['access-control-allow-credentials'] = 'true';
    if (expose) headers['access-control-expose-headers'] = expose;
  }
  return { ...reply, headers };
}

/** tusd sets these expose headers itself on its responses. */
const TUS_CORS = 'Upload-Offset, Location, Upload-Length, Tus-Version, Tus-Resumable, Tus-Max-Size, Tus-Extension, Upload-Metadata';

const DEFAULT_PREFLIGHT = { methods: ['GET', 'POST', 'DELETE'], headers: ['authorization', 'content-type'] };
/** tusCors (api.go:2006-2027): the tus router answers its own preflights with a larger list. */
const TUS_PREFLIGHT = {
  methods: ['GET', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'],
  headers: ['authorization', 'expires', 'upload-concat', 'upload-length', 'upload-metadata', 'upload-offset', 'x-requested-with', 'tus-version', 'tus-resumable', 'tus-extension', 'tus-max-size', 'x-http-method-override', 'content-type'],
};

/** rs/cors preflight: allowed only for the router's methods and headers (default: GET/POST/DELETE, Authorization, Content-Type). */
function preflight(req: IncomingMessage): Reply {
  const headers: Record<string, string> = { vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
  const rules = (req.url ?? '').startsWith('/s5/upload/tus') ? TUS_PREFLIGHT : DEFAULT_PREFLIGHT;
  const origin = req.headers.origin;
  const method = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
  const asked = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const headersOk = asked.every((h) => rules.headers.includes(h));
  if (origin && rules.methods.includes(method) && headersOk) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
    headers['access-control-allow-methods'] = method;
    if (asked.length) headers['access-control-allow-headers'] = asked.join(', ');
  }
  return empty(204, headers);
}

/** nhooyr `websocket.Accept(w, r, nil)`: a browser Origin must name the request's Host, else 403. */
function crossOriginRefusal(req: IncomingMessage): Reply | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (originHost.toLowerCase() === String(req.headers.host ?? '').toLowerCase()) return undefined;
  return goErrorReply(403, `request Origin ${JSON.stringify(origin)} is not authorized for Host ${JSON.stringify(req.headers.host ?? '')}`);
}

/**
 * The LumeWeb Go portal's S5 plugin v0.1.1 (PORTALS.md §1–§2, LW column): open registration,
 * JWT cookie-only login, a token on `/s5/blob` and the registry, plain-text `http.Error` replies, CORS
 * only on the upload/download routers. Served on any Host (the real one mounts only on `s5.<domain>`).
 */
export function lumewebProfile(ctx: ProfileContext): PortalProfile {
  const jwtSeed = blake3(new Uint8Array([...ctx.nodeSeed, ...new TextEncoder().encode('lumeweb-jwt')]));
  const jwt = new LumewebJwt(jwtSeed, ctx.hostname(), ctx.timeScale);
  const accounts = new LumewebAccounts(jwt, () => ctx.hostname());
  const blobs = new LumewebBlobs();
  const registry = new LumewebRegistry();
  const tus = new LumewebTus();

  const r = new Router<Services>({ headFromGet: false });
  const route = (method: 'GET' | 'POST' | 'HEAD' | 'PATCH', pattern: string, handle: Handler) => r.add({ method, pattern, faultable: true, adminOnly: false, handle });
  const replyOf = (err: unknown): Reply => profile.errorReply(err, ctx.services.log);
  /** Router-level `authMw` (registry, account info). */
  const authed = (h: Handler): Handler => async (c) => {
    lumewebAuth(c.req, c.url, jwt);
    return h(c);
  };
  /** `uploadRouter.Use(authMw, defaultCors.Handler)`: a 401 there carries no CORS headers. */
  const authThenCors = (h: Handler): Handler => async (c) => {
    lumewebAuth(c.req, c.url, jwt);
    return withCors(await h(c).catch(replyOf), c.req);
  };
  /** `downloadRouter.Use(defaultCors.Handler)` then the route's own `authMw`: CORS on every answer. */
  const corsThen = (h: Handler, needsAuth: boolean, expose?: string): Handler => async (c) => {
    try {
      if (needsAuth) lumewebAuth(c.req, c.url, jwt);
      return withCors(await h(c), c.req, expose);
    } catch (err) {
      return withCors(replyOf(err), c.req, expose);
    }
  };

  route('GET', '/s5/version', async () => text(200, 'development'));
  for (const flow of ['register', 'login'] as const) {
    route('GET', `/s5/account/${flow}`, (c) => accounts.challenge(c, flow));
    route('POST', `/s5/account/${flow}`, (c) => accounts.respond(c, flow));
  }
  route('POST', '/s5/upload', authThenCors((c) => blobs.upload(c, c.services)));
  // `tusRouter.Use(tusCors.Handler, authMw, …)`: CORS first, so a 401 there carries CORS headers.
  route('POST', '/s5/upload/tus', corsThen((c) => tus.create(c, c.services), true, TUS_CORS));
  route('HEAD', '/s5/upload/tus/:id', corsThen((c) => tus.head(c), true, TUS_CORS));
  route('PATCH', '/s5/upload/tus/:id', corsThen((c) => tus.patch(c, c.services), true, TUS_CORS));
  route('GET', '/s5/blob/:cid', corsThen((c) => blobs.blob(c, c.services), true));
  route('GET', '/s5/download/:cid', corsThen((c) => blobs.download(c, c.services), false));
  route('GET', '/s5/registry', authed((c) => registry.get(c)));
  route('POST', '/s5/registry', authed((c) => registry.post(c)));
  addAdminRoutes(r);

  const profile: PortalProfile = {
    name: 'lumeweb',
    router: r,
    commonHeaders: () => ({}),
    preflight,
    // gorilla/mux: unknown path → `404 page not found`; known path, other method → 405 empty.
    notFound: (_req, _url, allowed) => (allowed.length ? empty(405) : goErrorReply(404, '404 page not found')),
    errorReply(err, log) {
      if (err instanceof GoHttpError) return goErrorReply(err.status, err.message);
      if (err instanceof DevnodeError) return jsonErrorReply(err, log);
      // A Go panic is caught by the recovery handler: 500, empty body (LP service/http.go:73).
      log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      return empty(500);
    },
    upgrade(req, pathname) {
      if (pathname === P2P_PATH) {
        const refused = crossOriginRefusal(req);
        return refused ? { kind: 'reply', reply: refused } : { kind: 'p2p' };
      }
      if (pathname === SUBSCRIPTION_PATH) {
        try {
          lumewebAuth(req, new URL(req.url ?? '/', 'http://devnode.invalid'), jwt);
        } catch (err) {
          return { kind: 'reply', reply: replyOf(err) };
        }
        const refused = crossOriginRefusal(req);
        return refused ? { kind: 'reply', reply: refused } : { kind: 'subscription' };
      }
      return { kind: 'reply', reply: goErrorReply(404, '404 page not found') };
    },
    subscription: {
      // msgpack.Marshal of a struct with only unexported fields: an empty map (PORTALS.md §2.7, [unconfirmed]).
      encode: () => Uint8Array.of(0x80),
      initialPush: false,
    },
    p2p: {
      selfUris: () => [],
      announcePeers: false,
      // Not analysed beyond the route in PORTALS.md: answer hash queries for stored digests with the download URL.
      async locate(hash33, services) {
        if (hash33[0] !== 0x1e && hash33[0] !== 0x1f) return undefined;
        const hex = Buffer.from(hash33.subarray(1)).toString('hex');
        if ((await services.blobs.size(hex)) === undefined) return undefined;
        return `http://${ctx.authority()}/s5/download/${Buffer.from(hash33).toString('base64url')}`;
      },
    },
  };
  return profile;
}
