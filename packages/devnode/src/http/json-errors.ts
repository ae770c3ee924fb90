import type { IncomingMessage } from 'node:http';
import { DevnodeError } from '../errors.js';
import { json, type Reply } from './reply.js';
import { CURRENT_REVISION_HEADER } from './routes.js';

/** JSON `{error, code}` for every failure: what the devnode profile and the admin routes answer. */
export function jsonErrorReply(err: unknown, log: (line: string) => void): Reply {
  if (err instanceof DevnodeError) return json(err.status, { error: err.message, code: err.code });
  log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return json(500, { error: 'internal error', code: 'INTERNAL' });
}

/** The devnode's own CORS: configurable origin, echoes requested headers (admin routes use it on every profile). */
export function devnodeCorsHeaders(req: IncomingMessage, origin: string): Record<string, string> {
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
