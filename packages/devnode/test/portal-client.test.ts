import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BlobId,
  createRegistryEntry,
  generateSeedPhrase,
  PortalClient,
  registryEntryToJson,
  S5Identity,
  toBase64Url,
  type RegistryEntry,
} from '@s5chat/s5';
import type { Devnode, DevnodeOptions } from '../src/index.js';
import { randomKeyPair, TestBed } from './helpers.js';

/**
 * Interop: the project's own S5 client (@s5chat/s5 PortalClient) against this node over real
 * sockets. Proves both sides agree on the contract (status codes, bodies, headers, token flow).
 */
const bed = new TestBed();
const clients: PortalClient[] = [];
afterAll(async () => {
  for (const c of clients) c.close();
  await bed.cleanup();
});

async function setup(opts: DevnodeOptions = {}): Promise<{ node: Devnode; client: PortalClient }> {
  const node = await bed.node(opts);
  const client = new PortalClient({
    portalUrl: node.url,
    identity: S5Identity.fromSeedPhrase(generateSeedPhrase()),
    policy: { maxRetries: 6, initialDelayMs: 1, maxDelayMs: 5, breakerThreshold: 1000 },
  });
  clients.push(client);
  return { node, client };
}

const sign = (revision: number, keyPair = randomKeyPair()) =>
  createRegistryEntry({ keyPair, revision, data: new Uint8Array(randomBytes(33)) });

describe('@s5chat/s5 PortalClient against the devnode', () => {
  it('registers lazily, uploads and downloads a blob', async () => {
    const { node, client } = await setup();
    const bytes = new Uint8Array(randomBytes(5000));
    const id = await client.uploadBlob(bytes);
    expect(id.equals(BlobId.fromBytes(bytes))).toBe(true);
    expect(await client.downloadBlob(id)).toEqual(bytes);
    expect(node.stats().requests.byRoute['POST /s5/account/register']).toBe(1);
  });

  it('registry get/set, and a conflict is RevisionTooLowError carrying the current revision', async () => {
    const { client } = await setup();
    const kp = randomKeyPair();
    expect(await client.registryGet(kp.publicKey)).toBeNull();
    await client.registrySet(sign(3, kp));
    expect((await client.registryGet(kp.publicKey))?.revision).toBe(3);
    await expect(client.registrySet(sign(3, kp))).rejects.toMatchObject({ code: 'REVISION_TOO_LOW', currentRevision: 3 });
    await expect(client.registrySet(sign(2, kp))).rejects.toMatchObject({ code: 'REVISION_TOO_LOW', currentRevision: 3 });
  });

  it('spurious conflicts reach the client as REVISION_TOO_LOW; injected 503s and resets are retried away', async () => {
    const { node, client } = await setup({ faults: { seed: 3 } });
    const kp = randomKeyPair();
    node.setFaults({ conflictRate: 1 });
    await expect(client.registrySet(sign(1, kp))).rejects.toMatchObject({ code: 'REVISION_TOO_LOW' });
    node.setFaults({ conflictRate: 0, errorRate: 0.3, resetRate: 0.2 });
    for (let rev = 1; rev <= 10; rev++) {
      // An ack lost to a reset-after-write makes the retry conflict; the client resolves it by reading back.
      await client.registrySet(sign(rev, kp));
    }
    node.setFaults({ errorRate: 0, resetRate: 0 });
    expect((await client.registryGet(kp.publicKey))?.revision).toBe(10);
    expect(client.stats().retries).toBeGreaterThan(0);
    expect(node.stats().faults.errors + node.stats().faults.resets).toBeGreaterThan(0);
  });

  it('subscription delivers updates written by another client', async () => {
    const { node, client } = await setup();
    const other = new PortalClient({ portalUrl: node.url, identity: S5Identity.fromSeedPhrase(generateSeedPhrase()) });
    clients.push(other);
    const kp = randomKeyPair();
    const seen: number[] = [];
    const unsubscribe = client.registrySubscribe(kp.publicKey, (e: RegistryEntry) => seen.push(e.revision));
    await new Promise((r) => setTimeout(r, 200));
    for (let rev = 1; rev <= 3; rev++) await other.registrySet(sign(rev, kp));
    const until = Date.now() + 3000;
    while (!seen.includes(3) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    unsubscribe();
    expect(seen).toContain(3);
  });

  it('tamper: altered blob bytes and a forged registry entry are refused with typed errors', async () => {
    const dataDir = await bed.tempDir();
    const { node, client } = await setup({ dataDir, verifyBlobsOnRead: false });
    const bytes = new TextEncoder().encode('original message');
    const id = await client.uploadBlob(bytes);
    await writeFile(join(dataDir, 'blobs', id.hashHex), 'tampered message');
    await expect(client.downloadBlob(id)).rejects.toMatchObject({ code: 'HASH_MISMATCH' });

    const kp = randomKeyPair();
    const forged = { ...registryEntryToJson(sign(7, kp)), signature: toBase64Url(new Uint8Array(64).fill(9)) };
    const res = await fetch(`${node.url}/admin/registry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(res.status).toBe(204);
    await expect(client.registryGet(kp.publicKey)).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
  });
});
