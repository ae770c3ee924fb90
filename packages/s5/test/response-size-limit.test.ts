import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BlobId,
  Ed25519KeyPair,
  PortalClient,
  ResponseTooLargeError,
  S5Identity,
  ValidationError,
  generateSeedPhrase,
  type FetchLike,
} from '../src/index.js';

/**
 * A hostile portal on 127.0.0.1 that answers every request with an oversized body. Chunked routes
 * send no Content-Length, so only an incremental read can notice; the stream is bounded (so the
 * test always ends) but far above the client limits used here.
 */
const CHUNK = new Uint8Array(64 * 1024).fill(0x61);
const MAX_CHUNKS = 160; // 10 MiB at most per response
let server: Server;
let url: string;
const hits: Record<string, number> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const route = (req.url ?? '').split('?')[0]!.replace(/^\/s5\/blob\/.*/, '/s5/blob');
    hits[route] = (hits[route] ?? 0) + 1;
    if (route === '/declared') {
      res.writeHead(200, { 'content-length': String(8 * 1024 * 1024) });
      res.write(CHUNK);
      res.on('close', () => res.destroy());
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const pump = () => {
      while (sent < MAX_CHUNKS && !res.destroyed) {
        sent++;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(extra: { maxResponseBytes?: number; fetch?: FetchLike } = {}): PortalClient {
  return new PortalClient({
    portalUrl: url,
    identity: S5Identity.fromSeedPhrase(generateSeedPhrase()),
    timeoutMs: 10_000,
    ...extra,
  });
}

describe('PortalClient response size limit', () => {
  it('a streamed blob body over maxResponseBytes fails with RESPONSE_TOO_LARGE and is not retried', async () => {
    hits['/s5/blob'] = 0;
    const c = client({ maxResponseBytes: 1024 * 1024 });
    const id = BlobId.fromBytes(new Uint8Array([1, 2, 3]));
    const error = await c.downloadBlob(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).code).toBe('RESPONSE_TOO_LARGE');
    expect((error as ResponseTooLargeError).maxBytes).toBe(1024 * 1024);
    expect(hits['/s5/blob']).toBe(1);
    expect(c.stats().requests).toBe(1);
    expect(c.stats().retries).toBe(0);
  });

  it('registry replies are capped at 1 MiB even with the default (64 MiB) blob limit', async () => {
    hits['/s5/registry'] = 0;
    const c = client();
    const pk = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(7)).publicKey;
    const error = await c.registryGet(pk).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).code).toBe('RESPONSE_TOO_LARGE');
    expect((error as ResponseTooLargeError).maxBytes).toBe(1024 * 1024);
    expect(hits['/s5/registry']).toBe(1);
    expect(c.stats().retries).toBe(0);
  });

  it('a declared Content-Length over the limit fails before the body is read (no-stream fallback too)', async () => {
    hits['/declared'] = 0;
    // Platforms without res.body: the client must check Content-Length, then the buffered size.
    let bodyRead = false;
    const noStreamFetch: FetchLike = async (input, init) => {
      const real = await fetch(input.replace(/\/s5\/blob\/.*/, '/declared'), init);
      return {
        status: real.status,
        headers: real.headers,
        body: null,
        arrayBuffer: () => {
          bodyRead = true;
          return real.arrayBuffer();
        },
      } as unknown as Response;
    };
    const c = client({ maxResponseBytes: 1024 * 1024, fetch: noStreamFetch });
    const error = await c.downloadBlob(BlobId.fromBytes(new Uint8Array([9]))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).code).toBe('RESPONSE_TOO_LARGE');
    expect(bodyRead).toBe(false);
    expect(hits['/declared']).toBe(1);
  });

  it('a body within the limit is still returned (limit is not off by one)', async () => {
    const payload = new Uint8Array(1000).fill(5);
    const fixedFetch: FetchLike = async () => new Response(payload, { status: 200 });
    const id = BlobId.fromBytes(payload);
    const exact = client({ maxResponseBytes: 1000, fetch: fixedFetch });
    expect(await exact.downloadBlob(id)).toEqual(payload);
    const tooSmall = client({ maxResponseBytes: 999, fetch: fixedFetch });
    await expect(tooSmall.downloadBlob(id)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('rejects a non-positive maxResponseBytes with a ValidationError', () => {
    expect(() => client({ maxResponseBytes: 0 })).toThrow(ValidationError);
  });
});
