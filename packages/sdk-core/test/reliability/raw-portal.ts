/**
 * Raw HTTP access to a devnode for tests that must send what no well-behaved client would:
 * a minimal account registration (to get a Bearer token, so malformed requests reach the parsers
 * behind the auth check) and plain `fetch` helpers. Uses only @s5chat/s5 primitives.
 */
import { blake3, concatBytes, Ed25519KeyPair, toBase64Url, utf8ToBytes } from '@s5chat/s5';
import { randomBytes } from 'node:crypto';

/** Registers a fresh account key on the portal and returns its auth token (PROTOCOL §4). */
export async function registerRawAccount(portalUrl: string): Promise<string> {
  const keyPair = Ed25519KeyPair.fromSeed(new Uint8Array(randomBytes(32)));
  const pubKey = toBase64Url(keyPair.publicKey);
  const challengeRes = await fetch(`${portalUrl}/s5/account/register?pubKey=${pubKey}`);
  if (!challengeRes.ok) throw new Error(`challenge: HTTP ${challengeRes.status}`);
  const { challenge } = (await challengeRes.json()) as { challenge: string };
  const challengeBytes = Buffer.from(challenge, 'base64url');
  const host = new URL(portalUrl).host;
  const response = concatBytes(Uint8Array.of(0x01), new Uint8Array(challengeBytes), blake3(utf8ToBytes(host)));
  const res = await fetch(`${portalUrl}/s5/account/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pubKey, response: toBase64Url(response), signature: toBase64Url(keyPair.sign(response)), label: 'reliability' }),
  });
  if (!res.ok) throw new Error(`register: HTTP ${res.status} ${await res.text()}`);
  const { authToken } = (await res.json()) as { authToken: string };
  return authToken;
}

export interface RawReply {
  status: number;
  contentType: string;
  body: string;
}

/** One request, body read fully; network errors propagate (a reset is a failure here). */
export async function rawRequest(url: string, init: RequestInit = {}): Promise<RawReply> {
  const res = await fetch(url, init);
  const body = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
}
