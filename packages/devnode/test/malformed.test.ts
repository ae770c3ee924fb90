import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { registryEntryToJson } from '@s5chat/s5';
import type { Devnode } from '../src/index.js';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed, uploadRaw } from './helpers.js';

const bed = new TestBed();
let node: Devnode;
let token: string;
beforeAll(async () => {
  node = await bed.node({ maxBlobBytes: 64 * 1024 });
  token = await register(node.url);
});
afterAll(() => bed.cleanup());

/** After every bad request the node must still serve a normal write + read. */
async function stillServing(): Promise<void> {
  const kp = randomKeyPair();
  expect((await postEntry(node.url, token, entry(kp, 1))).status).toBe(204);
  expect((await getEntry(node.url, kp.publicKey)).status).toBe(200);
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${node.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
}

/** Send raw bytes over TCP and return what comes back before the server closes (or 1 s passes). */
function rawHttp(payload: string | Buffer): Promise<string> {
  const { port } = new URL(node.url);
  return new Promise((resolve) => {
    const sock = connect(Number(port), '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d.toString('latin1')));
    sock.on('error', () => resolve(out));
    sock.on('close', () => resolve(out));
    sock.setTimeout(1000, () => sock.destroy());
    sock.write(payload);
  });
}

describe('malformed HTTP → 4xx JSON, node keeps serving', () => {
  const json = { 'content-type': 'application/json' };

  it.each([
    ['not JSON', '{"pk": '],
    ['JSON but not an object', '"hello"'],
    ['null', 'null'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['empty body', ''],
  ])('registry POST with %s → 400', async (_, body) => {
    const res = await post('/s5/registry', body as BodyInit, json);
    expect(res.status).toBe(400);
    expect(await res.json()).toHaveProperty('error');
    await stillServing();
  });

  it('fuzz: 300 arbitrary JSON bodies on registry POST and POST /admin/registry → 4xx, never 5xx', { timeout: 60_000 }, async () => {
    const good = registryEntryToJson(entry(randomKeyPair(), 1));
    const body = fc.oneof(
      fc.jsonValue(),
      // Near-misses: a valid entry with one field replaced by anything.
      fc.record({ field: fc.constantFrom('pk', 'revision', 'data', 'signature'), value: fc.jsonValue() }).map(({ field, value }) => ({ ...good, [field]: value })),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const text = JSON.stringify(b) ?? 'null';
        const reg = await post('/s5/registry', text, json);
        const adm = await fetch(`${node.url}/admin/registry`, { method: 'POST', headers: json, body: text });
        // A near-miss may happen to still be a valid entry (e.g. same value put back): then 204/500-too-low is right.
        const regOk = reg.status === 400 || reg.status === 204 || (reg.status === 500 && (await reg.text()) === 'Revision number too low');
        return regOk && (adm.status === 400 || adm.status === 204);
      }),
      { numRuns: 300 },
    );
    await stillServing();
  });

  it('fuzz: 300 arbitrary ids, keys and query strings on the GET routes → never 5xx', { timeout: 60_000 }, async () => {
    const junk = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String(), fc.stringMatching(/^[zbuf][A-Za-z0-9%._-]{0,80}$/));
    await fc.assert(
      fc.asyncProperty(junk, fc.constantFrom('/s5/blob/', '/s5/registry?pk=', '/s5/account/register?pubKey=', '/s5/account/login?pubKey='), async (j, prefix) => {
        const path = prefix + (prefix.endsWith('/') ? encodeURIComponent(j) || 'x' : encodeURIComponent(j));
        const res = await fetch(node.url + path);
        await res.arrayBuffer();
        return res.status < 500;
      }),
      { numRuns: 300 },
    );
    await stillServing();
  });

  it('bad base64url in each field → 400 naming the field', async () => {
    const good = registryEntryToJson(entry(randomKeyPair(), 1));
    for (const field of ['pk', 'data', 'signature'] as const) {
      const res = await post('/s5/registry', JSON.stringify({ ...good, [field]: 'a+b/c==' }), json);
      expect(res.status, field).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(field);
    }
    await stillServing();
  });

  it('wrong content types → 415 JSON', async () => {
    const body = JSON.stringify(registryEntryToJson(entry(randomKeyPair(), 1)));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
      const res = await post('/s5/registry', body, { 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(await res.json()).toHaveProperty('error');
    }
    const login = await fetch(`${node.url}/s5/account/login`, { method: 'POST', headers: { 'content-type': 'text/html' }, body: '<p>' });
    expect(login.status).toBe(415);
    await stillServing();
  });

  it('multipart without a boundary or without a "file" part → 400', async () => {
    const noBoundary = await post('/s5/upload', 'garbage', { 'content-type': 'multipart/form-data' });
    expect(noBoundary.status).toBe(400);
    const form = new FormData();
    form.append('notfile', 'x');
    const noFile = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(noFile.status).toBe(400);
    const truncated = await post('/s5/upload', '--abc\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nhalf', {
      'content-type': 'multipart/form-data; boundary=abc',
    });
    expect(truncated.status).toBe(400);
    expect(node.stats().blobs.count).toBe(0);
    await stillServing();
  });

  it('huge bodies → 413 on every JSON route and on upload; nothing is stored', async () => {
    const huge = new Uint8Array(randomBytes(1024 * 1024));
    expect((await post('/s5/registry', huge, json)).status).toBe(413);
    expect((await fetch(`${node.url}/admin/faults`, { method: 'POST', headers: json, body: huge })).status).toBe(413);
    expect((await uploadRaw(node.url, token, huge)).status).toBe(413);
    expect(node.stats().blobs.count).toBe(0);
    await stillServing();
  });

  it('unknown routes → 404 JSON, wrong methods → 405 JSON with Allow', async () => {
    const nf = await fetch(`${node.url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toHaveProperty('error');
    const na = await fetch(`${node.url}/s5/upload`);
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toBe('POST');
    await stillServing();
  });

  it('garbage on the socket gets a 400 and the node keeps serving', async () => {
    expect(await rawHttp('THIS IS NOT HTTP\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await rawHttp(Buffer.from(randomBytes(2000)))).toMatch(/^(HTTP\/1\.1 400|)/);
    expect(await rawHttp('GET /s5/registry?pk=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    // A body that never completes: no reply, the socket times out, nothing is stored.
    expect(await rawHttp(`POST /s5/registry HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"pk"`)).toBe('');
    await stillServing();
  });

  it('an abandoned upload (client disconnects mid-body) stores nothing', async () => {
    const { port } = new URL(node.url);
    await new Promise<void>((resolve) => {
      const sock = connect(Number(port), '127.0.0.1', () => {
        sock.write(`POST /s5/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 50000\r\n\r\n`);
        sock.write(Buffer.alloc(1000, 1));
        setTimeout(() => {
          sock.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(node.stats().blobs.count).toBe(0);
    await stillServing();
  });
});

describe('CORS', () => {
  it('answers preflight for any origin and exposes x-s5-current-revision', async () => {
    const res = await fetch(`${node.url}/s5/registry`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3006', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('authorization,content-type');
  });

  it('every response (success, rejection, error, 404, injected fault) carries the CORS headers', async () => {
    const kp = randomKeyPair();
    const responses = [
      await postEntry(node.url, token, entry(kp, 1)),
      await postEntry(node.url, token, entry(kp, 1)),
      await post('/s5/registry', '{', { 'content-type': 'application/json' }),
      await fetch(`${node.url}/nope`),
      await fetch(`${node.url}/admin/stats`),
    ];
    node.setFaults({ errorRate: 1 });
    responses.push(await getEntry(node.url, kp.publicKey));
    node.setFaults({ errorRate: 0 });
    for (const r of responses) {
      expect(r.headers.get('access-control-allow-origin'), String(r.status)).toBe('*');
      expect(r.headers.get('access-control-expose-headers')).toBe('x-s5-current-revision');
    }
    expect(responses.map((r) => r.status)).toEqual([204, 500, 400, 404, 200, 503]);
  });

  it('corsOrigin restricts the allowed origin', async () => {
    const n = await bed.node({ corsOrigin: 'http://localhost:3006' });
    const res = await fetch(`${n.url}/s5/registry`, { method: 'OPTIONS' });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3006');
  });
});
