/**
 * Login through a same-origin proxy route, for browsers on cookie-only portals (Dart ≤ v0.14.1,
 * LumeWeb: the token arrives only as an HttpOnly Set-Cookie that `fetch` cannot read, and LumeWeb's
 * account routes send no CORS headers at all). The browser keeps its key: it asks the route for the
 * portal's challenge, signs it here, and the route forwards the signed response to the portal
 * server-side and hands back `{ authToken }` read from the reply (PORTALS.md §3 item 12 (b)).
 *
 * Route protocol (implemented by the harness at `/api/portal-login`):
 * - `GET  <proxy>?flow=login|register&pubKey=<b64url>` → the portal's challenge answer, status and body as is;
 * - `POST <proxy>?flow=login|register` with the JSON login body → `200 {"authToken"}`, or the
 *   portal's failure status and text as is (so the same classification applies).
 */
import { ValidationError } from '../errors.js';
import type { S5Identity } from '../identity.js';
import { createTransientPolicy } from '../resilience/transient-policy.js';
import { exchange, type FetchLike } from './http.js';
import { runAccountLogin, type LoginTransport } from './login.js';

export interface ProxiedLoginOptions {
  /** The login route, absolute or relative to the page (e.g. `/api/portal-login`). */
  proxyUrl: string;
  /** The portal the route logs in to: its host selects the account key and is signed into the response. */
  portalUrl: string;
  identity: S5Identity;
  fetch?: FetchLike;
  /** Sent to the route as `Authorization: Bearer` on register (the route may also hold its own). */
  inviteCode?: string;
  accountSeed?: Uint8Array;
  label?: string;
  registerFirst?: boolean;
  /** Per exchange (default 30 000 ms). */
  timeoutMs?: number;
}

/** A `tokenProvider` for PortalClient / createSdk that logs in through the proxy route. */
export function proxiedLogin(opts: ProxiedLoginOptions): () => Promise<string> {
  const issues: { path: string; message: string }[] = [];
  let proxy: URL | undefined;
  let portal: URL | undefined;
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    proxy = new URL(opts?.proxyUrl, base);
  } catch {
    issues.push({ path: 'proxyUrl', message: 'not a valid URL (relative URLs need a page location)' });
  }
  try {
    portal = new URL(opts?.portalUrl);
  } catch {
    issues.push({ path: 'portalUrl', message: 'not a valid URL' });
  }
  if (!opts?.identity || typeof opts.identity.portalAccountKeyPair !== 'function') issues.push({ path: 'identity', message: 'expected an S5Identity' });
  const fetchImpl = opts?.fetch ?? (globalThis.fetch as FetchLike | undefined)?.bind(globalThis);
  if (!fetchImpl) issues.push({ path: 'fetch', message: 'no fetch implementation available' });
  if (issues.length) throw new ValidationError(issues);

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const policy = createTransientPolicy({ maxRetries: 2 });
  const url = (flow: string, pubKey?: string) => {
    const u = new URL(proxy!);
    u.searchParams.set('flow', flow);
    if (pubKey !== undefined) u.searchParams.set('pubKey', pubKey);
    return u.toString();
  };
  const send = (target: string, init: RequestInit, signal: AbortSignal) =>
    exchange(fetchImpl!, target, { credentials: 'same-origin', ...init }, { timeoutMs, signal, maxBytes: 64 * 1024 });
  const transport: LoginTransport = {
    challenge: (flow, pubKey, headers, signal) => send(url(flow, pubKey), { method: 'GET', headers }, signal),
    respond: (flow, body, headers, signal) => send(url(flow), { method: 'POST', headers, body }, signal),
  };
  return async () => {
    const outcome = await runAccountLogin({
      transport,
      keyPair: opts.identity.portalAccountKeyPair(portal!.host, opts.accountSeed),
      host: portal!.host,
      label: opts.label ?? 's5chat',
      // sent as Bearer on both register requests; the route adds the server's own code when there is none
      inviteCode: opts.inviteCode,
      registerFirst: opts.registerFirst,
      retrying: (op) => policy.execute(({ signal }) => op(signal)),
      fallbackKeyPair: () => opts.identity.portalAccountKeyPair(portal!.host, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    });
    return outcome.token;
  };
}
