// A hostile or broken node must never crash the subscriber (PROTOCOL §11 item 11): a real WebSocket
// server on 127.0.0.1 sends garbage, foreign and stale records between valid ones.
import { createServer, type Server } from 'node:http';
import { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRegistryEntry,
  Ed25519KeyPair,
  encodeRegistryEntry,
  InvalidSignatureError,
  PortalClient,
  PortalUnavailableError,
  S5Identity,
  ValidationError,
  type RegistryEntry,
  type WebSocketConstructor,
} from '../src/index.js';
import { V } from './vectors.js';

const kp = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(5));
const stranger = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(6));
let server: Server;
let wss: WebSocketServer;
let url: string;
const received: Uint8Array[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = 404; // GET /s5/registry?pk=… : nothing stored yet
    res.end();
  });
  wss = new WebSocketServer({ server, path: '/s5/registry/subscription' });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      received.push(new Uint8Array(data));
      const forged = encodeRegistryEntry(createRegistryEntry({ keyPair: kp, revision: 9, data: new Uint8Array([9]) }));
      forged[forged.length - 1]! ^= 1;
      ws.send('not binary');
      ws.send(Buffer.from([0x07, 1, 2, 3]));
      ws.send(encodeRegistryEntry(createRegistryEntry({ keyPair: stranger, revision: 50, data: new Uint8Array([1]) })));
      ws.send(forged);
      ws.send(encodeRegistryEntry(createRegistryEntry({ keyPair: kp, revision: 5, data: new Uint8Array([5]) })));
      ws.send(encodeRegistryEntry(createRegistryEntry({ keyPair: kp, revision: 3, data: new Uint8Array([3]) })));
      ws.send(encodeRegistryEntry(createRegistryEntry({ keyPair: kp, revision: 6, data: new Uint8Array([6]) })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  wss.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('subscription against a hostile node', () => {
  it('sends the exact subscribe frame, delivers only valid newer entries, reports the rest', async () => {
    const client = new PortalClient({ portalUrl: url, identity: S5Identity.fromSeedPhrase(V.seed_phrases[1].phrase) });
    const seen: RegistryEntry[] = [];
    const errors: unknown[] = [];
    const stop = client.registrySubscribe(kp.publicKey, (e) => seen.push(e), { onError: (e) => errors.push(e) });
    try {
      const started = Date.now();
      while (seen.length < 2 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
      expect(Buffer.from(received[0]!).toString('hex')).toBe('02c421' + Buffer.from(kp.publicKey).toString('hex'));
      expect(seen.map((e) => e.revision)).toEqual([5, 6]); // 3 is stale, 9 forged, 50 foreign
      expect(errors.filter((e) => e instanceof ValidationError).length).toBeGreaterThanOrEqual(2); // text + truncated
      expect(errors.filter((e) => e instanceof InvalidSignatureError).length).toBe(2); // foreign key + forged
      // Every reported problem carries a stable code; callers never match on text.
      for (const e of errors) expect(typeof (e as { code?: unknown }).code).toBe('string');
      expect(errors.filter((e) => (e as { code?: unknown }).code === 'INVALID_SIGNATURE').length).toBe(2);
    } finally {
      stop();
    }
  });

  it('reports a socket that cannot connect as PORTAL_UNAVAILABLE (typed, with the cause)', async () => {
    // A port that was just free: nothing listens there, so the real `ws` socket errors.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const client = new PortalClient({ portalUrl: `http://127.0.0.1:${port}`, identity: S5Identity.fromSeedPhrase(V.seed_phrases[1].phrase) });
    const errors: unknown[] = [];
    const stop = client.registrySubscribe(kp.publicKey, () => undefined, { onError: (e) => errors.push(e) });
    try {
      const started = Date.now();
      while (errors.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      expect(errors[0]).toBeInstanceOf(PortalUnavailableError);
      expect((errors[0] as PortalUnavailableError).code).toBe('PORTAL_UNAVAILABLE');
      expect((errors[0] as PortalUnavailableError).cause).toBeInstanceOf(Error);
    } finally {
      stop();
    }
  });

  it('reports a WebSocket constructor that throws as PORTAL_UNAVAILABLE', async () => {
    const boom = new Error('constructor failed');
    const Throwing = function () {
      throw boom;
    } as unknown as WebSocketConstructor;
    const client = new PortalClient({ portalUrl: url, identity: S5Identity.fromSeedPhrase(V.seed_phrases[1].phrase), WebSocket: Throwing });
    const errors: unknown[] = [];
    const stop = client.registrySubscribe(kp.publicKey, () => undefined, { onError: (e) => errors.push(e) });
    try {
      const started = Date.now();
      while (errors.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      expect((errors[0] as PortalUnavailableError).code).toBe('PORTAL_UNAVAILABLE');
      expect((errors[0] as PortalUnavailableError).cause).toBe(boom);
    } finally {
      stop();
    }
  });
});
