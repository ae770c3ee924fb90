import { startDevnode, type Devnode } from '@s5chat/devnode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, BlobId, PortalClient, S5Identity, generateSeedPhrase } from '../src/index.js';

let node: Devnode;

beforeAll(async () => {
  node = await startDevnode({ port: 0, host: '127.0.0.1', log: false });
});
afterAll(async () => {
  await node?.stop();
});

describe('shared lazy login and per-caller abort signals (real devnode)', () => {
  it("one caller aborting does not fail another caller that joined the same login", async () => {
    // Latency so the login is still in flight when caller A aborts.
    node.setFaults({ latencyMs: 150 });
    try {
      const client = new PortalClient({
        portalUrl: node.url,
        identity: S5Identity.fromSeedPhrase(generateSeedPhrase()),
        timeoutMs: 5000,
      });
      const controller = new AbortController();
      const a = client.uploadBlob(new TextEncoder().encode('caller A'), { signal: controller.signal });
      const b = client.uploadBlob(new TextEncoder().encode('caller B')); // no signal: must not be aborted by A
      setTimeout(() => controller.abort(), 50);
      await expect(a).rejects.toBeInstanceOf(AbortError);
      const id = await b;
      expect(id.equals(BlobId.fromBytes(new TextEncoder().encode('caller B')))).toBe(true);
      expect(client.isLoggedIn).toBe(true);
    } finally {
      node.setFaults({ latencyMs: 0 });
    }
  });
});
