/**
 * The P2P client against a scripted node on a real socket (a Dart-like one: uriCount 1 + URI,
 * AnnouncePeers, stream messages and queries interleaved) and a hostile one (forged entries,
 * a bad handshake signature). Nothing unverified reaches a listener; nothing crashes.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRegistryEntry,
  decodeSeq,
  Ed25519KeyPair,
  encodeRegistryEntry,
  encodeSeq,
  P2PClient,
  type RegistryEntry,
} from '../src/index.js';

function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
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

const nodeKey = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(9));
const userKey = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(3));

interface Script {
  /** Corrupt the node's HandshakeDone signature. */
  badHandshake?: boolean;
  /** Frames sent after the client's HandshakeDone arrived. */
  after: (ws: WebSocket) => void;
}

let servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
});

async function scriptedNode(script: Script): Promise<{ url: string; clientDone: () => boolean }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  servers.push(wss);
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let done = false;
  wss.on('connection', (ws) => {
    const challenge = new Uint8Array(32).fill(7);
    // Dart appends a network id only when configured; the client must tolerate it.
    ws.send(encodeSeq([1, challenge, 'some-network']));
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data);
      if (bytes[0] === 1) {
        const [, c] = decodeSeq(bytes) as [number, Uint8Array];
        const inner = encodeSeq([2, c, 3, 1, 'wss://s5.example.org/s5/p2p']);
        const sig = nodeKey.sign(inner);
        if (script.badHandshake) sig[0]! ^= 1;
        ws.send(encodeSeq([10, nodeKey.publicKey, sig, inner]));
      } else if (bytes[0] === 10) {
        const [, , , inner] = decodeSeq(bytes) as [number, Uint8Array, Uint8Array, Uint8Array];
        const [, echo, features] = decodeSeq(inner) as [number, Uint8Array, number];
        if (Buffer.from(echo).equals(Buffer.from(challenge)) && features === 3) {
          done = true;
          script.after(ws);
        }
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/s5/p2p`, clientDone: () => done };
}

describe('P2P client against scripted nodes', () => {
  it('accepts uriCount 1, ignores 8 / 0x08 / 13 / 4 / unknown bytes, and delivers only verified entries', async () => {
    const good = createRegistryEntry({ keyPair: userKey, revision: 5, data: new Uint8Array([1, 2]) });
    const forged = encodeRegistryEntry({ ...good, revision: 6 }); // signature of revision 5
    const announce = encodeSeq([8, 0]);
    const node = await scriptedNode({
      after: (ws) => {
        ws.send(encodeSeq([10, nodeKey.publicKey, nodeKey.sign(announce), announce]));
        ws.send(Uint8Array.of(0x08, 1, 2, 3));
        ws.send(encodeSeq([13, userKey.publicKey]));
        ws.send(encodeSeq([4, new Uint8Array(33).fill(0x1f), [3, 5]]));
        ws.send(Uint8Array.of(0xff, 0xfe));
        ws.send('a text frame');
        ws.send(forged);
        ws.send(encodeRegistryEntry(good).subarray(0, 80)); // truncated
        ws.send(encodeRegistryEntry(good));
      },
    });
    const errors: unknown[] = [];
    const seen: RegistryEntry[] = [];
    const client = new P2PClient({ url: node.url, onError: (e) => errors.push(e) });
    client.watch(userKey.publicKey, (e) => seen.push(e));
    try {
      await waitFor(() => seen.length === 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((e) => e.revision)).toEqual([5]);
      expect(client.state).toBe('connected');
      expect(client.node?.uris).toEqual(['wss://s5.example.org/s5/p2p']);
      expect(client.stats().entriesRejected).toBe(2);
      expect(errors).toContainEqual(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    } finally {
      client.close();
    }
  });

  it('never connects to a node whose handshake signature does not verify', async () => {
    const node = await scriptedNode({ badHandshake: true, after: () => undefined });
    const errors: unknown[] = [];
    const client = new P2PClient({ url: node.url, reconnectInitialMs: 20, reconnectMaxMs: 40, onError: (e) => errors.push(e) });
    client.watch(userKey.publicKey, () => undefined);
    try {
      await waitFor(() => client.state === 'unavailable');
      expect(errors).toContainEqual(expect.objectContaining({ code: 'P2P_PROTOCOL' }));
      expect(client.stats().handshakes).toBe(0);
    } finally {
      client.close();
    }
  });
});
