import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeRegistryEntry,
  Ed25519KeyPair,
  encodeRegistryEntry,
  verifyEd25519,
} from '@s5chat/s5';
import { encodeStorageLocation, type Devnode } from '../src/index.js';
import { decodeSeq, encodeSeq } from '../src/p2p/framing.js';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed, uploadRaw } from './helpers.js';
import { TestPeer } from './fixtures/p2p-client.js';
import { frame, hex, V } from './vectors.js';

const bed = new TestBed();
const peers: TestPeer[] = [];
let node: Devnode;
let token: string;
const nodeSeed = hex(V.p2p.node_seed_hex);
const clientKey = Ed25519KeyPair.fromSeed(hex(V.p2p.client_node_seed_hex));

beforeAll(async () => {
  node = await bed.node({ nodeSeed });
  token = await register(node.url);
});
afterEach(() => {
  for (const p of peers.splice(0)) p.close();
});
afterAll(() => bed.cleanup());

const wsUrl = (n: Devnode, path = '/s5/p2p') => n.url.replace('http://', 'ws://') + path;

async function connect(n = node, path?: string): Promise<TestPeer> {
  const p = await TestPeer.connect(wsUrl(n, path));
  peers.push(p);
  return p;
}

/** Full handshake both ways, as s5.js does it; returns the peer and the node's open frame. */
async function handshake(n = node, key = clientKey): Promise<TestPeer> {
  const peer = await connect(n);
  const open = await peer.next();
  const [method, challenge] = decodeSeq(open) as [number, Uint8Array];
  expect(method).toBe(1);
  const inner = encodeSeq([2, challenge, 3, 0]);
  peer.send(encodeSeq([10, key.publicKey, key.sign(inner), inner]));
  return peer;
}

