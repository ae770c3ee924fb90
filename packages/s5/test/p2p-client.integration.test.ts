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

// `dart` = the Dart HEAD profile: /s5/p2p only for Host = its domain (127.0.0.1:port), uriCount 1 +
// its URI in HandshakeDone, then AnnouncePeers.
describe.each(['devnode', 'dart'] as const)('P2P client against the %s profile', (profile) => {
  it('handshakes, receives pushed entries of watched keys only, on one socket, and reconnects after a restart', async () => {
    await node?.stop();
    const dir = join(dataDir, profile);
    node = await startDevnode({ port: 0, dataDir: dir, profile, timeScale: 0.005 });
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
      if (profile === 'dart') expect(client.node?.uris).toEqual([`ws://127.0.0.1:${port}/s5/p2p`]);

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
      node = await startDevnode({ port, dataDir: dir, profile, timeScale: 0.005 });
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
    node ??= await startDevnode({ port: 0, profile, timeScale: 0.005 });
    const client = new P2PClient({ portalUrl: node.url });
    const off = client.watch(key('c').publicKey, () => undefined);
    await waitFor(() => client.state === 'connected');
    off();
    expect(client.state).toBe('idle');
    client.close();
  });
});

describe('a portal without P2P', () => {
  it("says 'unavailable' with a typed error: dart-0.14 on Host localhost serves HTTP but no /s5/p2p (404)", async () => {
    const old = await startDevnode({ port: 0, profile: 'dart-0.14', timeScale: 0.005 });
    const url = `http://localhost:${new URL(old.url).port}`;
    const errors: unknown[] = [];
    const client = new P2PClient({ portalUrl: url, reconnectInitialMs: 20, reconnectMaxMs: 50, onError: (e) => errors.push(e) });
    client.watch(key('d').publicKey, () => undefined);
    try {
      await waitFor(() => client.state === 'unavailable');
      expect(errors).toContainEqual(expect.objectContaining({ code: 'P2P_UNAVAILABLE' }));
      expect(client.stats().handshakes).toBe(0);
    } finally {
      client.close();
      await old.stop();
    }
  });
});
