/**
 * Same-origin login proxy for cookie-only S5 portals (Dart ≤ v0.14.1, LumeWeb). Those portals hand
 * the auth token only as an HttpOnly `Set-Cookie`, which the page's `fetch` cannot read, and
 * LumeWeb's account routes send no CORS headers. The browser keeps its own key and signs the
 * challenge itself (`proxiedLogin` in @s5chat/s5); this route only forwards the two exchanges to
 * the configured portal server-side and returns the token it reads from the portal's reply.
 *
 *   GET  /api/portal-login?flow=login|register&pubKey=<b64url>  → the portal's challenge answer, as is
 *   POST /api/portal-login?flow=login|register  (JSON body)     → 200 {"authToken"} or the portal's failure, as is
 *
 * The portal is the server's configured one (S5CHAT_PORTAL_URL), never a URL from the request, so
 * the route cannot be used to reach other hosts. Register requests carry the browser's
 * `Authorization` (an invite code) or else the server's S5CHAT_INVITE_CODE.
 */
import { readServerConfig } from '../../../lib/config';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const FLOWS = new Set(['login', 'register']);
const PUBKEY = /^[A-Za-z0-9_-]{40,60}$/;
const MAX_BODY_BYTES = 4096;
const TIMEOUT_MS = 30_000;

function fail(status: number, error: string): Response {
  return Response.json({ error }, { status, headers: { 'cache-control': 'no-store' } });
}

/** Browsers send Origin on cross-origin requests: only the page's own origin may use the route. */
function foreignOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  try {
    return new URL(origin).host !== (req.headers.get('host') ?? new URL(req.url).host);
  } catch {
    return true;
  }
}

function portalHeaders(req: Request, flow: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers: Record<string, string> = { ...extra };
  if (flow === 'register') {
    const fromBrowser = req.headers.get('authorization');
    const invite = readServerConfig().inviteCode;
    if (fromBrowser && /^Bearer \S+$/.test(fromBrowser)) headers.authorization = fromBrowser;
    else if (invite) headers.authorization = `Bearer ${invite}`;
  }
  return headers;
}

async function passThrough(upstream: Response): Promise<Response> {
  const body = await upstream.text();
  return new Response(body, {
    status: upstream.status,
    headers: { 'content-type': upstream.headers.get('content-type') ?? 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
}

function tokenFrom(upstream: Response, body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { authToken?: unknown };
    if (typeof json?.authToken === 'string' && json.authToken) return json.authToken;
  } catch {
    /* cookie-only reply: empty body */
  }
  for (const cookie of upstream.headers.getSetCookie()) {
    const m = /^\s*s5-auth-token=([^;\s]+)/.exec(cookie);
    if (m) return m[1];
  }
  return undefined;
}

async function forward(req: Request, method: 'GET' | 'POST'): Promise<Response> {
  if (foreignOrigin(req)) return fail(403, 'cross-origin use of the login proxy is not allowed');
  const url = new URL(req.url);
  const flow = url.searchParams.get('flow') ?? '';
  if (!FLOWS.has(flow)) return fail(400, 'flow must be login or register');
  const target = new URL(`${readServerConfig().portalUrl}/s5/account/${flow}`);
  const init: RequestInit = { method, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) };
  if (method === 'GET') {
    const pubKey = url.searchParams.get('pubKey') ?? '';
    if (!PUBKEY.test(pubKey)) return fail(400, 'pubKey must be the base64url account key');
    target.searchParams.set('pubKey', pubKey);
    init.headers = portalHeaders(req, flow);
  } else {
    const body = await req.text();
    if (body.length > MAX_BODY_BYTES) return fail(413, 'login body too large');
    try {
      JSON.parse(body);
    } catch {
      return fail(400, 'body must be JSON {pubKey, response, signature, label}');
    }
    init.body = body;
    init.headers = portalHeaders(req, flow, { 'content-type': 'application/json' });
  }
  let upstream: Response;
  try {
    upstream = await fetch(target, init);
  } catch (error) {
    return fail(502, `portal unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (method === 'GET' || upstream.status < 200 || upstream.status >= 300) return passThrough(upstream);
  const token = tokenFrom(upstream, await upstream.text());
  if (!token) return fail(502, 'portal accepted the login but sent no token');
  return Response.json({ authToken: token }, { headers: { 'cache-control': 'no-store' } });
}

export function GET(req: Request): Promise<Response> {
  return forward(req, 'GET');
}

export function POST(req: Request): Promise<Response> {
  return forward(req, 'POST');
}
