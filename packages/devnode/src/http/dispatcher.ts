import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DevnodeError } from '../errors.js';
import { json, writeReply, type Reply } from './reply.js';
import type { Router } from './router.js';
import { CURRENT_REVISION_HEADER, type Services } from './routes.js';

export interface DispatchOptions {
  corsOrigin: string;
}

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

function corsHeaders(req: IncomingMessage, origin: string): Record<string, string> {
  const h: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, POST, HEAD, OPTIONS',
    'access-control-allow-headers': (req.headers['access-control-request-headers'] as string | undefined) ?? 'authorization, content-type',
    'access-control-expose-headers': CURRENT_REVISION_HEADER,
    'access-control-max-age': '600',
  };
  if (origin !== '*') {
    h['access-control-allow-credentials'] = 'true';
    h['vary'] = 'Origin';
  }
  return h;
}

function errorReply(err: unknown, log: (line: string) => void): Reply {
  if (err instanceof DevnodeError) return json(err.status, { error: err.message, code: err.code });
  log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return json(500, { error: 'internal error', code: 'INTERNAL' });
}

/**
 * Request pipeline: CORS → preflight → route → (faults) → handler → reply. Every failure becomes a
 * JSON error reply; nothing a client sends can take the process down.
 */
export function createDispatcher(router: Router<Services>, services: Services, opts: DispatchOptions) {
  const { stats, faults, log } = services;

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    let outcome = '';
    res.on('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : outcome || 'ABORTED';
      // Tokens may travel in the query string (?auth_token=); keep them out of the log.
      const shownUrl = (req.url ?? '').replace(/([?&]auth_token=)[^&]*/g, '$1…');
      log(`${req.method} ${shownUrl} ${status} ${(performance.now() - started).toFixed(1)}ms`);
    });
    for (const [k, v] of Object.entries(corsHeaders(req, opts.corsOrigin))) res.setHeader(k, v);
    const headOnly = req.method === 'HEAD';
    if (req.method === 'OPTIONS') {
      writeReply(res, { status: 204 }, false);
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://devnode.invalid');
    } catch {
      writeReply(res, json(400, { error: 'malformed request URL', code: 'BAD_REQUEST' }), headOnly);
      return;
    }
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match.kind === 'not-found') {
      stats.request('unknown');
      writeReply(res, json(404, { error: `no route for ${url.pathname}`, code: 'NOT_FOUND' }), headOnly);
      return;
    }
    if (match.kind === 'method-not-allowed') {
      stats.request('unknown');
      writeReply(
        res,
        json(405, { error: `${req.method} not allowed; use ${match.allowed.join(', ')}`, code: 'METHOD_NOT_ALLOWED' }, { allow: match.allowed.join(', ') }),
        headOnly,
      );
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
          outcome = 'RESET(before)';
          req.socket.destroy();
          return;
        }
        resetAfterHandling = true;
      }
      if (!resetAfterHandling && faults.roll(cfg.errorRate)) {
        stats.counters.faults.errors++;
        req.resume();
        writeReply(res, json(503, { error: 'Injected fault: service unavailable', code: 'INJECTED_FAULT' }), headOnly);
        return;
      }
    }

    let reply: Reply;
    try {
      reply = await route.handle({ req, url, params, services });
    } catch (err) {
      reply = errorReply(err, log);
    }
    if (resetAfterHandling) {
      outcome = `RESET(after ${reply.status})`;
      req.socket.destroy();
      return;
    }
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
