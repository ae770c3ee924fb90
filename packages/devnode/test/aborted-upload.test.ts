import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readBody } from '../src/http/body.js';
import { readMultipartFile } from '../src/http/multipart.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/**
 * A client that vanishes mid-upload must not leave the body reader pending forever: a pending
 * reader keeps every chunk it buffered (up to maxBlobBytes per request) alive for the process lifetime.
 */
async function settlesAfterClientVanishes(read: (req: import('node:http').IncomingMessage) => Promise<Uint8Array>, contentType: string) {
  let settled: Promise<string> | undefined;
  server = createServer((req, res) => {
    settled = read(req).then(
      () => 'resolved',
      (e: unknown) => `rejected:${(e as { code?: string }).code ?? String(e)}`,
    );
    void settled.then(() => res.destroy());
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  const s = connect(port, '127.0.0.1');
  await new Promise((r) => s.once('connect', r));
  s.write(
    `POST /s5/upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${contentType}\r\nContent-Length: 100000\r\n\r\n` +
      '--XX\r\nContent-Disposition: form-data; name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n' +
      'x'.repeat(5000),
  );
  while (!settled) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  s.destroy();
  const outcome = await Promise.race([settled, new Promise<string>((r) => setTimeout(() => r('pending'), 2000))]);
  return outcome;
}

describe('body readers settle when the client disconnects mid-body (real sockets)', () => {
  it('multipart upload', async () => {
    const outcome = await settlesAfterClientVanishes((req) => readMultipartFile(req, 16 * 1024 * 1024), 'multipart/form-data; boundary=XX');
    expect(outcome).toMatch(/^rejected:/);
  });
  it('raw upload', async () => {
    const outcome = await settlesAfterClientVanishes((req) => readBody(req, 16 * 1024 * 1024), 'application/octet-stream');
    expect(outcome).toMatch(/^rejected:/);
  });
});
