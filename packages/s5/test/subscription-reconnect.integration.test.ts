import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevnode, type Devnode } from '@s5chat/devnode';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistryEntry, Ed25519KeyPair, PortalClient, S5Identity, generateSeedPhrase, type RegistryEntry } from '../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 's5-sub-'));
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
      setTimeout(tick, 20);
    };
    tick();
  });
}

describe('registry subscription across a node restart', () => {
  it('reconnects, re-reads, and delivers updates written after the restart', async () => {
    node = await startDevnode({ port: 0, host: '127.0.0.1', dataDir, log: false });
    const port = Number(new URL(node.url).port);
    const identity = S5Identity.fromSeedPhrase(generateSeedPhrase());
    const watcher = new PortalClient({ portalUrl: node.url, identity, timeoutMs: 2000 });
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'reconnect'));
    await watcher.registrySet(createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) }));

    const seen: RegistryEntry[] = [];
    const unsubscribe = watcher.registrySubscribe(kp.publicKey, (e) => seen.push(e), { onError: () => undefined });
    try {
      await waitFor(() => seen.length === 1);
      await node.stop();
      node = await startDevnode({ port, host: '127.0.0.1', dataDir, log: false });
      const writer = new PortalClient({ portalUrl: node.url, identity, timeoutMs: 2000 });
      await writer.registrySet(createRegistryEntry({ keyPair: kp, revision: 2, data: new Uint8Array([2]) }));
      await waitFor(() => seen.some((e) => e.revision === 2));
      expect(seen.map((e) => e.revision)).toEqual([1, 2]);
    } finally {
      unsubscribe();
    }
  });
});
