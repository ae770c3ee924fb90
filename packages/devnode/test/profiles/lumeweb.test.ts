import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobId, blake3, encodeMultibase, fromBase64Url, toBase64Url } from '@s5chat/s5';
import type { Devnode } from '../../src/index.js';
import { entry, getEntry, postEntry, randomKeyPair, TestBed } from '../helpers.js';
import { cookieToken, flow, getChallenge, postResponse, registerToken } from '../fixtures/dart-client.js';
import { refusedUpgrade } from '../fixtures/p2p-client.js';

const TIME_SCALE = 0.005;
const bed = new TestBed();
let node: Devnode;
let token: string;
beforeAll(async () => {
  node = await bed.node({ profile: 'lumeweb', timeScale: TIME_SCALE });
  token = await registerToken(node.url, randomKeyPair());
});
afterAll(() => bed.cleanup());

const bearer = () => ({ authorization: `Bearer ${token}` });
const upload = (bytes: Uint8Array, headers: Record<string, string> = {}) =>
  fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { ...bearer(), 'content-type': 'application/octet-stream', ...headers }, body: new Uint8Array(bytes) });

describe('lumeweb profile (PORTALS.md §2, LumeWeb column)', () => {
  it('GET /s5/version is plain text "development"; unknown routes 404 "404 page not found\\n"', async () => {
    expect(await (await fetch(`${node.url}/s5/version`)).text()).toBe('development');
    const res = await fetch(`${node.url}/s5/nothing`);
    expect([res.status, await res.text()]).toEqual([404, '404 page not found\n']);
  });

  it('open registration; cookie-only JWT login (24 h, empty body); label ignored', async () => {
    const kp = randomKeyPair();
    const reg = await flow(node.url, kp, 'register', { label: null });
    expect([reg.status, await reg.text()]).toEqual([200, '']);
    const cookie = reg.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^s5-auth-token=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Domain=127\.0\.0\.1; Max-Age=86400; HttpOnly; Secure$/);
    const claims = JSON.parse(Buffer.from(cookieToken(reg)!.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(Math.round(86400 * TIME_SCALE));
    const login = await flow(node.url, kp, 'login');
    expect([login.status, await login.text()]).toEqual([200, '']);
    expect(cookieToken(login)).toBeDefined();
    // No CORS headers on account responses: browsers cannot read them cross-origin.
    const get = await fetch(`${node.url}/s5/account/login?pubKey=${toBase64Url(kp.publicKey)}`, { headers: { origin: 'https://app.example' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    expect(await get.text()).toMatch(/^\{\n\t"challenge": "[\w-]+"\n\}\n$/);
  });

  it('login GET for an unknown key is 404 "…: public key does not exist"; re-register is 409', async () => {
    const res = await getChallenge(node.url, randomKeyPair(), 'login');
    expect([res.status, await res.text()]).toEqual([404, 'The specified resource was not found.: public key does not exist\n']);
    const kp = randomKeyPair();
    await registerToken(node.url, kp);
    const again = await flow(node.url, kp, 'register');
    expect([again.status, await again.text()]).toEqual([409, 'The operation exceeded the resource limit.: email already exists\n']);
  });

  it('the oldest challenge row wins and stays until a POST succeeds with it (a newer challenge fails)', async () => {
    const kp = randomKeyPair();
    await registerToken(node.url, kp);
    const c1 = fromBase64Url(((await (await getChallenge(node.url, kp, 'login')).json()) as { challenge: string }).challenge);
    const c2 = fromBase64Url(((await (await getChallenge(node.url, kp, 'login')).json()) as { challenge: string }).challenge);
    const newer = await postResponse(node.url, kp, 'login', c2);
    expect([newer.status, await newer.text()]).toEqual([400, 'Data integrity check failed.\n']);
    expect((await postResponse(node.url, kp, 'login', c1)).status).toBe(200); // oldest row, now deleted
    expect((await postResponse(node.url, kp, 'login', c2)).status).toBe(200); // c2 is the oldest now
    const none = await postResponse(node.url, kp, 'login', c2);
    expect([none.status, await none.text()]).toEqual([404, 'The specified resource was not found.: record not found\n']);
    const badSig = await flow(node.url, kp, 'login', { signWith: randomKeyPair() });
    expect([badSig.status, await badSig.text()]).toEqual([401, 'Authorization failed or insufficient permissions.\n']);
  });

  it('token required on upload, /s5/blob and the registry (401 "Invalid JWT"); /s5/download needs none', async () => {
    const kp = randomKeyPair();
    for (const [method, path] of [['POST', '/s5/upload'], ['GET', `/s5/blob/z${'2'.repeat(40)}`], ['GET', `/s5/registry?pk=${toBase64Url(kp.publicKey)}`], ['POST', '/s5/registry']] as const) {
      const res = await fetch(`${node.url}${path}`, { method, ...(method === 'POST' && { body: '{}' }) });
      expect([res.status, await res.text()], path).toEqual([401, 'Invalid JWT\n']);
    }
    const bytes = new Uint8Array(Buffer.from('lumeweb blob'));
    const up = await upload(bytes);
    expect(up.status).toBe(200);
    const { cid } = JSON.parse(await up.text()) as { cid: string };
    expect(cid).toBe(encodeMultibase(BlobId.fromHash(blake3(bytes), bytes.length).legacyCidBytes, 'z'));
    const dl = await fetch(`${node.url}/s5/download/${cid}`);
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(bytes);
    const ranged = await fetch(`${node.url}/s5/download/${cid}`, { headers: { range: 'bytes=0-3' } });
    expect([ranged.status, await ranged.text()]).toEqual([206, 'lume']);
    const bareHash = await fetch(`${node.url}/s5/download/${toBase64Url(Uint8Array.of(0x1e, ...blake3(bytes)))}`);
    expect(bareHash.status).toBe(200);
    const miss = await fetch(`${node.url}/s5/download/${encodeMultibase(BlobId.fromHash(blake3(new Uint8Array([9])), 1).legacyCidBytes, 'z')}`);
    expect([miss.status, await miss.text()]).toEqual([404, '']);
  });

  it('/s5/blob: 400 for the 0x5b BlobIdentifier; its own blobs are never found there (500 after the scaled 60 s)', async () => {
    const bytes = new Uint8Array(Buffer.from('own blob'));
    const { cid } = JSON.parse(await (await upload(bytes)).text()) as { cid: string };
    const id = BlobId.fromHash(blake3(bytes), bytes.length);
    const bad = await fetch(`${node.url}/s5/blob/${id.toString('z')}`, { headers: bearer() });
    expect([bad.status, await bad.text()]).toEqual([400, 'error decoding cid: invalid cid type 91\n']);
    const own = await fetch(`${node.url}/s5/blob/${cid}`, { headers: bearer(), redirect: 'manual' });
    expect(own.status).toBe(500);
    expect(await own.text()).toMatch(/^error fetching blob: Could not download raw file: Timed out after 1m0s [\w-]+\n$/);
  });

  it('registry: POST 200; rejections prefixed "Error setting registry entry: "; GET tab-indented JSON or 404 empty', async () => {
    const kp = randomKeyPair();
    const miss = await fetch(`${node.url}/s5/registry?pk=${toBase64Url(kp.publicKey)}`, { headers: bearer() });
    expect([miss.status, await miss.text()]).toEqual([404, '']);
    const ok = await postEntry(node.url, token, entry(kp, 1));
    expect([ok.status, await ok.text()]).toEqual([200, '']);
    const equal = await postEntry(node.url, token, entry(kp, 1));
    expect([equal.status, await equal.text()]).toEqual([500, 'Error setting registry entry: Revision number too low\n']);
    const hit = await fetch(`${node.url}/s5/registry?pk=${toBase64Url(kp.publicKey)}`, { headers: bearer() });
    expect(await hit.text()).toMatch(/^\{\n\t"pk": /);
    expect((await getEntry(node.url, kp.publicKey)).status).toBe(401);
  });

  it('CORS only on upload/download: reflected origin on an upload, none on its 401; preflight allows Authorization, Content-Type', async () => {
    const up = await upload(new Uint8Array([1]), { origin: 'https://app.example' });
    expect(up.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const noAuth = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { origin: 'https://app.example' }, body: '' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.headers.get('access-control-allow-origin')).toBeNull();
    const reg = await postEntry(node.url, token, entry(randomKeyPair(), 1));
    expect(reg.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${node.url}/s5/registry`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const preBad = await fetch(`${node.url}/s5/registry`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-custom' },
    });
    expect(preBad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('subscription needs a token and a same-origin browser; /s5/p2p refuses cross-origin browsers', async () => {
    const ws = node.url.replace('http://', 'ws://');
    expect(await refusedUpgrade(`${ws}/s5/registry/subscription`)).toEqual({ status: 401, body: 'Invalid JWT\n' });
    const cross = await refusedUpgrade(`${ws}/s5/registry/subscription?auth_token=${token}`, { origin: 'https://app.example' });
    expect(cross.status).toBe(403);
    expect((await refusedUpgrade(`${ws}/s5/p2p`, { origin: 'https://app.example' })).status).toBe(403);
  });

  it('fault knobs work on lumeweb too', async () => {
    node.setFaults({ errorRate: 1 });
    expect((await fetch(`${node.url}/s5/version`)).status).toBe(503);
    node.setFaults({ errorRate: 0, conflictRate: 1 });
    const c = await postEntry(node.url, token, entry(randomKeyPair(), 1));
    expect([c.status, await c.text()]).toEqual([500, 'Error setting registry entry: Revision number too low\n']);
    node.setFaults({ conflictRate: 0 });
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 1))).status).toBe(200);
    expect((await postEntry(node.url, token, entry(kp, 2))).status).toBe(200);
    node.setFaults({ staleReadRate: 1 });
    const stale = await fetch(`${node.url}/s5/registry?pk=${toBase64Url(kp.publicKey)}`, { headers: bearer() });
    expect(((await stale.json()) as { revision: number }).revision).toBe(1);
    node.setFaults({ staleReadRate: 0, resetRate: 1, latencyMs: 5 });
    await expect(fetch(`${node.url}/s5/version`)).rejects.toThrow();
    node.setFaults({ resetRate: 0, latencyMs: 0 });
  });
});

describe('lumeweb tus (core protocol, token on every request)', () => {
  it('create → PATCH → stored; 0x1e hash accepted; Location carries ?auth_token=; repeat refused; preflight allows tus headers', async () => {
    const bytes = new Uint8Array(Buffer.from('lumeweb tus upload'));
    const meta = (type: number) => `hash ${Buffer.from(toBase64Url(Uint8Array.of(type, ...blake3(bytes)))).toString('base64')}`;
    const noAuth = await fetch(`${node.url}/s5/upload/tus`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': meta(0x1e) } });
    expect(noAuth.status).toBe(401);
    const created = await fetch(`${node.url}/s5/upload/tus`, {
      method: 'POST',
      headers: { ...bearer(), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': meta(0x1e) },
    });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!);
    expect(location.searchParams.get('auth_token')).toBe(token);
    const wrongOffset = await fetch(location, { method: 'PATCH', headers: { 'tus-resumable': '1.0.0', 'upload-offset': '5', 'content-type': 'application/offset+octet-stream' }, body: bytes });
    expect(wrongOffset.status).toBe(409);
    const done = await fetch(location, { method: 'PATCH', headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: bytes });
    expect([done.status, done.headers.get('upload-offset')]).toEqual([204, String(bytes.length)]);
    const cid = encodeMultibase(BlobId.fromHash(blake3(bytes), bytes.length).legacyCidBytes, 'z');
    expect(new Uint8Array(await (await fetch(`${node.url}/s5/download/${cid}`)).arrayBuffer())).toEqual(bytes);
    const again = await fetch(`${node.url}/s5/upload/tus`, {
      method: 'POST',
      headers: { ...bearer(), 'tus-resumable': '1.0.0', 'upload-length': String(bytes.length), 'upload-metadata': meta(0x1f) },
    });
    expect([again.status, await again.text()]).toEqual([500, 'file already exists\n']);
    const pre = await fetch(`${node.url}/s5/upload/tus/x`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'upload-offset, tus-resumable, content-type' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
