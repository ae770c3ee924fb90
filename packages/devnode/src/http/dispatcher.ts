import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PortalProfile } from '../profiles/profile.js';
import type { Services } from '../services.js';
import { devnodeCorsHeaders, jsonErrorReply } from './json-errors.js';
import { empty, json, writeReply, type Reply } from './reply.js';
import { RequestSlots } from './slots.js';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** Host names a loopback client legitimately uses (URL.hostname form: IPv6 in brackets). */
function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '[::1]' || isLoopback(h);
}

/**
 * Admin routes serve loopback *clients*, but a browser on this machine is a loopback client for any
 * web page it shows: a foreign page can send a CORS "simple" POST (no preflight; a Blob body has no
 * Content-Type, which readJson accepts) and a DNS-rebound page reaches us under its own Host name.
 * So an admin request must also name a loopback Host and, when a browser sends an Origin, a loopback
 * origin (the harness on another localhost port still works; curl and Node send no Origin).
 */
export function isLoopbackBrowserContext(req: IncomingMessage): boolean {
  const host = req.headers.host;
  if (host !== undefined) {
    try {
      if (!isLoopbackHostname(new URL(`http://${host}`).hostname)) return false;
    } catch {
      return false;
    }
  }
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return isLoopbackHostname(new URL(origin).hostname);
  } catch {
    return false; // includes the opaque origin "null" (sandboxed iframes, file: pages)
  }
}

const ADMIN_PREFIX = '/admin/';

/**
 * Request pipeline: profile headers (CORS) → preflight → profile host rules → request slot →
 * route → (faults) → handler → reply. Profile-specific behaviour comes only from `profile`; the fault
 * knobs are applied here, identically on every profile. Nothing a client sends can take the process down.
 */
export function createDispatcher(profile: PortalProfile, services: Services, opts: { corsOrigin: string }) {
  const { stats, faults, log } = services;
  const router = profile.router;
  const slots = profile.maxInFlight ? new RequestSlots(profile.maxInFlight) : undefined;

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let outcome = '';
    res.on('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : outcome || 'ABORTED';
      // Tokens may travel in the query string (?auth_token=); keep them out of the log.
      const shownUrl = (req.url ?? '').replace(/([?&]auth_token=)[^&]*/g, '$1…');
      log(`${req.method} ${shownUrl} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    });
    const headOnly = req.method === 'HEAD';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://devnode.invalid');
    } catch {
      writeReply(res, json(400, { error: 'malformed request URL', code: 'BAD_REQUEST' }), headOnly);
      return;
    }
    // Admin routes are the devnode's own test controls, not part of any portal: no portal rules apply.
    const isAdmin = url.pathname.startsWith(ADMIN_PREFIX);
    const common = isAdmin ? devnodeCorsHeaders(req, opts.corsOrigin) : profile.commonHeaders(req);
    for (const [k, v] of Object.entries(common)) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      req.resume();
      writeReply(res, isAdmin ? empty(204) : profile.preflight(req), false);
      return;
    }
    if (!isAdmin && profile.beforeRouting) {
      const early = await profile.beforeRouting(req).catch((err: unknown) => profile.errorReply(err, log));
      if (early) {
        req.resume();
        writeReply(res, early, headOnly);
        return;
      }
    }
    const release = slots && !isAdmin ? await slots.acquire() : undefined;
    try {
      await handle(req, res, url, headOnly, (o) => (outcome = o));
    } finally {
      release?.();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, headOnly: boolean, setOutcome: (o: string) => void): Promise<void> {
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match.kind !== 'route') {
      stats.request('unknown');
      req.resume();
      writeReply(res, profile.notFound(req, url, match.kind === 'method-not-allowed' ? match.allowed : []), headOnly);
      return;
    }
    const { route, params } = match;
    stats.request(`${req.method} ${route.pattern}`);
    if (route.adminOnly && !(isLoopback(req.socket.remoteAddress) && isLoopbackBrowserContext(req))) {
      req.resume();
      writeReply(res, json(403, { error: 'admin routes answer loopback clients only', code: 'FORBIDDEN' }), headOnly);
      return;
    }

    let resetAfterHandling = false;
    if (route.faultable) {
      const delay = faults.delayMs();
      if (delay > 0) await sleep(delay);
      const cfg = faults.config;
      if (faults.roll(cfg.resetRate)) {
        stats.counters.faults.resets++;
        if (faults.coin()) {
          setOutcome('RESET(before)');
          req.socket.destroy();
          return;
        }
        resetAfterHandling = true;
      }
      if (!resetAfterHandling && faults.roll(cfg.errorRate)) {
        stats.counters.faults.errors++;
        req.resume();
        // An injected 503 stands for a proxy or load balancer in front of the portal, so it has
        // the same shape on every profile.
        writeReply(res, json(503, { error: 'Injected fault: service unavailable', code: 'INJECTED_FAULT' }), headOnly);
        return;
      }
    }

    let reply: Reply;
    try {
      reply = await route.handle({ req, url, params, services });
    } catch (err) {
      reply = route.adminOnly ? jsonErrorReply(err, log) : profile.errorReply(err, log);
    }
    if (resetAfterHandling) {
      setOutcome(`RESET(after ${reply.status})`);
      req.socket.destroy();
      return;
    }
    // A handler that did not read the body (an early auth rejection) must not leave it unread.
    if (!req.readableEnded) req.resume();
    writeReply(res, reply, headOnly);
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    dispatch(req, res).catch((err) => {
      // Last resort: the pipeline itself failed (should not happen); answer if we still can.
      log(`dispatch failure: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) writeReply(res, json(500, { error: 'internal error', code: 'INTERNAL' }), false);
      else res.destroy();
    });
  };
}

