import { get } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { blake3, decodeRegistryEntry, encodeRegistryEntry, verifyEd25519 } from '@s5chat/s5';
import type { Devnode } from '../../src/index.js';
import { decodeSeq, encodeSeq } from '../../src/p2p/framing.js';
import { entry, getEntry, postEntry, randomKeyPair, TestBed } from '../helpers.js';
import { registerToken } from '../fixtures/dart-client.js';
import { refusedUpgrade, TestPeer } from '../fixtures/p2p-client.js';

/** `/s5/p2p` on Dart (PORTALS.md §2.8): only for Host == the node's domain (here its own 127.0.0.1). */
describe.each(['dart', 'dart-0.14'] as const)('%s P2P', (profile) => {
  const bed = new TestBed();
  const peers: TestPeer[] = [];
  let node: Devnode;
  let token: string;
  beforeAll(async () => {
    node = await bed.node({ profile, timeScale: 0.005 });
    token = await registerToken(node.url, randomKeyPair());
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  afterAll(() => bed.cleanup());

  const wsUrl = (n = node) => n.url.replace('http://', 'ws://') + '/s5/p2p';

  /** The next frame starting with `type`, skipping others (the node also sends 13 queries on HTTP reads). */
  async function nextOf(peer: TestPeer, type: number): Promise<Uint8Array> {
    for (;;) {
      const f = await peer.next();
      if (f[0] === type) return f;
    }
  }

  /** Handshake as a client node; returns the peer and the node's decoded HandshakeDone values. */
  async function handshake(n = node): Promise<{ peer: TestPeer; done: unknown[]; key: ReturnType<typeof randomKeyPair> }> {
    const key = randomKeyPair();
    const peer = await TestPeer.connect(wsUrl(n));
    peers.push(peer);
    const [method, challenge] = decodeSeq(await peer.next()) as [number, Uint8Array];
    expect(method).toBe(1);
    const myChallenge = new Uint8Array(32).fill(9);
    peer.send(encodeSeq([1, myChallenge]));
    const signed = decodeSeq(await peer.next()) as [number, Uint8Array, Uint8Array, Uint8Array];
    expect(signed[0]).toBe(10);
    expect(verifyEd25519(signed[1], signed[3], signed[2])).toBe(true);
    const done = decodeSeq(signed[3]);
    const inner = encodeSeq([2, challenge, 3, 0]);
    peer.send(encodeSeq([10, key.publicKey, key.sign(inner), inner]));
    return { peer, done, key };
  }

  it('HandshakeDone carries uriCount 1 and ws://<domain>/s5/p2p; AnnouncePeers follows our handshake', async () => {
    const { peer, done, key } = await handshake();
    expect(done).toEqual([2, new Uint8Array(32).fill(9), 3, 1, `${wsUrl()}`]);
    const announce = decodeSeq(await peer.next()) as [number, Uint8Array, Uint8Array, Uint8Array];
    expect(announce[0]).toBe(10);
    const inner = decodeSeq(announce[3]);
    expect(inner[0]).toBe(8);
    expect(inner[1]).toBeGreaterThanOrEqual(1);
    expect(inner).toContainEqual(key.publicKey);
  });

  it('every new registry entry is broadcast to every connected peer; an equal revision over P2P is ignored', async () => {
    const a = await handshake();
    const b = await handshake();
    await a.peer.next(); // AnnouncePeers
    await b.peer.next();
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 1))).status).toBe(204);
    for (const p of [a.peer, b.peer]) expect(decodeRegistryEntry(await p.next()).revision).toBe(1);
    const two = entry(kp, 2);
    a.peer.send(encodeRegistryEntry(two));
    expect(decodeRegistryEntry(await b.peer.next()).revision).toBe(2);
    expect(await a.peer.silentFor(100)).toBe(true); // not echoed to the sender
    const twoAgain = entry(kp, 2); // same revision, other data
    a.peer.send(encodeRegistryEntry(twoAgain));
    expect(await b.peer.silentFor(100)).toBe(true);
    const stored = (await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number; data: string };
    expect(stored.revision).toBe(2);
    a.peer.send(encodeRegistryEntry(entry(kp, 1))); // lower: the node answers with its newer record
    expect(decodeRegistryEntry(await nextOf(a.peer, 0x07)).revision).toBe(2);
  });

  it('an HTTP read of a new key asks every peer (13); a peer that answers makes the GET succeed', async () => {
    const realTime = await bed.node({ profile }); // the real ≈2 s first-read wait, ended by the answer
    const holder = await handshake(realTime);
    await holder.peer.next(); // AnnouncePeers
    const kp = randomKeyPair();
    const read = getEntry(realTime.url, kp.publicKey);
    const query = decodeSeq(await nextOf(holder.peer, 13)) as [number, Uint8Array];
    expect(query[1]).toEqual(kp.publicKey);
    holder.peer.send(encodeRegistryEntry(entry(kp, 7)));
    const res = await read;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revision: number }).revision).toBe(7);
  });

  it(`registry queries the node cannot answer are ${profile === 'dart' ? 'forwarded once per key' : 'not forwarded (lib5 0.2.0)'}`, async () => {
    const asker = await handshake();
    const other = await handshake();
    await asker.peer.next();
    await other.peer.next();
    const kp = randomKeyPair();
    asker.peer.send(encodeSeq([13, kp.publicKey]));
    if (profile === 'dart') {
      expect((decodeSeq(await nextOf(other.peer, 13)) as [number, Uint8Array])[1]).toEqual(kp.publicKey);
      asker.peer.send(encodeSeq([13, kp.publicKey]));
    }
    expect(await other.peer.silentFor(150)).toBe(true);
  });

  it('hash query: only the exact 0x1f multihash of a stored blob is answered, with the store URL', async () => {
    const bytes = new Uint8Array(Buffer.from('p2p located'));
    const up = await fetch(`${node.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: bytes });
    expect(up.status).toBe(200);
    const { peer } = await handshake();
    await peer.next();
    const h1f = Uint8Array.of(0x1f, ...blake3(bytes));
    const h1e = Uint8Array.of(0x1e, ...blake3(bytes));
    peer.send(encodeSeq([4, h1e, [3, 5]]));
    expect(await peer.silentFor(100)).toBe(true);
    peer.send(encodeSeq([4, h1f, [3, 5]]));
    const loc = await peer.next();
    expect(loc[0]).toBe(0x05);
    expect(Buffer.from(loc.subarray(1, 34))).toEqual(Buffer.from(h1f));
    const url = new TextDecoder().decode(loc.subarray(42, 42 + (loc[40]! | (loc[41]! << 8))));
    expect(new URL(url).origin).not.toBe(new URL(node.url).origin);
    expect(new Uint8Array(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
  });

  it('Host rule: another host gets no P2P (HEAD: 500 DNSLink text; v0.14.1 localhost: 404), and no subscription route', async () => {
    const port = new URL(node.url).port;
    const other = await refusedUpgrade(wsUrl(), { host: `example.org:${port}` });
    expect(other).toEqual({ status: 500, body: 'No valid S5 dnslink record found for "example.org"' });
    const local = await refusedUpgrade(wsUrl(), { host: `localhost:${port}` });
    if (profile === 'dart') expect(local).toEqual({ status: 500, body: 'No valid S5 dnslink record found for "localhost"' });
    else expect(local).toEqual({ status: 404, body: '404 not found' });
    // v0.14.1 serves plain HTTP on localhost; HEAD answers every request there with the DNSLink error.
    // fetch cannot set Host; node:http can.
    const status = await new Promise<number>((resolve, reject) => {
      get(`${node.url}/s5/version`, { headers: { host: `localhost:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(profile === 'dart' ? 500 : 200);
    const sub = await refusedUpgrade(node.url.replace('http://', 'ws://') + '/s5/registry/subscription');
    expect(sub).toEqual({ status: 404, body: '404 not found' });
  });
});
