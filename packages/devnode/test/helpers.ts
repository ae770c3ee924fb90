import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  blake3,
  createRegistryEntry,
  Ed25519KeyPair,
  fromBase64Url,
  registryEntryToJson,
  toBase64Url,
  type RegistryEntry,
} from '@s5chat/s5';
import { startDevnode, type Devnode, type DevnodeOptions } from '../src/index.js';

/** Nodes and temp dirs a test file started; `cleanup()` in afterEach/afterAll stops them all. */
export class TestBed {
  readonly nodes: Devnode[] = [];
  readonly dirs: string[] = [];

  async node(opts: DevnodeOptions = {}): Promise<Devnode> {
    const node = await startDevnode({ port: 0, ...opts });
    this.nodes.push(node);
    return node;
  }

  async tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 's5chat-devnode-'));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.stop()));
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

export const randomKeyPair = () => Ed25519KeyPair.fromSeed(new Uint8Array(randomBytes(32)));

/** The 65-byte challenge response of PROTOCOL §4.1. */
export function challengeResponse(type: 1 | 2, challenge: Uint8Array, host: string): Uint8Array {
  const out = new Uint8Array(65);
  out[0] = type;
  out.set(challenge, 1);
  out.set(blake3(new TextEncoder().encode(host)), 33);
  return out;
}

/** Run the register (or login) flow; returns the raw POST response. */
export async function accountFlow(
  url: string,
  keyPair: Ed25519KeyPair,
  flow: 'register' | 'login',
  tweak: { host?: string; signWith?: Ed25519KeyPair; type?: 1 | 2; challenge?: Uint8Array } = {},
): Promise<Response> {
  const pubKey = toBase64Url(keyPair.publicKey);
  const get = await fetch(`${url}/s5/account/${flow}?pubKey=${pubKey}`);
  if (get.status !== 200) throw new Error(`challenge request failed: ${get.status} ${await get.text()}`);
  const { challenge } = (await get.json()) as { challenge: string };
  const response = challengeResponse(
    tweak.type ?? (flow === 'register' ? 1 : 2),
    tweak.challenge ?? fromBase64Url(challenge),
    tweak.host ?? new URL(url).host,
  );
  const signature = (tweak.signWith ?? keyPair).sign(response);
  return fetch(`${url}/s5/account/${flow}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pubKey, response: toBase64Url(response), signature: toBase64Url(signature), label: 'test' }),
  });
}

/** Register a fresh account and return its token. */
export async function register(url: string, keyPair = randomKeyPair()): Promise<string> {
  const res = await accountFlow(url, keyPair, 'register');
  if (res.status !== 200) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { authToken: string }).authToken;
}

export function entry(keyPair: Ed25519KeyPair, revision: number, data: Uint8Array = randomBytes(33)): RegistryEntry {
  return createRegistryEntry({ keyPair, revision, data: new Uint8Array(data) });
}

export function postEntry(url: string, token: string, e: RegistryEntry | object): Promise<Response> {
  const body = 'publicKey' in e ? registryEntryToJson(e as RegistryEntry) : e;
  return fetch(`${url}/s5/registry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

export function getEntry(url: string, publicKey: Uint8Array): Promise<Response> {
  return fetch(`${url}/s5/registry?pk=${toBase64Url(publicKey)}`);
}

export async function uploadRaw(url: string, token: string, bytes: Uint8Array): Promise<Response> {
  return fetch(`${url}/s5/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
    body: new Uint8Array(bytes),
  });
}

/** Multipart exactly as s5.js sends it: one part, field "file", filename "file". */
export async function uploadMultipart(url: string, token: string, bytes: Uint8Array): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }), 'file');
  return fetch(`${url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
