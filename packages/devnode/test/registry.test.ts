import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryEntryToJson, toBase64Url } from '@s5chat/s5';
import { CURRENT_REVISION_HEADER, REVISION_TOO_LOW, type Devnode } from '../src/index.js';
import { entry, getEntry, postEntry, randomKeyPair, register, TestBed } from './helpers.js';
import { hex, V } from './vectors.js';

const bed = new TestBed();
let node: Devnode;
let token: string;
beforeAll(async () => {
  node = await bed.node();
  token = await register(node.url);
});
afterAll(() => bed.cleanup());

async function expectTooLow(res: Response, current: number) {
  expect(res.status).toBe(500);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(await res.text()).toBe(REVISION_TOO_LOW);
  expect(res.headers.get(CURRENT_REVISION_HEADER)).toBe(String(current));
}

async function expect400(res: Response, pattern: RegExp) {
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: string };
  expect(body.error).toMatch(pattern);
}

describe('HTTP registry (PROTOCOL §6.2, §6.3)', () => {
  it('unknown key → 404 with an empty body; HEAD /s5/registry → 200', async () => {
    const res = await getEntry(node.url, randomKeyPair().publicKey);
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('');
    expect((await fetch(`${node.url}/s5/registry`, { method: 'HEAD' })).status).toBe(200);
  });

  it('accepts the vector entries (rev 0, 1, 2^40) and returns the exact HTTP JSON', async () => {
    const n = await bed.node();
    const t = await register(n.url);
    for (const e of V.registry.entries) {
      const res = await postEntry(n.url, t, e.http_json);
      expect(res.status, `revision ${e.revision}`).toBe(204);
      const got = await getEntry(n.url, hex(V.registry.key.multikey_hex));
      expect(got.status).toBe(200);
      expect(await got.json()).toEqual(e.http_json);
    }
  });

  it('strictly increasing: equal and lower revisions are rejected with the exact text and the current revision', async () => {
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 5))).status).toBe(204);
    await expectTooLow(await postEntry(node.url, token, entry(kp, 5)), 5);
    await expectTooLow(await postEntry(node.url, token, entry(kp, 4)), 5);
    expect((await postEntry(node.url, token, entry(kp, 6))).status).toBe(204);
    const json = (await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number };
    expect(json.revision).toBe(6);
  });

  it('revision 2^48 is allowed, 2^48 + 1 is not', async () => {
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 2 ** 48))).status).toBe(204);
    const good = registryEntryToJson(entry(randomKeyPair(), 1));
    await expect400(await postEntry(node.url, token, { ...good, revision: 2 ** 48 + 1 }), /revision/i);
    await expect400(await postEntry(node.url, token, { ...good, revision: -1 }), /revision/i);
    await expect400(await postEntry(node.url, token, { ...good, revision: 1.5 }), /revision/i);
    await expect400(await postEntry(node.url, token, { ...good, revision: '1' }), /revision/i);
  });

  it('rejects a bad signature, too much data, bad keys and bad base64url with 400 JSON; nothing is stored', async () => {
    const kp = randomKeyPair();
    const good = registryEntryToJson(entry(kp, 1));
    const other = registryEntryToJson(entry(randomKeyPair(), 1));
    await expect400(await postEntry(node.url, token, { ...good, signature: other.signature }), /Invalid signature/);
    await expect400(await postEntry(node.url, token, { ...good, data: toBase64Url(new Uint8Array(65)) }), /Data too long/);
    await expect400(await postEntry(node.url, token, { ...good, pk: toBase64Url(new Uint8Array(32)) }), /public key size/);
    const notEd = new Uint8Array(33).fill(1);
    await expect400(await postEntry(node.url, token, { ...good, pk: toBase64Url(notEd) }), /public key type/);
    await expect400(await postEntry(node.url, token, { ...good, pk: '***' }), /base64url/);
    await expect400(await postEntry(node.url, token, { ...good, signature: 'AAAA' }), /signature/);
    await expect400(await postEntry(node.url, token, { pk: good.pk }), /./);
    await expect400(await postEntry(node.url, token, [1, 2]), /./);
    expect((await getEntry(node.url, kp.publicKey)).status).toBe(404);
    expect((await postEntry(node.url, token, good)).status).toBe(204);
  });

  it('GET with a malformed pk → 400 JSON', async () => {
    for (const q of ['', '?pk=', '?pk=%%%', `?pk=${toBase64Url(new Uint8Array(10))}`]) {
      const res = await fetch(`${node.url}/s5/registry${q}`);
      expect(res.status, q).toBe(400);
      expect(await res.json()).toHaveProperty('error');
    }
  });

  it('50 concurrent sets of the same revision → exactly one wins, the stored entry is the winner', async () => {
    const kp = randomKeyPair();
    expect((await postEntry(node.url, token, entry(kp, 10))).status).toBe(204);
    const candidates = Array.from({ length: 50 }, (_, i) => entry(kp, 11, new Uint8Array(33).fill(i)));
    const before = node.stats().registry;
    const results = await Promise.all(candidates.map((c) => postEntry(node.url, token, c)));
    const winners = results.map((r, i) => ({ status: r.status, i })).filter((r) => r.status === 204);
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status !== 204) await expectTooLow(r, 11);
    const stored = (await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number; data: string };
    expect(stored.revision).toBe(11);
    expect(stored.data).toBe(registryEntryToJson(candidates[winners[0]!.i]!).data);
    const after = node.stats().registry;
    expect(after.setsAccepted - before.setsAccepted).toBe(1);
    expect(after.setsRejected - before.setsRejected).toBe(49);
  });

  it('50 concurrent sets of revisions 1..50 in random order → the stored revision is 50', async () => {
    const kp = randomKeyPair();
    const revs = Array.from({ length: 50 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    await Promise.all(revs.map((r) => postEntry(node.url, token, entry(kp, r))));
    const stored = (await (await getEntry(node.url, kp.publicKey)).json()) as { revision: number };
    expect(stored.revision).toBe(50);
  });
});
