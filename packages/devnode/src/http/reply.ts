import type { ServerResponse } from 'node:http';

/** What a route handler returns; the dispatcher writes it (or, for an injected reset, drops it). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});

export const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body,
});

export const empty = (status: number, headers: Record<string, string> = {}): Reply => ({ status, headers });

export function writeReply(res: ServerResponse, reply: Reply, headOnly: boolean): void {
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  const headers: Record<string, string | number> = { ...reply.headers };
  if (body) headers['content-length'] = body.length;
  res.writeHead(reply.status, headers);
  res.end(headOnly || !body ? undefined : body);
}
