import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '@s5chat/s5';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed } from './helpers.js';
import { bundleCli, spawnCli, type CliProcess } from './fixtures/cli-process.js';

let cli: string;
const bed = new TestBed();
const procs: CliProcess[] = [];
beforeAll(async () => {
  cli = await bundleCli();
});
afterAll(async () => {
  for (const p of procs) p.child.kill('SIGKILL');
  await rm(cli, { force: true });
  await bed.cleanup();
});

async function start(args: string[]): Promise<CliProcess> {
  const p = await spawnCli(cli, args);
  procs.push(p);
  return p;
}

describe('s5chat-devnode CLI', () => {
  it('prints one JSON line with portalUrl and p2pUrl, then request logs; SIGTERM stops it cleanly', async () => {
    const p = await start(['--port', '0']);
    expect(p.portalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(p.p2pUrl).toMatch(new RegExp(`^ws://z[1-9A-HJ-NP-Za-km-z]+@${p.portalUrl.slice(7)}/s5/p2p$`));
    expect((await getEntry(p.portalUrl, randomKeyPair().publicKey)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 50));
    expect(p.lines.some((l) => / GET \/s5\/registry\?pk=\S+ 404 /.test(l))).toBe(true);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('SIGINT stops it cleanly and the data dir is reusable at once', async () => {
    const dataDir = await bed.tempDir();
    const a = await start(['--port', '0', '--data', dataDir, '--quiet']);
    const token = await register(a.portalUrl);
    const kp = randomKeyPair();
    expect((await postEntry(a.portalUrl, token, entry(kp, 1))).status).toBe(204);
    a.child.kill('SIGINT');
    expect((await a.exited).code).toBe(0);
    const b = await start(['--port', '0', '--data', dataDir, '--quiet']);
    expect(b.p2pUrl.split('@')[0]).toBe(a.p2pUrl.split('@')[0]);
    expect((await getEntry(b.portalUrl, kp.publicKey)).status).toBe(200);
    expect((await postEntry(b.portalUrl, token, entry(kp, 2))).status).toBe(204);
  });

  it('fault flags are applied', async () => {
    const p = await start(['--port', '0', '--error-rate', '1', '--quiet']);
    expect((await getEntry(p.portalUrl, randomKeyPair().publicKey)).status).toBe(503);
    const faults = (await (await fetch(`${p.portalUrl}/admin/faults`)).json()) as Record<string, number>;
    expect(faults).toMatchObject({ errorRate: 1, conflictRate: 0, latencyMs: 0 });
    const q = await start(['--port', '0', '--conflict-rate', '0.5', '--stale-read-rate', '0.25', '--latency-ms', '5', '--jitter-ms', '3', '--reset-rate', '0.1', '--seed', '9', '--quiet']);
    expect(await (await fetch(`${q.portalUrl}/admin/faults`)).json()).toEqual({
      latencyMs: 5,
      jitterMs: 3,
      errorRate: 0,
      conflictRate: 0.5,
      staleReadRate: 0.25,
      resetRate: 0.1,
    });
  });

  it('rejects invalid flags with a non-zero exit', async () => {
    await expect(spawnCli(cli, ['--error-rate', '7'])).rejects.toThrow(/exited with 1/);
    await expect(spawnCli(cli, ['--port', 'abc'])).rejects.toThrow(/exited with 1/);
    await expect(spawnCli(cli, ['--profile', 'ipfs'])).rejects.toThrow(/exited with 1/);
    await expect(spawnCli(cli, ['--time-scale', '-2'])).rejects.toThrow(/exited with 1/);
    await expect(spawnCli(cli, ['--profile', 'lumeweb', '--invite', 'x'])).rejects.toThrow(/exited with 1/);
  });

  it('--profile dart --invite <t> --time-scale <n>: a Dart portal with invite-gated registration', async () => {
    const p = await start(['--port', '0', '--profile', 'dart', '--invite', 'inv-1', '--invite', 'inv-2', '--time-scale', '0.01', '--quiet']);
    expect(await (await fetch(`${p.portalUrl}/s5/version`)).json()).toEqual({ node: '1.0.0-pre.1' });
    const pubKey = toBase64Url(randomKeyPair().publicKey);
    expect((await fetch(`${p.portalUrl}/s5/account/register?pubKey=${pubKey}`)).status).toBe(401);
    expect((await fetch(`${p.portalUrl}/s5/account/register?pubKey=${pubKey}`, { headers: { authorization: 'Bearer inv-2' } })).status).toBe(200);
    const t0 = Date.now();
    const miss = await fetch(`${p.portalUrl}/s5/blob/z${'2'.repeat(40)}`);
    expect(miss.status).toBe(500); // after 600 ms, not 60 s
    expect(Date.now() - t0).toBeLessThan(30_000);
    const q = await start(['--port', '0', '--profile', 'dart-0.14', '--quiet']);
    expect(await (await fetch(`${q.portalUrl}/s5/version`)).json()).toEqual({ node: '0.14.1' });
  });
});
