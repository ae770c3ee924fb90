/**
 * PortalClient against the real devnode over real sockets, on every portal profile (PORTALS.md):
 * blobs by the legacy id, misses, verification, registry round trips and conflicts, faults.
 */
import { randomBytes } from 'node:crypto';
import type { Devnode, ProfileName } from '@s5chat/devnode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  BlobId,
  BlobNotAvailableError,
  createRegistryEntry,
  Ed25519KeyPair,
  encodeMultibase,
  generateSeedPhrase,
  HashMismatchError,
  InvalidSignatureError,
  NotFoundError,
  PortalClient,
  PortalUnavailableError,
  registryEntryToJson,
  RevisionTooLowError,
  S5Identity,
  TimeoutError,
  UploadTooLargeError,
  ValidationError,
  type RegistryEntry,
} from '../src/index.js';
import { isDart, PROFILES, recordingFetch, startProfile } from './support/profiles.js';

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

describe.each(PROFILES)('PortalClient on the %s profile', (profile: ProfileName) => {
  let node: Devnode;
  const identity = S5Identity.fromSeedPhrase(generateSeedPhrase());
  const client = (extra: Partial<ConstructorParameters<typeof PortalClient>[0]> = {}) =>
    new PortalClient({ portalUrl: node.url, identity, timeoutMs: 5000, ...extra });
  const freshKey = (label: string) => Ed25519KeyPair.fromSeed(identity.deriveSeed('test', profile, label, String(Math.random())));

  beforeAll(async () => {
    node = await startProfile(profile);
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('detects the implementation once', async () => {
    const expected = isDart(profile) ? 'dart' : profile === 'lumeweb' ? 'lumeweb' : 'unknown';
    expect((await client().portalProfile()).kind).toBe(expected);
  });

  it('uploads the raw body and downloads by the legacy z id, following redirects without credentials', async () => {
    const log: Parameters<typeof recordingFetch>[0] = [];
    const c = client({ fetch: recordingFetch(log) });
    const bytes = new TextEncoder().encode(`hello ${profile}`);
    const id = await c.uploadBlob(bytes);
    const upload = log.find((r) => r.url.endsWith('/s5/upload'))!;
    expect(upload.headers.get('content-type')).toBe('application/octet-stream');
    expect(new TextDecoder().decode(await client().downloadBlob(id))).toBe(`hello ${profile}`);
    const reader = client({ fetch: recordingFetch(log) });
    expect(await reader.downloadBlob(BlobId.fromHash(id.hash, id.size))).toEqual(bytes);
    const legacy = encodeMultibase(id.legacyCidBytes, 'z');
    const gets = log.filter((r) => r.method === 'GET' && /\/s5\/(blob|download)\//.test(r.url));
    expect(gets.length).toBeGreaterThan(0);
    for (const g of gets) {
      expect(g.url.endsWith(`/${legacy}`)).toBe(true); // never the 0x5b BlobIdentifier
      expect(g.url).not.toContain(id.toString());
    }
    const served = gets.find((g) => g.status === 200)!;
    if (isDart(profile)) expect(served.redirected).toBe(true); // 307 to the separate store origin
    if (profile === 'lumeweb') expect(served.url).toContain('/s5/download/'); // no token, serves own blobs
  });

  it('uploads 1 MiB and does not touch the caller buffer', async () => {
    const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) % 256);
    const copy = bytes.slice();
    const id = await client().uploadBlob(bytes);
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
    expect(Buffer.from(await client().downloadBlob(id)).equals(Buffer.from(bytes))).toBe(true);
  });

  it(isDart(profile) ? 'tus above the single-request limit (0x1f hash metadata; 409 = already stored)' : 'no tus here: above the limit UPLOAD_TOO_LARGE before sending', async () => {
    const c = client({ tus: true, maxUploadBytes: 512 * 1024, timeoutMs: 20_000 });
    const bytes = new Uint8Array(randomBytes(1024 * 1024 + 5));
    const routes = () => node.stats().requests.byRoute;
    const before = { ...routes() };
    const count = (key: string, from: Record<string, number>) => (routes()[key] ?? 0) - (from[key] ?? 0);
    if (!isDart(profile)) {
      await expect(c.uploadBlob(bytes)).rejects.toBeInstanceOf(UploadTooLargeError);
      expect(count('POST /s5/upload', before)).toBe(0);
      return;
    }
    const id = await c.uploadBlob(bytes);
    expect(count('POST /s5/upload/tus', before)).toBe(1);
    expect(count('PATCH /s5/upload/tus/:id', before)).toBe(1);
    expect(count('POST /s5/upload', before)).toBe(0);
    expect(Buffer.from(await client().downloadBlob(id)).equals(Buffer.from(bytes))).toBe(true);
    const again = { ...routes() };
    expect((await c.uploadBlob(bytes)).equals(id)).toBe(true); // 409: stored, no PATCH
    expect(count('POST /s5/upload/tus', again)).toBe(1);
    expect(count('PATCH /s5/upload/tus/:id', again)).toBe(0);
  });

  it('a missing blob is a typed error at once (NotFound on devnode, BLOB_NOT_AVAILABLE on real portals), never retried', async () => {
    const c = client();
    await c.portalProfile();
    const id = BlobId.fromBytes(new TextEncoder().encode(`never uploaded ${Math.random()}`));
    const err = await c.downloadBlob(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(profile === 'devnode' ? NotFoundError : BlobNotAvailableError);
    expect(c.stats().retries).toBe(0);
  });

  it('a blob GET over its budget is BLOB_NOT_AVAILABLE, and a run of them neither retries nor opens the breaker', async () => {
    const c = client({ blobTimeoutMs: 100, policy: { breakerThreshold: 3, maxRetries: 4 } });
    const id = await c.uploadBlob(new TextEncoder().encode(`slow ${profile}`));
    node.setFaults({ latencyMs: 400 });
    try {
      for (let i = 0; i < 4; i++) {
        const err = await c.downloadBlob(id).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BlobNotAvailableError);
        expect((err as BlobNotAvailableError).cause).toBeInstanceOf(TimeoutError);
      }
    } finally {
      node.setFaults({ latencyMs: 0 });
    }
    expect(c.stats().retries).toBe(0);
    expect(new TextDecoder().decode(await c.downloadBlob(id))).toBe(`slow ${profile}`); // circuit still closed
  });

  it('a tampered blob is HashMismatchError, never data', async () => {
    const id = await client().uploadBlob(new TextEncoder().encode('original content'));
    const corrupting = client({
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (!/\/s5\/(blob|download)\//.test(url) || res.status !== 200) return res;
        const body = new Uint8Array(await res.arrayBuffer());
        body[0]! ^= 0xff;
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    await expect(corrupting.downloadBlob(id)).rejects.toBeInstanceOf(HashMismatchError);
  });

  it('rejects an upload reply that names another blob', async () => {
    const other = BlobId.fromBytes(new TextEncoder().encode('other'));
    const lying = client({
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (!url.endsWith('/s5/upload')) return res;
        return new Response(JSON.stringify({ cid: encodeMultibase(other.legacyCidBytes, 'z') }), { status: 200 });
      },
    });
    await expect(lying.uploadBlob(new TextEncoder().encode('x'))).rejects.toBeInstanceOf(HashMismatchError);
  });

  it('registry set/get round trip (200 or 204 accepted; token on reads where required); 404 → null', async () => {
    const log: Parameters<typeof recordingFetch>[0] = [];
    const c = client({ fetch: recordingFetch(log) });
    const kp = freshKey('roundtrip');
    expect(await c.registryGet(kp.publicKey)).toBeNull();
    const e1 = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([0x1e, 1, 2, 3]) });
    await c.registrySet(e1);
    expect(await c.registryGet(kp.publicKey)).toEqual(e1);
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 2, data: new Uint8Array([0x1e, 4]) }));
    expect((await c.registryGet(kp.publicKey))?.revision).toBe(2);
    expect(log.filter((r) => r.status === 401)).toEqual([]); // LumeWeb: logged in before the first read
  });

  it('a stale revision is RevisionTooLowError (matched in any portal text) and is not retried', async () => {
    const c = client();
    const kp = freshKey('stale');
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 5, data: new Uint8Array([1]) }));
    const before = c.stats();
    for (const revision of [5, 4]) {
      const err = await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([2]) })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RevisionTooLowError);
      if (profile === 'devnode') expect((err as RevisionTooLowError).currentRevision).toBe(5);
    }
    const after = c.stats();
    expect(after.requests - before.requests).toBe(2);
    expect(after.retries).toBe(before.retries);
    expect((await c.registryGet(kp.publicKey))?.data).toEqual(new Uint8Array([1]));
  });

  it('concurrent writers of the same revision: exactly one wins, the others get RevisionTooLowError', async () => {
    const kp = freshKey('race');
    const clients = Array.from({ length: 5 }, () => client());
    const results = await Promise.allSettled(
      clients.map((c, i) => c.registrySet(createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([i]) }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(RevisionTooLowError);
  });

  it('invalid entries are refused locally with typed errors and never sent', async () => {
    const c = client();
    const kp = Ed25519KeyPair.fromSeed(new Uint8Array(32).fill(3));
    const good = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) });
    const before = c.stats().requests;
    await expect(c.registrySet({ ...good, signature: good.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) })).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(c.registrySet({ ...good, data: new Uint8Array(65) })).rejects.toBeInstanceOf(ValidationError);
    await expect(c.registrySet({ ...good, revision: 2 ** 48 + 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(c.stats().requests).toBe(before);
  });

  it('a forged entry stored on the node is rejected on read with InvalidSignatureError', async () => {
    const kp = freshKey('forged');
    const good = createRegistryEntry({ keyPair: kp, revision: 3, data: new Uint8Array([9]) });
    const forged: RegistryEntry = { ...good, data: new Uint8Array([10]) };
    const res = await fetch(`${node.url}/admin/registry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registryEntryToJson(forged)),
    });
    expect(res.status).toBeLessThan(300);
    await expect(client().registryGet(kp.publicKey)).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it('subscription delivers the current entry and then a newer one (socket on devnode, polling on Dart/LumeWeb)', async () => {
    const c = client();
    const kp = freshKey('subscription');
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) }));
    const seen: RegistryEntry[] = [];
    const errors: unknown[] = [];
    const unsubscribe = c.registrySubscribe(kp.publicKey, (e) => seen.push(e), { onError: (e) => errors.push(e), pollIntervalMs: 50 });
    try {
      await waitFor(() => seen.length >= 1);
      expect(seen[0]!.revision).toBe(1);
      await client().registrySet(createRegistryEntry({ keyPair: kp, revision: 2, data: new Uint8Array([2]) }));
      await waitFor(() => seen.some((e) => e.revision === 2));
      expect(seen.map((e) => e.revision)).toEqual([1, 2]);
      expect(errors).toEqual([]);
      // A forged revision 3 planted on the node reaches us: it is reported, never delivered.
      const forged = { ...createRegistryEntry({ keyPair: kp, revision: 3, data: new Uint8Array([3]) }), data: new Uint8Array([4]) };
      await fetch(`${node.url}/admin/registry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(registryEntryToJson(forged)) });
      await waitFor(() => errors.length > 0);
      expect(errors[0]).toBeInstanceOf(InvalidSignatureError);
      expect(seen.map((e) => e.revision)).toEqual([1, 2]);
    } finally {
      unsubscribe();
    }
  });

  it('transient 5xx faults are retried until success', async () => {
    const c = client({ policy: { initialDelayMs: 5, maxDelayMs: 20, maxRetries: 12, breakerThreshold: 1000 } });
    await c.login();
    node.setFaults({ errorRate: 0.5, seed: 42 });
    try {
      const kp = freshKey('faults');
      for (let revision = 1; revision <= 6; revision++) {
        await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([revision]) }));
      }
      const id = await c.uploadBlob(new TextEncoder().encode('through the storm'));
      expect(new TextDecoder().decode(await c.downloadBlob(id))).toBe('through the storm');
      expect((await c.registryGet(kp.publicKey))?.revision).toBe(6);
    } finally {
      node.setFaults({ errorRate: 0 });
    }
    expect(c.stats().retries).toBeGreaterThan(0);
  });

  it('a write whose response was lost is recognised as landed when the re-sent request conflicts', async () => {
    let dropped = 0;
    const c = client({
      policy: { initialDelayMs: 1, maxDelayMs: 5, breakerThreshold: 1000 },
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (init?.method === 'POST' && url.endsWith('/s5/registry') && dropped === 0) {
          dropped++;
          throw new TypeError('fetch failed'); // the node stored it; the answer never arrived
        }
        return res;
      },
    });
    const kp = freshKey('lost-response');
    await c.login();
    const before = c.stats().requests;
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) }));
    expect(dropped).toBe(1);
    expect(c.stats().requests - before).toBeGreaterThanOrEqual(3); // POST, re-sent POST (conflict), read-back GET
    const other = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([2]) });
    await expect(client().registrySet(other)).rejects.toBeInstanceOf(RevisionTooLowError);
  });

  it('survives connection resets (seeded) without losing or duplicating writes', async () => {
    const c = client({ policy: { initialDelayMs: 2, maxDelayMs: 20, maxRetries: 12, breakerThreshold: 1000 } });
    await c.login();
    node.setFaults({ resetRate: 0.3, seed: 7 });
    const kp = freshKey('resets');
    try {
      for (let revision = 1; revision <= 10; revision++) {
        await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([revision]) }));
      }
    } finally {
      node.setFaults({ resetRate: 0 });
    }
    const final = await c.registryGet(kp.publicKey);
    expect(final?.revision).toBe(10);
    expect(node.stats().faults.resets).toBeGreaterThan(0);
  });

  it('gives up with PortalUnavailableError when the portal keeps failing', async () => {
    const c = client({ policy: { initialDelayMs: 1, maxDelayMs: 2, maxRetries: 2, breakerThreshold: 1000 } });
    await c.login();
    await c.portalProfile();
    node.setFaults({ errorRate: 1 });
    try {
      const before = c.stats().requests;
      const err = await c.registryGet(freshKey('down').publicKey).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortalUnavailableError);
      expect((err as PortalUnavailableError).status).toBeGreaterThanOrEqual(500);
      expect(c.stats().requests - before).toBe(3);
    } finally {
      node.setFaults({ errorRate: 0 });
    }
  });

  it('times out slow calls with TimeoutError and honours AbortSignal', async () => {
    const slow = client({ timeoutMs: 50, policy: { maxRetries: 1, initialDelayMs: 1, breakerThreshold: 1000 } });
    const normal = client();
    await Promise.all([slow.login(), slow.portalProfile()]);
    node.setFaults({ latencyMs: 400 });
    try {
      await expect(slow.registryGet(freshKey('slow').publicKey)).rejects.toBeInstanceOf(TimeoutError);
      const ac = new AbortController();
      const p = normal.registryGet(freshKey('abort').publicKey, { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(p).rejects.toBeInstanceOf(AbortError);
    } finally {
      node.setFaults({ latencyMs: 0 });
    }
  });

  it('unreachable portal → PortalUnavailableError', async () => {
    const dead = new PortalClient({ portalUrl: 'http://127.0.0.1:1', identity, policy: { maxRetries: 1, initialDelayMs: 1, breakerThreshold: 1000 } });
    await expect(dead.registryGet(identity.signingKeyPair.publicKey)).rejects.toBeInstanceOf(PortalUnavailableError);
  });
});
