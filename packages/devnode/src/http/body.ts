import type { IncomingMessage } from 'node:http';
import { badRequest, tooLarge, unsupportedMediaType } from '../errors.js';

/**
 * Buffer a request body up to `limit` bytes. Over the limit → 413; the rest of the body is drained
 * (not buffered) so the client can still read the response instead of hitting a reset.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(`body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(tooLarge(`body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(new Uint8Array(Buffer.concat(chunks)));
    });
    req.on('error', (err) => reject(badRequest('request body could not be read', err)));
  });
}

/** Media type without parameters, lower-case; '' when absent. */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * Read a JSON body. The Content-Type must be `application/json` (or `+json`) or absent; anything else
 * is a 415 so a client that sends the wrong type learns it instead of getting a confusing parse error.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = mediaType(req);
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    req.resume();
    throw unsupportedMediaType(`Content-Type must be application/json, got ${type}`);
  }
  const bytes = await readBody(req, limit);
  let textBody: string;
  try {
    textBody = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw badRequest('body is not valid UTF-8', cause);
  }
  try {
    return JSON.parse(textBody);
  } catch (cause) {
    throw badRequest('body is not valid JSON', cause);
  }
}
