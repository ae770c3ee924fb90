import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobId, blake3, encodeMultibase, fromBase64Url, toBase64Url } from '@s5chat/s5';
import type { Devnode } from '../../src/index.js';
import { entry, getEntry, postEntry, randomKeyPair, TestBed } from '../helpers.js';
import { cookieToken, flow, getChallenge, postResponse, registerToken } from '../fixtures/dart-client.js';

const TIME_SCALE = 0.005;

/** Behaviour both Dart versions share (same route code, PORTALS.md §2). */
describe.each(['dart', 'dart-0.14'] as const)('%s profile over real sockets', (profile) => {
  const bed = new TestBed();
  let node: Devnode;
  let token: string;
  beforeAll(async () => {
    node = await bed.node({ profile, timeScale: TIME_SCALE });
    token = await registerToken(node.url, randomKeyPair());
  });
  afterAll(() => bed.cleanup());

  const upload = (bytes: Uint8Array, headers: Record<string, string> = { 'content-type': 'application/octet-stream' }) =>
    fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: new Uint8Array(bytes) });

  it('GET /s5/version names the Dart node version; unknown routes are 404 "404 not found"', async () => {
    const v = await fetch(`${node.url}/s5/version`);
    expect(await v.json()).toEqual({ node: profile === 'dart' ? '1.0.0-pre.1' : '0.14.1' });
    expect(node.profile).toBe(profile);
    const missing = await fetch(`${node.url}/s5/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('404 not found');
  });

  it("CORS: Dart's fixed allow-list on every response including errors; OPTIONS → 204", async () => {
    const res = await fetch(`${node.url}/s5/nothing-here`, { headers: { origin: 'https://app.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toContain('upload-offset');
    expect(res.headers.get('access-control-allow-headers')!.split(',')).toContain('authorization');
    expect(res.headers.get('access-control-allow-headers')).not.toContain('x-s5-operation');
    const noOrigin = await fetch(`${node.url}/s5/version`);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBe('*');
    const pre = await fetch(`${node.url}/s5/registry`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-headers': 'x-custom' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).not.toContain('x-custom');
  });

  describe('accounts (PORTALS.md §2.1)', () => {
    it('register then login: Set-Cookie with the real attributes; token S5A+base58', async () => {
      const kp = randomKeyPair();
      const reg = await flow(node.url, kp, 'register');
      expect(reg.status).toBe(200);
      const cookie = reg.headers.get('set-cookie')!;
      expect(cookie).toBe(`s5-auth-token=${cookieToken(reg)}; Path=/; Domain=${new URL(node.url).host}; Max-Age=2592000; HttpOnly; Secure`);
      expect(cookieToken(reg)).toMatch(/^S5A[1-9A-HJ-NP-Za-km-z]{40,}$/);
      const login = await flow(node.url, kp, 'login');
      expect(login.status).toBe(200);
      const t = cookieToken(login)!;
      if (profile === 'dart') {
        expect(await login.json()).toEqual({ authToken: t });
      } else {
        expect(await login.text()).toBe(''); // cookie only on v0.14.1
        expect(await reg.text()).toBe('');
      }
      expect((await upload(new Uint8Array([1, 2]))).status).toBe(200);
      const viaCookie = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { cookie: `s5-auth-token=${t}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array([3]) });
      expect(viaCookie.status).toBe(200);
    });

    it('login of an unknown key: challenge 200, POST 500 "This public key is not registered on this portal"', async () => {
      const kp = randomKeyPair();
      expect((await getChallenge(node.url, kp, 'login')).status).toBe(200);
      const res = await flow(node.url, kp, 'login');
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('This public key is not registered on this portal');
    });

    it('one pending challenge per key: a second GET overwrites the first → "Invalid challenge"; never consumed', async () => {
      const kp = randomKeyPair();
      await registerToken(node.url, kp);
      const c1 = fromBase64Url(((await (await getChallenge(node.url, kp, 'login')).json()) as { challenge: string }).challenge);
      const c2 = fromBase64Url(((await (await getChallenge(node.url, kp, 'login')).json()) as { challenge: string }).challenge);
      const stale = await postResponse(node.url, kp, 'login', c1);
      expect(stale.status).toBe(500);
      expect(await stale.text()).toBe('Invalid challenge');
      expect((await postResponse(node.url, kp, 'login', c2)).status).toBe(200);
      expect((await postResponse(node.url, kp, 'login', c2)).status).toBe(200); // not consumed
    });

    it('concurrent logins of one key collide: at least one gets "Invalid challenge"', async () => {
      const kp = randomKeyPair();
      await registerToken(node.url, kp);
      const challenges = await Promise.all(
        [0, 1, 2].map(async () => fromBase64Url(((await (await getChallenge(node.url, kp, 'login')).json()) as { challenge: string }).challenge)),
      );
      const results = await Promise.all(challenges.map(async (c) => {
        const r = await postResponse(node.url, kp, 'login', c);
        return `${r.status} ${await r.text().then((t) => (r.status === 200 ? '' : t))}`;
      }));
      expect(results.filter((r) => r === '500 Invalid challenge').length).toBe(2);
      expect(results.filter((r) => r.startsWith('200')).length).toBe(1);
    });

    it('POST without a challenge, wrong length, bad signature: the Dart 500 texts in order', async () => {
      const kp = randomKeyPair();
      const none = await postResponse(node.url, kp, 'login', new Uint8Array(32));
      expect([none.status, await none.text()]).toEqual([500, 'No challenge exists for this pubKey']);
      await getChallenge(node.url, kp, 'register');
      const short = await fetch(`${node.url}/s5/account/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pubKey: toBase64Url(kp.publicKey), response: 'AAAA', signature: 'AA', label: 'x' }),
      });
      expect([short.status, await short.text()]).toEqual([500, 'Invalid response']);
      const bad = await flow(node.url, kp, 'register', { signWith: randomKeyPair() });
      expect([bad.status, await bad.text()]).toEqual([500, 'Invalid signature']);
    });

    it('the host hash is not checked (a response for another host is accepted)', async () => {
      const kp = randomKeyPair();
      const get = await getChallenge(node.url, kp, 'register');
      const challenge = fromBase64Url(((await get.json()) as { challenge: string }).challenge);
      const { challengeResponse } = await import('../helpers.js');
      const response = challengeResponse(1, challenge, 'evil.example');
      const res = await fetch(`${node.url}/s5/account/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pubKey: toBase64Url(kp.publicKey), response: toBase64Url(response), signature: toBase64Url(kp.sign(response)), label: 'l' }),
      });
      expect(res.status).toBe(200);
    });

    it('label is required (500 null-check), yet the key is registered before it is read', async () => {
      const kp = randomKeyPair();
      const res = await flow(node.url, kp, 'register', { label: null });
      expect([res.status, await res.text()]).toEqual([500, 'Null check operator used on a null value']);
      const again = await flow(node.url, kp, 'register');
      expect(again.status).toBe(500);
      expect(await again.text()).toMatch(/UNIQUE constraint failed: PublicKey\.public_key/);
      expect((await flow(node.url, kp, 'login')).status).toBe(200);
    });

    it('a non-JSON POST body is a 500 cast error; a missing pubKey query is a 500 null-check', async () => {
      const res = await fetch(`${node.url}/s5/account/login`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      expect([res.status, await res.text()]).toEqual([500, "type 'String' is not a subtype of type 'Map<dynamic, dynamic>' in type cast"]);
      const bin = await fetch(`${node.url}/s5/account/login`, { method: 'POST', body: new Uint8Array([123, 125]) });
      expect([bin.status, await bin.text()]).toEqual([500, "type 'Uint8List' is not a subtype of type 'Map<dynamic, dynamic>' in type cast"]);
      const get = await fetch(`${node.url}/s5/account/login`);
      expect([get.status, await get.text()]).toEqual([500, 'Null check operator used on a null value']);
    });

    it('re-registering a registered key → 500 SQLite constraint text', async () => {
      const kp = randomKeyPair();
      await registerToken(node.url, kp);
      const res = await flow(node.url, kp, 'register');
      expect(res.status).toBe(500);
      expect(await res.text()).toMatch(/SQLITE_CONSTRAINT/);
    });

    it('token lookup like Dart: any Authorization minus 7 chars; a bad header shadows a valid cookie; ?auth_token=', async () => {
      const noToken = await fetch(`${node.url}/s5/upload`, { method: 'POST', body: new Uint8Array([1]) });
      expect([noToken.status, await noToken.text()]).toEqual([401, '{"error":"No auth token found"}']);
      expect(noToken.headers.get('content-type')).not.toMatch(/json/);
      const basic = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Token: ${token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array([1]) });
      expect(basic.status).toBe(200); // "Token: " is 7 characters too; the scheme is never checked
      const shadow = await fetch(`${node.url}/s5/upload`, {
        method: 'POST',
        headers: { authorization: 'Bearer x', cookie: `s5-auth-token=${token}`, 'content-type': 'application/octet-stream' },
        body: new Uint8Array([1]),
      });
      expect([shadow.status, await shadow.text()]).toEqual([401, '{"error":"Invalid auth token"}']);
      const query = await fetch(`${node.url}/s5/upload?auth_token=${token}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([2]) });
      expect(query.status).toBe(200);
    });
  });

  describe('upload and blob download (PORTALS.md §2.3, §2.5)', () => {
    it('raw upload → legacy CID 0x26 0x1f digest sizeLE; /s5/blob/<legacy>.ext → 307 to a separate store origin with CORS *', async () => {
      const bytes = new Uint8Array(Buffer.from('hello dart portal'));
      const res = await upload(bytes);
      expect(res.status).toBe(200);
      const { cid } = (await res.json()) as { cid: string };
      const id = BlobId.fromHash(blake3(bytes), bytes.length);
      expect(cid).toBe(encodeMultibase(id.legacyCidBytes, 'z'));
      const blob = await fetch(`${node.url}/s5/blob/${cid}.txt`, { redirect: 'manual', headers: { origin: 'https://app.example' } });
      expect(blob.status).toBe(307);
      const location = new URL(blob.headers.get('location')!);
      expect(location.origin).not.toBe(new URL(node.url).origin);
      expect(location.pathname).toMatch(/^\/1\/[a-z2-7]{2}\/[a-z2-7]{2}\/[a-z2-7]{2}\/[a-z2-7]{2}\/[a-z2-7]+$/);
      const stored = await fetch(location, { headers: { origin: 'https://app.example' } });
      expect(stored.status).toBe(200);
      expect(stored.headers.get('access-control-allow-origin')).toBe('*');
      expect(stored.headers.get('access-control-allow-credentials')).toBeNull();
      expect(new Uint8Array(await stored.arrayBuffer())).toEqual(bytes);
      const followed = await fetch(`${node.url}/s5/blob/${cid}`);
      expect(new Uint8Array(await followed.arrayBuffer())).toEqual(bytes);
    });

    it('the 0x5b BlobIdentifier never resolves: 500 timeout text after the (scaled) 60 s wait', async () => {
      const bytes = new Uint8Array(Buffer.from('stored but asked for by BlobIdentifier'));
      expect((await upload(bytes)).status).toBe(200);
      const id = BlobId.fromHash(blake3(bytes), bytes.length);
      const started = Date.now();
      const res = await fetch(`${node.url}/s5/blob/${id.toString('z')}`, { redirect: 'manual' });
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).toMatch(/^Could not download raw file: Timed out after 0:01:00\.000000 [A-Za-z0-9_-]+$/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(60_000 * TIME_SCALE - 5);
      // The hash in the text is what the misparse produced, not the blob's multihash.
      const tail = fromBase64Url(text.split(' ').pop()!);
      expect(tail[0]).toBe(0x82);
      if (profile === 'dart') expect(tail.length).toBe(id.bytes.length - 1);
      else expect(tail.length).toBe(33);
    });

    it('0x26 with the 0x1e multihash times out; the f and u forms of the 0x1f legacy id resolve', async () => {
      const bytes = new Uint8Array(Buffer.from('forms'));
      const { cid } = (await (await upload(bytes)).json()) as { cid: string };
      const legacy = BlobId.fromHash(blake3(bytes), bytes.length).legacyCidBytes;
      const with1e = legacy.slice();
      with1e[1] = 0x1e;
      const miss = await fetch(`${node.url}/s5/blob/${encodeMultibase(with1e, 'z')}`, { redirect: 'manual' });
      expect(miss.status).toBe(500);
      expect(await miss.text()).toMatch(/^Could not download raw file: Timed out/);
      const hexForm = await fetch(`${node.url}/s5/blob/${encodeMultibase(legacy, 'f')}`, { redirect: 'manual' });
      expect(hexForm.status).toBe(307);
      const uForm = await fetch(`${node.url}/s5/blob/${encodeMultibase(legacy, 'u')}`, { redirect: 'manual' });
      expect(uForm.status).toBe(307);
      expect(cid.startsWith('z')).toBe(true);
    });

    it('unsupported multibase → 500 "Multibase encoding <c> not supported"; short 0x26 → RangeError; HEAD → 404', async () => {
      const res = await fetch(`${node.url}/s5/blob/mAAAA`);
      expect([res.status, await res.text()]).toEqual([500, 'Multibase encoding m not supported']);
      const short = await fetch(`${node.url}/s5/blob/${encodeMultibase(Uint8Array.of(0x26, 0x1f, 1, 2), 'z')}`);
      expect(short.status).toBe(500);
      expect(await short.text()).toBe('RangeError (end): Invalid value: Not in inclusive range 1..4: 34');
      const head = await fetch(`${node.url}/s5/blob/${encodeMultibase(Uint8Array.of(0x26, 0x1f, 1, 2), 'z')}`, { method: 'HEAD' });
      expect(head.status).toBe(404);
    });

    it('/s5/download/:cid needs a token; with one it serves the bytes itself', async () => {
      const bytes = new Uint8Array(Buffer.from('download me'));
      const { cid } = (await (await upload(bytes)).json()) as { cid: string };
      const anon = await fetch(`${node.url}/s5/download/${cid}`);
      expect([anon.status, await anon.text()]).toEqual([401, '{"error":"No auth token found"}']);
      const authed = await fetch(`${node.url}/s5/download/${cid}`, { headers: { authorization: `Bearer ${token}` } });
      expect(authed.status).toBe(200);
      expect(new Uint8Array(await authed.arrayBuffer())).toEqual(bytes);
      const notRaw = await fetch(`${node.url}/s5/download/${BlobId.fromHash(blake3(bytes), bytes.length).toString('z')}`, { headers: { authorization: `Bearer ${token}` } });
      expect([notRaw.status, await notRaw.text()]).toEqual([500, 'This is not a raw CID']);
    });

    it('multipart: field "file" with filename; a part without a binary Content-Type is text-decoded (bytes corrupted)', async () => {
      const bytes = Uint8Array.of(0x41, 0xc3, 0xa9, 0x42); // "Aé B" in UTF-8: decoded to 3 code units
      const form = new FormData();
      form.append('file', new Blob([bytes], { type: 'text/plain' }), 'f');
      const res = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
      const { cid } = (await res.json()) as { cid: string };
      const corrupted = Uint8Array.of(0x41, 0xe9, 0x42);
      expect(cid).toBe(encodeMultibase(BlobId.fromHash(blake3(corrupted), 3).legacyCidBytes, 'z'));
      const binary = new FormData();
      binary.append('file', new Blob([Uint8Array.of(0xff, 0xfe)], { type: 'application/octet-stream' }), 'f');
      const ok = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: binary });
      expect(((await ok.json()) as { cid: string }).cid).toBe(encodeMultibase(BlobId.fromHash(blake3(Uint8Array.of(0xff, 0xfe)), 2).legacyCidBytes, 'z'));
      const invalid = new FormData();
      invalid.append('file', new Blob([Uint8Array.of(0xff, 0xfe)], { type: 'text/plain' }), 'f');
      const bad = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: invalid });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toMatch(/^FormatException/);
      const noFilename = new FormData();
      noFilename.append('file', 'just a field');
      const field = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: noFilename });
      expect([field.status, await field.text()]).toEqual([500, "type 'String' is not a subtype of type 'HttpBodyFileUpload'"]);
    });

    it('an upload over the limit is read, then rejected with the Dart 500 text', async () => {
      const limit = profile === 'dart' ? 34_000_000 : 33_554_432;
      const over = await upload(new Uint8Array(limit + 1));
      expect(over.status).toBe(500);
      expect(await over.text()).toBe(profile === 'dart' ? 'This API only supports a maximum size of 34 MB' : 'This API only supports a maximum size of 32 MiB');
    });
  });

  describe('registry (PORTALS.md §2.6)', () => {
    it('GET is open and 404 with an empty body for a missing key; POST needs a token and answers 204', async () => {
      const kp = randomKeyPair();
      const miss = await getEntry(node.url, kp.publicKey);
      expect([miss.status, await miss.text()]).toEqual([404, '']);
      const anon = await fetch(`${node.url}/s5/registry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([anon.status, await anon.text()]).toEqual([401, '{"error":"No auth token found"}']);
      const ok = await postEntry(node.url, token, entry(kp, 1));
      expect([ok.status, await ok.text()]).toEqual([204, '']);
      const hit = await getEntry(node.url, kp.publicKey);
      expect(hit.status).toBe(200);
      expect(((await hit.json()) as { revision: number }).revision).toBe(1);
    });

    it('an equal revision is rejected "Revision number too low", as is a lower one', async () => {
      const kp = randomKeyPair();
      expect((await postEntry(node.url, token, entry(kp, 5))).status).toBe(204);
      for (const rev of [5, 4]) {
        const res = await postEntry(node.url, token, entry(kp, rev));
        expect([res.status, await res.text()]).toEqual([500, 'Revision number too low']);
      }
    });

    it('rejections in lib5 order, as 500 texts', async () => {
      const kp = randomKeyPair();
      const good = entry(kp, 1);
      const json = (e: typeof good) => ({ pk: toBase64Url(e.publicKey), revision: e.revision, data: toBase64Url(e.data), signature: toBase64Url(e.signature) });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...json(good), pk: toBase64Url(new Uint8Array(32)) }, 'Invalid pubkey'],
        [{ ...json(good), pk: toBase64Url(new Uint8Array(33)) }, 'Only ed25519 keys are supported'],
        [{ ...json(good), revision: -1 }, 'Invalid revision'],
        [{ ...json(good), data: toBase64Url(new Uint8Array(65)) }, 'Data too long'],
        [{ ...json(good), signature: toBase64Url(new Uint8Array(64)) }, 'Invalid signature found'],
        [{ ...json(good), revision: '1' }, "type 'String' is not a subtype of type 'int'"],
        [{ ...json(good), revision: undefined }, 'Null check operator used on a null value'],
      ];
      for (const [body, text] of cases) {
        const res = await postEntry(node.url, token, body);
        expect([res.status, await res.text()], text).toEqual([500, text]);
      }
      expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
    });

    it('no /s5/registry/subscription: 404 for HTTP and WebSocket', async () => {
      const res = await fetch(`${node.url}/s5/registry/subscription`);
      expect([res.status, await res.text()]).toEqual([404, '404 not found']);
    });
  });
});
