import { afterAll, describe, expect, it } from 'vitest';
import { blake3, toBase64Url } from '@s5chat/s5';
import { entry, getEntry, postEntry, randomKeyPair, TestBed } from '../helpers.js';
import { flow, getChallenge, registerToken } from '../fixtures/dart-client.js';

const bed = new TestBed();
afterAll(() => bed.cleanup());

describe('invite-gated registration (PORTALS.md §2.1 "register auth")', () => {
  it.each(['dart', 'dart-0.14'] as const)('%s: a listed Bearer token is needed on register GET and POST; login needs none', async (profile) => {
    const node = await bed.node({ profile, registration: 'invite', inviteTokens: ['invite-123'] });
    const kp = randomKeyPair();
    const noAuth = await getChallenge(node.url, kp, 'register');
    expect([noAuth.status, await noAuth.text()]).toEqual([401, '{"error":"No auth token found"}']);
    const wrong = await getChallenge(node.url, kp, 'register', 'Bearer nope');
    expect([wrong.status, await wrong.text()]).toEqual([401, '{"error":"Invalid auth token"}']);
    // GET with the invite, POST without: refused.
    const get = await getChallenge(node.url, kp, 'register', 'Bearer invite-123');
    expect(get.status).toBe(200);
    const post = await fetch(`${node.url}/s5/account/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([post.status, await post.text()]).toEqual([401, '{"error":"No auth token found"}']);
    const token = await registerToken(node.url, kp, { authorization: 'Bearer invite-123' });
    // An account token is not an invite.
    const withAccountToken = await getChallenge(node.url, randomKeyPair(), 'register', `Bearer ${token}`);
    expect(withAccountToken.status).toBe(401);
    expect((await flow(node.url, kp, 'login')).status).toBe(200);
  });

  it('registration: invite without tokens is closed; bad combinations are refused at start', async () => {
    const closed = await bed.node({ profile: 'dart', registration: 'invite' });
    expect((await getChallenge(closed.url, randomKeyPair(), 'register', 'Bearer anything')).status).toBe(401);
    await expect(bed.node({ profile: 'dart', registration: 'open', inviteTokens: ['x'] })).rejects.toThrow(TypeError);
    await expect(bed.node({ profile: 'lumeweb', registration: 'invite' })).rejects.toThrow(TypeError);
    await expect(bed.node({ profile: 'nope' as 'dart' })).rejects.toThrow(/profile must be one of/);
    await expect(bed.node({ profile: 'dart', timeScale: -1 })).rejects.toThrow(/timeScale/);
  });
});

describe('registry read timing and staleness (PORTALS.md §2.6)', () => {
  it('the first read of a missing key waits ≈2 s × timeScale; an entry written meanwhile ends the wait with a 200', async () => {
    const node = await bed.node({ profile: 'dart', timeScale: 0.05 });
    const token = await registerToken(node.url, randomKeyPair());
    const kp = randomKeyPair();
    const t0 = Date.now();
    expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000 * 0.05 - 5);
    const slow = await bed.node({ profile: 'dart', timeScale: 1 });
    const slowToken = await registerToken(slow.url, randomKeyPair());
    const kp2 = randomKeyPair();
    const pending = getEntry(slow.url, kp2.publicKey);
    await new Promise((r) => setTimeout(r, 50));
    expect((await postEntry(slow.url, slowToken, entry(kp2, 3))).status).toBe(204);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revision: number }).revision).toBe(3);
    expect(token).toMatch(/^S5A/);
  });

  it('the stale-read fault knob works on the dart profile: the previous revision is served', async () => {
    const node = await bed.node({ profile: 'dart', timeScale: 0.001 });
    const token = await registerToken(node.url, randomKeyPair());
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 1))).status).toBe(204);
    expect((await postEntry(node.url, token, entry(kp, 2))).status).toBe(204);
    node.setFaults({ staleReadRate: 1 });
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(1);
    node.setFaults({ staleReadRate: 0 });
    expect(((await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number }).revision).toBe(2);
    expect(node.stats().faults.staleReads).toBe(1);
  });
});

describe('fault knobs on portal profiles', () => {
  it.each(['dart', 'dart-0.14'] as const)('%s: errors, conflicts, latency and both kinds of reset', async (profile) => {
    const node = await bed.node({ profile, timeScale: 0.001, faults: { seed: 7 } });
    const token = await registerToken(node.url, randomKeyPair());
    const kp = randomKeyPair();
    node.setFaults({ errorRate: 1 });
    expect((await fetch(`${node.url}/s5/version`)).status).toBe(503);
    node.setFaults({ errorRate: 0, conflictRate: 1 });
    const conflict = await postEntry(node.url, token, entry(kp, 1));
    expect([conflict.status, await conflict.text()]).toEqual([500, 'Revision number too low']);
    node.setFaults({ conflictRate: 0, latencyMs: 30 });
    const t0 = Date.now();
    expect((await fetch(`${node.url}/s5/version`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    node.setFaults({ latencyMs: 0, resetRate: 1 });
    let resets = 0;
    for (let rev = 1; rev <= 8; rev++) {
      await postEntry(node.url, token, entry(kp, rev)).then(() => {}, () => resets++);
    }
    expect(resets).toBe(8);
    node.setFaults({ resetRate: 0 });
    // Some of those resets happened after the write was handled: the entry is there although no client saw a reply.
    const stored = await getEntry(node.url, kp.publicKey);
    expect(stored.status).toBe(200);
    expect(node.stats().faults).toMatchObject({ errors: 1, conflicts: 1, resets: 8 });
  });
});

describe('tus (PORTALS.md §2.4)', () => {
  const tusHash = (bytes: Uint8Array, type = 0x1f) =>
    Buffer.from(toBase64Url(Uint8Array.of(type, ...blake3(bytes)))).toString('base64');

  it.each(['dart', 'dart-0.14'] as const)('%s: POST needs a token, PATCH/HEAD do not; 0x1f hash completes, 0x1e fails, repeat is 409', async (profile) => {
    const node = await bed.node({ profile, timeScale: 0.001 });
    const token = await registerToken(node.url, randomKeyPair());
    const bytes = new Uint8Array(Buffer.from('a tus upload in two parts'));
    const create = (hashMeta: string, auth = true) =>
      fetch(`${node.url}/s5/upload/tus?x=1`, {
        method: 'POST',
        headers: { 'upload-length': String(bytes.length), 'upload-metadata': `hash ${hashMeta}`, 'tus-resumable': '1.0.0', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      });
    expect((await create(tusHash(bytes), false)).status).toBe(401);
    const created = await create(tusHash(bytes));
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location')!);
    expect(location.pathname).toMatch(/^\/s5\/upload\/tus\/[1-9A-HJ-NP-Za-km-z]+$/);
    expect(location.search).toBe('?x=1');
    const patch = (offset: number, chunk: Uint8Array) =>
      fetch(location, { method: 'PATCH', headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(chunk) });
    const bad = await patch(3, bytes.subarray(0, 5));
    expect([bad.status, await bad.text()]).toEqual([500, 'Invalid offset']);
    const first = await patch(0, bytes.subarray(0, 10));
    expect([first.status, first.headers.get('upload-offset')]).toEqual([204, '10']);
    const head = await fetch(location, { method: 'HEAD' });
    expect([head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual(['10', String(bytes.length)]);
    const last = await patch(10, bytes.subarray(10));
    expect([last.status, last.headers.get('upload-offset')]).toEqual([204, String(bytes.length)]);
    const again = await create(tusHash(bytes));
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/^Raw file with CID z[1-9A-HJ-NP-Za-km-z]+ has already been uploaded to this node$/);

    const other = new Uint8Array(Buffer.from('announced with the 0x1e hash'));
    const wrong = await fetch(`${node.url}/s5/upload/tus`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'upload-length': String(other.length), 'upload-metadata': `hash ${tusHash(other, 0x1e)}` },
    });
    expect(wrong.status).toBe(201);
    const fin = await fetch(wrong.headers.get('location')!, { method: 'PATCH', headers: { 'upload-offset': '0' }, body: other });
    expect([fin.status, await fin.text()]).toEqual([500, 'Invalid hash found']);
  });
});

describe("Alfred's request queue (PORTALS.md §2.11)", () => {
  it('50 requests in flight, the rest queued: with 50 blob misses pending, a 51st request waits for one of them', async () => {
    const node = await bed.node({ profile: 'dart', timeScale: 0.01 }); // a miss holds its slot 600 ms
    const order: string[] = [];
    const missId = 'z' + '2'.repeat(40);
    const misses = Array.from({ length: 50 }, () =>
      fetch(`${node.url}/s5/blob/${missId}`).then(async (r) => {
        await r.text();
        order.push('miss');
      }),
    );
    await new Promise((r) => setTimeout(r, 150));
    const version = fetch(`${node.url}/s5/version`).then(async (r) => {
      await r.text();
      order.push('version');
    });
    await Promise.all([...misses, version]);
    expect(order.indexOf('version')).toBeGreaterThan(0);
    // And without the misses a request is answered at once: the devnode profile has no queue.
    const free = await bed.node({ profile: 'devnode' });
    expect((await fetch(`${free.url}/s5/registry?pk=${toBase64Url(randomKeyPair().publicKey)}`)).status).toBe(404);
  });
});

describe('keep-alive (PORTALS.md §2.11)', () => {
  it('dart closes an idle keep-alive socket after 1 s', async () => {
    const { Agent, get } = await import('node:http');
    const node = await bed.node({ profile: 'dart' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const closed = await new Promise<boolean>((resolve, reject) => {
      const req = get(`${node.url}/s5/version`, { agent }, (res) => res.resume());
      req.on('error', reject);
      req.on('socket', (socket) => {
        const timer = setTimeout(() => resolve(false), 3000); // Node's default would keep it 5 s
        socket.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    });
    agent.destroy();
    expect(closed).toBe(true);
  });
});

describe('persistence on a Dart profile', () => {
  it('accounts, tokens, blobs and entries survive a restart; pending challenges do not', async () => {
    const dataDir = await bed.tempDir();
    const a = await bed.node({ profile: 'dart', dataDir, timeScale: 0.001 });
    const kp = randomKeyPair();
    const token = await registerToken(a.url, kp);
    const bytes = new Uint8Array(Buffer.from('persisted'));
    const { cid } = (await (
      await fetch(`${a.url}/s5/upload`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' }, body: bytes })
    ).json()) as { cid: string };
    const writer = randomKeyPair();
    expect((await postEntry(a.url, token, entry(writer, 4))).status).toBe(204);
    const challenge = ((await (await getChallenge(a.url, kp, 'login')).json()) as { challenge: string }).challenge;
    await a.stop();
    const b = await bed.node({ profile: 'dart', dataDir, timeScale: 0.001 });
    const { fromBase64Url } = await import('@s5chat/s5');
    const { postResponse } = await import('../fixtures/dart-client.js');
    const stale = await postResponse(b.url, kp, 'login', fromBase64Url(challenge));
    expect([stale.status, await stale.text()]).toEqual([500, 'No challenge exists for this pubKey']);
    expect((await flow(b.url, kp, 'login')).status).toBe(200);
    expect(new Uint8Array(await (await fetch(`${b.url}/s5/blob/${cid}`)).arrayBuffer())).toEqual(bytes);
    expect((await postEntry(b.url, token, entry(writer, 5))).status).toBe(204);
    expect(((await (await getEntry(b.url, writer.publicKey)).json()) as { revision: number }).revision).toBe(5);
  });
});