const waitFor = async (cond: () => boolean, ms = 2000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('P2P framing against the vectors (PROTOCOL §7)', () => {
  it('the node id and peer URI come from the node key', () => {
    expect(Buffer.from(node.nodeId).toString('hex')).toBe(V.p2p.node_id_hex);
    expect(node.p2pUrl).toBe(`ws://${V.p2p.node_id_z}@${node.url.slice('http://'.length)}/s5/p2p`);
  });

  it('encodeSeq reproduces the s5.js client frames byte for byte', () => {
    const done = frame('client_signed_handshake_done');
    const inner = hex(done.inner_hex!);
    expect(encodeSeq([2, hex('c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf'), 3, 0])).toEqual(inner);
    expect(encodeSeq([10, clientKey.publicKey, hex(done.signature_hex!), inner])).toEqual(hex(done.hex));
    expect(clientKey.sign(inner)).toEqual(hex(done.signature_hex!));
    expect(encodeSeq([13, hex(V.registry.key.multikey_hex)])).toEqual(hex(frame('client_registry_query').hex));
  });

  it('the storage-location encoder reproduces the accepted vector record', () => {
    const f = frame('node_storage_location');
    const query = decodeSeq(hex(frame('client_hash_query').hex)) as [number, Uint8Array, number[]];
    expect(query[2]).toEqual([3, 5]);
    const record = encodeStorageLocation({ hash33: query[1], urls: [f.url!], expiry: f.expiry!, keyPair: Ed25519KeyPair.fromSeed(nodeSeed) });
    expect(Buffer.from(record).toString('hex')).toBe(f.hex);
  });
});

describe('P2P WebSocket /s5/p2p', () => {
  it('sends [1, bin32 challenge] and nothing else on accept', async () => {
    const peer = await connect();
    const open = await peer.next();
    expect(open.length).toBe(35);
    expect(Array.from(open.subarray(0, 3))).toEqual([0x01, 0xc4, 0x20]);
    expect(await peer.silentFor(100)).toBe(true);
  });

  it('answers the s5.js HandshakeOpen vector with exactly the accepted node_signed_handshake_done', async () => {
    const peer = await connect();
    await peer.next(); // our open
    peer.send(hex(frame('client_handshake_open').hex));
    expect(Buffer.from(await peer.next()).toString('hex')).toBe(frame('node_signed_handshake_done').hex);
  });

  it('marks the peer connected only after a valid signed echo of its challenge', async () => {
    const before = node.stats().p2p.handshakes;
    // Wrong echo → rejected.
    const bad = await connect();
    await bad.next();
    const wrongInner = encodeSeq([2, new Uint8Array(32), 3, 0]);
    bad.send(encodeSeq([10, clientKey.publicKey, clientKey.sign(wrongInner), wrongInner]));
    // Valid echo signed by someone else's key → rejected.
    const forged = await connect();
    const [, ch] = decodeSeq(await forged.next()) as [number, Uint8Array];
    const inner = encodeSeq([2, ch, 3, 0]);
    forged.send(encodeSeq([10, clientKey.publicKey, randomKeyPair().sign(inner), inner]));
    await new Promise((r) => setTimeout(r, 100));
    expect(node.stats().p2p.handshakes).toBe(before);
    await handshake();
    await waitFor(() => node.stats().p2p.handshakes === before + 1);
  });

  it('registry query: answers with the raw 0x07 record (the vector bytes), silence for unknown keys', async () => {
    const n = await bed.node({ nodeSeed });
    const t = await register(n.url);
    expect((await postEntry(n.url, t, V.registry.entries[1]!.http_json)).status).toBe(204);
    const peer = await handshake(n);
    peer.send(hex(frame('client_registry_query').hex));
    expect(Buffer.from(await peer.next()).toString('hex')).toBe(frame('node_registry_entry').hex);
    peer.send(encodeSeq([13, randomKeyPair().publicKey]));
    expect(await peer.silentFor(200)).toBe(true);
  });

  it('registry push: stores a newer record, broadcasts it to other peers and HTTP subscribers, returns newer to stale senders', async () => {
    const n = await bed.node({ nodeSeed });
    const t = await register(n.url);
    const pk = hex(V.registry.key.multikey_hex);
    expect((await postEntry(n.url, t, V.registry.entries[1]!.http_json)).status).toBe(204);
    const pusher = await handshake(n);
    const listener = await handshake(n, randomKeyPair());
    const sub = await connect(n, '/s5/registry/subscription');
    sub.send(encodeSeq([2, pk]));
    expect(Buffer.from(await sub.next()).toString('hex')).toBe(frame('node_registry_entry').hex); // current entry on subscribe
    await waitFor(() => n.stats().p2p.handshakes === 2);

    pusher.send(hex(frame('client_registry_push').hex)); // revision 2
    expect(Buffer.from(await listener.next()).toString('hex')).toBe(frame('client_registry_push').hex);
    expect(Buffer.from(await sub.next()).toString('hex')).toBe(frame('client_registry_push').hex);
    expect(await pusher.silentFor(100)).toBe(true); // not echoed to its sender
    expect(((await (await getEntry(n.url, pk)).json()) as { revision: number }).revision).toBe(2);

    // A stale push (revision 1) gets the stored newer record back; an equal one is ignored.
    pusher.send(hex(frame('node_registry_entry').hex));
    expect(Buffer.from(await pusher.next()).toString('hex')).toBe(frame('client_registry_push').hex);
    pusher.send(hex(frame('client_registry_push').hex));
    expect(await pusher.silentFor(100)).toBe(true);
  });

  it('an HTTP registry write is broadcast to connected peers', async () => {
    const peer = await handshake();
    await waitFor(() => node.stats().p2p.handshakes > 0);
    await new Promise((r) => setTimeout(r, 20));
    const kp = randomKeyPair();
    const e = entry(kp, 1);
    expect((await postEntry(node.url, token, e)).status).toBe(204);
    expect(await peer.next()).toEqual(encodeRegistryEntry(e));
  });

  it('rejects pushed records with a bad signature, and never stores them', async () => {
    const peer = await handshake();
    const kp = randomKeyPair();
    const wire = encodeRegistryEntry(entry(kp, 1));
    wire[wire.length - 1]! ^= 0xff;
    const before = node.stats().p2p.framesRejected;
    peer.send(wire);
    await waitFor(() => node.stats().p2p.framesRejected === before + 1);
    expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
  });

  it('hash query (0x1f) → signed storage location for the same 33 bytes pointing at /s5/blob/, served without auth', async () => {
    const bytes = new TextEncoder().encode('hello world');
    await uploadRaw(node.url, token, bytes);
    const peer = await handshake();
    peer.send(hex(frame('client_hash_query').hex));
    const record = await peer.next();
    expect(record[0]).toBe(0x05);
    const query = decodeSeq(hex(frame('client_hash_query').hex)) as [number, Uint8Array];
    expect(record.subarray(1, 34)).toEqual(query[1]);
    expect(record[34]).toBe(5);
    const view = new DataView(record.buffer, record.byteOffset);
    expect(view.getUint32(35, true)).toBeGreaterThan(Date.now() / 1000);
    expect(record[39]).toBe(1);
    const urlLength = view.getUint16(40, true);
    const url = new TextDecoder().decode(record.subarray(42, 42 + urlLength));
    expect(url.startsWith(`${node.url}/s5/blob/z`)).toBe(true);
    const signedEnd = 42 + urlLength + 1;
    expect(record[signedEnd - 1]).toBe(0);
    const nodeId = record.subarray(signedEnd, signedEnd + 33);
    expect(nodeId).toEqual(node.nodeId);
    expect(verifyEd25519(nodeId, record.subarray(0, signedEnd), record.subarray(signedEnd + 33))).toBe(true);
    expect(record.length).toBe(signedEnd + 33 + 64);
    const res = await fetch(url); // no Authorization header
    expect(new TextDecoder().decode(await res.arrayBuffer())).toBe('hello world');
    // Unknown hashes get silence.
    peer.send(encodeSeq([4, new Uint8Array([0x1f, ...randomBytes(32)]), [3, 5]]));
    expect(await peer.silentFor(200)).toBe(true);
  });

  it('survives garbage: text frames, random bytes, truncated msgpack, wrong arity, oversize frames', async () => {
    const peer = await handshake();
    const before = node.stats().p2p.framesRejected;
    peer.send('hello');
    peer.send(new Uint8Array([0x0a, 0xc4]));
    peer.send(new Uint8Array([0x01]));
    peer.send(new Uint8Array([0x0d, 0xc4, 0x21, 1, 2, 3]));
    peer.send(encodeSeq([10, new Uint8Array(33)]));
    peer.send(new Uint8Array([0x07, 1, 2, 3]));
    peer.send(encodeSeq([4, 'not bytes', [3]]));
    for (let i = 0; i < 20; i++) peer.send(new Uint8Array(randomBytes(1 + (i * 37) % 300)));
    await waitFor(() => node.stats().p2p.framesRejected >= before + 7);
    // Still answering on the same socket:
    const kp = randomKeyPair();
    await postEntry(node.url, token, entry(kp, 1));
    peer.send(encodeSeq([13, kp.publicKey]));
    let got: Uint8Array;
    do got = await peer.next(); while (got[0] !== 0x07 || decodeRegistryEntry(got).revision !== 1 || !Buffer.from(got.subarray(1, 34)).equals(Buffer.from(kp.publicKey)));
    // An oversize frame closes that socket only.
    const big = await connect();
    big.send(new Uint8Array(200_000));
    await waitFor(() => big.closed);
    const again = await handshake();
    again.send(encodeSeq([13, kp.publicKey]));
    expect(decodeRegistryEntry(await again.next()).revision).toBe(1);
  });

  it('subscription socket: pushes every accepted update of the subscribed key, ignores garbage', async () => {
    const sub = await connect(node, '/s5/registry/subscription');
    const kp = randomKeyPair();
    sub.send('text');
    sub.send(new Uint8Array([2, 0xc4, 0x21]));
    sub.send(encodeSeq([2, kp.publicKey]));
    await new Promise((r) => setTimeout(r, 50));
    for (let rev = 1; rev <= 3; rev++) {
      const e = entry(kp, rev);
      expect((await postEntry(node.url, token, e)).status).toBe(204);
      expect(await sub.next()).toEqual(encodeRegistryEntry(e));
    }
    // Rejected sets are not pushed.
    await postEntry(node.url, token, entry(kp, 2));
    expect(await sub.silentFor(100)).toBe(true);
  });

  it('unknown WebSocket paths are refused', async () => {
    await expect(TestPeer.connect(wsUrl(node, '/s5/nope'))).rejects.toThrow();
  });
});
