import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '@s5chat/s5';
import type { Devnode } from '../src/index.js';
import { accountFlow, randomKeyPair, register, TestBed, uploadRaw } from './helpers.js';

const bed = new TestBed();
let node: Devnode;
beforeAll(async () => {
  node = await bed.node();
});
afterAll(() => bed.cleanup());

describe('portal accounts (PROTOCOL §4.2)', () => {
  it('register returns a token in the JSON body and a cookie; the token authorises uploads', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'register');
    expect(res.status).toBe(200);
    const { authToken } = (await res.json()) as { authToken: string };
    expect(authToken).toMatch(/^S5A/);
    expect(res.headers.get('set-cookie')).toContain(`s5-auth-token=${authToken}`);
    expect((await uploadRaw(node.url, authToken, new Uint8Array([1, 2, 3]))).status).toBe(200);
  });

  it('login works for a registered key and yields a new working token', async () => {
    const kp = randomKeyPair();
    const first = await register(node.url, kp);
    const res = await accountFlow(node.url, kp, 'login');
    expect(res.status).toBe(200);
    const { authToken } = (await res.json()) as { authToken: string };
    expect(authToken).not.toBe(first);
    expect((await uploadRaw(node.url, authToken, new Uint8Array([4]))).status).toBe(200);
  });

  it('login of an unregistered key is refused', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'login');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('This public key is not registered on this portal');
  });

  it('a signature by another key is refused', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'register', { signWith: randomKeyPair() });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('Invalid signature');
  });

  it('a response signed for another host is refused', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'register', { host: 'evil.example:5050' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/Invalid host hash/);
  });

  it('the wrong type byte (login response on register) is refused', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'register', { type: 2 });
    expect(res.status).toBe(400);
  });

  it('a challenge the node never issued is refused, and a challenge works only once', async () => {
    const res = await accountFlow(node.url, randomKeyPair(), 'register', { challenge: new Uint8Array(32).fill(7) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('Invalid challenge');

    const kp = randomKeyPair();
    const pubKey = toBase64Url(kp.publicKey);
    const { challenge } = (await (await fetch(`${node.url}/s5/account/register?pubKey=${pubKey}`)).json()) as { challenge: string };
    const { challengeResponse } = await import('./helpers.js');
    const { fromBase64Url } = await import('@s5chat/s5');
    const resp = challengeResponse(1, fromBase64Url(challenge), new URL(node.url).host);
    const body = JSON.stringify({ pubKey, response: toBase64Url(resp), signature: toBase64Url(kp.sign(resp)) });
    const post = () => fetch(`${node.url}/s5/account/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(401);
  });

  it('POST without any challenge for the key is refused', async () => {
    const kp = randomKeyPair();
    const res = await fetch(`${node.url}/s5/account/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pubKey: toBase64Url(kp.publicKey), response: 'AA', signature: 'AA' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('No challenge exists for this pubKey');
  });

  it('challenge requests with a malformed key get a 400 JSON error', async () => {
    for (const q of ['', '?pubKey=', '?pubKey=!!!', `?pubKey=${toBase64Url(new Uint8Array(33).fill(1))}`, '?pubKey=AAAA']) {
      const res = await fetch(`${node.url}/s5/account/register${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(0);
    }
  });

  it('uploads and registry writes without a valid token get 401 JSON', async () => {
    const noToken = await fetch(`${node.url}/s5/upload`, { method: 'POST', body: new Uint8Array([1]) });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ error: 'No auth token found' });
    const badToken = await uploadRaw(node.url, 'S5Anope', new Uint8Array([1]));
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toMatchObject({ error: 'Invalid auth token' });
    const reg = await fetch(`${node.url}/s5/registry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reg.status).toBe(401);
  });

  it('accepts the token from the s5-auth-token cookie and ?auth_token=', async () => {
    const token = await register(node.url);
    const viaCookie = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { cookie: `s5-auth-token=${token}` }, body: new Uint8Array([9]) });
    expect(viaCookie.status).toBe(200);
    const viaQuery = await fetch(`${node.url}/s5/upload?auth_token=${token}`, { method: 'POST', body: new Uint8Array([8]) });
    expect(viaQuery.status).toBe(200);
  });
});
