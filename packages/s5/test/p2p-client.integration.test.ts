/**
 * The P2P client against the REAL devnode over real sockets: handshake, entry push filtered by key,
 * one socket for many keys, reconnect across a node restart on the same port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevnode, type Devnode } from '@s5chat/devnode';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRegistryEntry,
  Ed25519KeyPair,
  P2PClient,
  p2pUrlFor,
  PortalClient,
  S5Identity,
  generateSeedPhrase,
  type P2PState,
  type RegistryEntry,
} from '../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 's5-p2p-'));
let node: Devnode | undefined;
afterAll(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function waitFor(predicate: () => boolean, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > ms) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const identity = S5Identity.fromSeedPhrase(generateSeedPhrase());
const key = (name: string) => Ed25519KeyPair.fromSeed(identity.deriveSeed('p2p-test', name));
const entry = (kp: Ed25519KeyPair, revision: number) => createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([revision]) });

describe('p2pUrlFor', () => {
  it('derives ws/wss from the portal URL and strips a peer URI userinfo', () => {
    expect(p2pUrlFor({ portalUrl: 'http://127.0.0.1:5050' })).toBe('ws://127.0.0.1:5050/s5/p2p');
    expect(p2pUrlFor({ portalUrl: 'https://s5.example.org/some/path?x=1' })).toBe('wss://s5.example.org/s5/p2p');
    expect(p2pUrlFor({ url: 'ws://zNodeId@127.0.0.1:5050/s5/p2p' })).toBe('ws://127.0.0.1:5050/s5/p2p');
    expect(() => p2pUrlFor({ portalUrl: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => p2pUrlFor({ url: 'http://x/s5/p2p' })).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });
});

describe('P2P client against the devnode', () => {
  it('handshakes, receives pushed entries of watched keys only, on one socket, and reconnects after a restart', async () => {
    node = await startDevnode({ port: 0, dataDir });
    const port = Number(new URL(node.url).port);
    const writer = new PortalClient({ portalUrl: node.url, identity, timeoutMs: 3000 });
    const [a, b, other] = [key('a'), key('b'), key('other')];

    const states: P2PState[] = [];
    const client = new P2PClient({ portalUrl: node.url, reconnectInitialMs: 50, reconnectMaxMs: 300 });
    client.onState((s) => states.push(s));
    const seenA: RegistryEntry[] = [];
    const seenB: RegistryEntry[] = [];
    const offA = client.watch(a.publicKey, (e) => seenA.push(e));
    const offB = client.watch(b.publicKey, (e) => seenB.push(e));
    try {
      await waitFor(() => client.state === 'connected');
      expect(node.stats().p2p.handshakes).toBe(1);
      expect(node.stats().p2p.connections).toBe(1); // one socket for both keys
      expect(client.node?.nodeId).toEqual(node.nodeId);

      await writer.registrySet(entry(a, 1));
      await writer.registrySet(entry(other, 1));
      await writer.registrySet(entry(b, 1));
      await writer.registrySet(entry(a, 2));
      await waitFor(() => seenA.length === 2 && seenB.length === 1);
      expect(seenA.map((e) => e.revision)).toEqual([1, 2]);
      expect(seenB.map((e) => e.revision)).toEqual([1]);
      expect(client.stats().entriesDelivered).toBe(3); // `other` was received, verified and dropped

      await node.stop();
      await waitFor(() => client.state !== 'connected');
      node = await startDevnode({ port, dataDir });
      await waitFor(() => client.state === 'connected');
      const writer2 = new PortalClient({ portalUrl: node.url, identity, timeoutMs: 3000 });
      await writer2.registrySet(entry(b, 2));
      await waitFor(() => seenB.length === 2);
      expect(seenB.map((e) => e.revision)).toEqual([1, 2]);
      expect(states).toContain('connected');
      expect(states).toContain('disconnected');
    } finally {
      offA();
      offB();
      client.close();
    }
    expect(client.state).toBe('closed');
  });

  it('closes the socket when the last watcher leaves', async () => {
    node ??= await startDevnode({ port: 0 });
    const client = new P2PClient({ portalUrl: node.url });
    const off = client.watch(key('c').publicKey, () => undefined);
    await waitFor(() => client.state === 'connected');
    off();
    expect(client.state).toBe('idle');
    client.close();
  });

  it("says 'unavailable' with a typed error where the portal has no /s5/p2p (404)", async () => {
    // A plain HTTP server answering every upgrade with 404, as a Dart node without a domain does.
    const { createServer } = await import('node:http');
    const server = createServer((_, res) => res.writeHead(404).end('404 not found'));
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const errors: unknown[] = [];
    const client = new P2PClient({ portalUrl: url, reconnectInitialMs: 20, reconnectMaxMs: 50, onError: (e) => errors.push(e) });
    client.watch(key('d').publicKey, () => undefined);
    try {
      await waitFor(() => client.state === 'unavailable');
      expect(errors).toContainEqual(expect.objectContaining({ code: 'P2P_UNAVAILABLE' }));
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});
