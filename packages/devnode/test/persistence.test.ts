import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { blake3, bytesToHex, registryEntryFromJson, verifyRegistryEntry } from '@s5chat/s5';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed, uploadRaw } from './helpers.js';
import { bundleCli, spawnCli, type CliProcess } from './fixtures/cli-process.js';

const bed = new TestBed();
afterEach(() => bed.cleanup());

describe('restart persistence', () => {
  it('blobs, registry (current and previous), accounts/tokens and the node key survive a clean restart', async () => {
    const dataDir = await bed.tempDir();
    let node = await bed.node({ dataDir });
    const token = await register(node.url);
    const kp = randomKeyPair();
    const bytes = new Uint8Array(randomBytes(3000));
    const { cid } = (await (await uploadRaw(node.url, token, bytes)).json()) as { cid: string };
    expect((await postEntry(node.url, token, entry(kp, 1))).status).toBe(204);
    expect((await postEntry(node.url, token, entry(kp, 2))).status).toBe(204);
    const p2pUrl = node.p2pUrl;
    await node.stop();

    node = await bed.node({ dataDir });
    expect(node.p2pUrl.split('@')[0]).toBe(p2pUrl.split('@')[0]);
    expect(node.stats().blobs).toEqual({ count: 1, bytes: 3000 });
    expect(new Uint8Array(await (await fetch(`${node.url}/s5/blob/${cid}`)).arrayBuffer())).toEqual(bytes);
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(2);
    // The token issued before the restart still authorises writes; the ordering rule still holds.
    expect((await postEntry(node.url, token, entry(kp, 2))).status).toBe(500);
    expect((await postEntry(node.url, token, entry(kp, 3))).status).toBe(204);
    // The previous revision was persisted too (it backs injected stale reads).
    node.setFaults({ staleReadRate: 1 });
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(2);
  });

  it('start-up removes partial tmp files and takes corrupt blobs out of service', async () => {
    const dataDir = await bed.tempDir();
    let node = await bed.node({ dataDir });
    const token = await register(node.url);
    const good = new TextEncoder().encode('good blob');
    await uploadRaw(node.url, token, good);
    await node.stop();

    await mkdir(join(dataDir, 'tmp'), { recursive: true });
    await writeFile(join(dataDir, 'tmp', 'deadbeef.1234.tmp'), 'half a blo');
    const bad = new TextEncoder().encode('bad blob');
    const badHex = bytesToHex(blake3(bad));
    await writeFile(join(dataDir, 'blobs', badHex), 'not the bytes the name promises');

    node = await bed.node({ dataDir });
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    expect(node.stats().blobs.count).toBe(1);
    expect((await readdir(join(dataDir, 'corrupt'))).some((f) => f.startsWith(badHex))).toBe(true);
    const id = (await import('@s5chat/s5')).BlobId.fromBytes(bad).toString('z');
    expect((await fetch(`${node.url}/s5/blob/${id}`)).status).toBe(404);
  });

  it('50 concurrent sets of one revision on a persistent node → exactly one wins', async () => {
    const node = await bed.node({ dataDir: await bed.tempDir() });
    const token = await register(node.url);
    const kp = randomKeyPair();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => postEntry(node.url, token, entry(kp, 1, new Uint8Array(33).fill(i)))),
    );
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(results.filter((r) => r.status === 500)).toHaveLength(49);
  });
});

describe('crash safety: kill -9 during a write loop', () => {
  let cli: string;
  const children: CliProcess[] = [];
  afterAll(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await rm(cli, { force: true });
  });

  it('every write acknowledged before SIGKILL is present after restart', { timeout: 60_000 }, async () => {
    cli = await bundleCli();
    const dataDir = await bed.tempDir();
    const writers = Array.from({ length: 6 }, () => randomKeyPair());
    const ackedRevision = new Map<number, number>();
    const ackedBlobs: Array<{ cid: string; bytes: Uint8Array }> = [];
    let token: string | undefined;

    for (let cycle = 0; cycle < 2; cycle++) {
      const proc = await spawnCli(cli, ['--port', '0', '--data', dataDir, '--quiet']);
      children.push(proc);
      token ??= await register(proc.portalUrl);
      let stop = false;
      let acks = 0;
      const loop = async (w: number) => {
        const kp = writers[w]!;
        while (!stop) {
          const rev = (ackedRevision.get(w) ?? 0) + 1;
          try {
            const bytes = new Uint8Array(randomBytes(64 + ((w * 997 + rev) % 4000)));
            const up = await uploadRaw(proc.portalUrl, token!, bytes);
            if (up.status === 200) {
              ackedBlobs.push({ cid: ((await up.json()) as { cid: string }).cid, bytes });
              acks++;
            }
            const res = await postEntry(proc.portalUrl, token!, entry(kp, rev));
            if (res.status === 204) {
              ackedRevision.set(w, rev);
              acks++;
            }
          } catch {
            return; // the node died under us: this write's outcome is unknown, which is allowed
          }
        }
      };
      const loops = writers.map((_, w) => loop(w));
      // Let the loop run until plenty of writes were acknowledged, then kill with requests in flight.
      while (acks < 60 * (cycle + 1)) await new Promise((r) => setTimeout(r, 10));
      proc.child.kill('SIGKILL');
      const { signal } = await proc.exited;
      stop = true;
      await Promise.all(loops);
      expect(signal).toBe('SIGKILL');
    }

    expect(ackedRevision.size).toBe(writers.length);
    const node = await bed.node({ dataDir });
    for (const [w, rev] of ackedRevision) {
      const res = await getEntry(node.url, writers[w]!.publicKey);
      expect(res.status).toBe(200);
      const stored = registryEntryFromJson(await res.json());
      expect(verifyRegistryEntry(stored)).toBe(true);
      // Acked revision present; at most the one in-flight write beyond it landed.
      expect(stored.revision).toBeGreaterThanOrEqual(rev);
      expect(stored.revision).toBeLessThanOrEqual(rev + 1);
    }
    for (const { cid, bytes } of ackedBlobs) {
      const res = await fetch(`${node.url}/s5/blob/${cid}`);
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
    }
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    // The account registered before both crashes still works.
    expect((await uploadRaw(node.url, token!, new Uint8Array([1]))).status).toBe(200);
    console.log(`kill -9: ${ackedBlobs.length} acknowledged blobs and ${[...ackedRevision.values()].reduce((a, b) => a + b, 0)} acknowledged registry sets all present after 2 crashes`);
  });
});
