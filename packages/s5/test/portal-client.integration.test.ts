import { startDevnode, type Devnode } from '@s5chat/devnode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  BlobId,
  createRegistryEntry,
  Ed25519KeyPair,
  HashMismatchError,
  InvalidSignatureError,
  NotFoundError,
  PortalClient,
  PortalUnavailableError,
  RevisionTooLowError,
  S5Identity,
  TimeoutError,
  ValidationError,
  generateSeedPhrase,
  registryEntryToJson,
  type RegistryEntry,
} from '../src/index.js';
import { V } from './vectors.js';

let node: Devnode;
const identity = S5Identity.fromSeedPhrase(V.seed_phrases[0].phrase);

beforeAll(async () => {
  node = await startDevnode({ port: 0, host: '127.0.0.1', log: false });
});
afterAll(async () => {
  await node?.stop();
});

const client = (extra: Partial<ConstructorParameters<typeof PortalClient>[0]> = {}) =>
  new PortalClient({ portalUrl: node.url, identity, timeoutMs: 5000, ...extra });

function waitFor<T>(predicate: () => T | undefined, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const v = predicate();
      if (v !== undefined) return resolve(v);
      if (Date.now() - started > ms) return reject(new Error('condition not met in time'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('PortalClient against the real devnode', () => {
  it('registers on first use, then logs in to the same account from another device', async () => {
    const a = client();
    await a.login();
    expect(a.isLoggedIn).toBe(true);
    // A second "device" with the same identity derives the same account and logs in (no register).
    const b = client();
    expect(Buffer.from(b.accountPublicKey).equals(Buffer.from(a.accountPublicKey))).toBe(true);
    await b.login();
    expect(b.stats().logins).toBe(1);
    // Another identity gets another account.
    const other = new PortalClient({ portalUrl: node.url, identity: S5Identity.fromSeedPhrase(generateSeedPhrase()) });
    expect(Buffer.from(other.accountPublicKey).equals(Buffer.from(a.accountPublicKey))).toBe(false);
  });

  it('uploads lazily (logs in on first write) and downloads verified bytes', async () => {
    const c = client();
    const bytes = new TextEncoder().encode('hello world');
    const id = await c.uploadBlob(bytes);
    expect(id.toString()).toBe(V.blob_identifiers[1].z_base58btc);
    expect(c.isLoggedIn).toBe(true);
    const back = await c.downloadBlob(id);
    expect(new TextDecoder().decode(back)).toBe('hello world');
    // A client that never logged in can read too, and any string form of the id works.
    const reader = client();
    expect(await reader.downloadBlob(BlobId.parse(V.blob_identifiers[1].b_base32))).toEqual(bytes);
    const s = c.stats();
    expect(s.bytesUploaded).toBe(11);
    expect(s.bytesDownloaded).toBe(11);
    expect(s.requests).toBeGreaterThanOrEqual(4);
  });

  it('uploads 1 MiB and does not touch the caller buffer', async () => {
    const c = client();
    const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) % 256);
    const copy = bytes.slice();
    const id = await c.uploadBlob(bytes);
    // Buffer.equals: vitest's deep equality walks 1 Mi elements one by one (seconds).
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
    expect(id.size).toBe(1 << 20);
    expect(Buffer.from(await c.downloadBlob(id)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('a missing blob is NotFoundError, never empty bytes', async () => {
    const id = BlobId.fromBytes(new TextEncoder().encode(`never uploaded ${Math.random()}`));
    await expect(client().downloadBlob(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a tampered blob is HashMismatchError, never data', async () => {
    const c = client();
    const id = await c.uploadBlob(new TextEncoder().encode('original content'));
    // The portal (via a corrupting fetch on the real socket) returns other bytes for the id.
    const corrupting = client({
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (!url.includes('/s5/blob/')) return res;
        const body = new Uint8Array(await res.arrayBuffer());
        body[0]! ^= 0xff;
        return new Response(body, { status: res.status, headers: res.headers });
      },
    });
    const err = await corrupting.downloadBlob(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HashMismatchError);
    expect((err as HashMismatchError).code).toBe('HASH_MISMATCH');
  });

  it('rejects an upload reply that names another blob', async () => {
    const lying = client({
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (!url.endsWith('/s5/upload')) return res;
        return new Response(JSON.stringify({ cid: V.blob_identifiers[0].z_base58btc }), { status: 200 });
      },
    });
    await expect(lying.uploadBlob(new TextEncoder().encode('x'))).rejects.toBeInstanceOf(HashMismatchError);
  });

  it('registry set/get round trip; 404 → null', async () => {
    const c = client();
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'registry-roundtrip', String(Math.random())));
    expect(await c.registryGet(kp.publicKey)).toBeNull();
    const e1 = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([0x1e, 1, 2, 3]) });
    await c.registrySet(e1);
    const got = await c.registryGet(kp.publicKey);
    expect(got).toEqual(e1);
    const e2 = createRegistryEntry({ keyPair: kp, revision: 2, data: new Uint8Array([0x1e, 4]) });
    await c.registrySet(e2);
    expect((await c.registryGet(kp.publicKey))?.revision).toBe(2);
  });

  it('a stale revision is RevisionTooLowError carrying the current revision, and is not retried', async () => {
    const c = client();
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'stale', String(Math.random())));
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 5, data: new Uint8Array([1]) }));
    const before = c.stats();
    for (const revision of [5, 4]) {
      const err = await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([2]) })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RevisionTooLowError);
      expect((err as RevisionTooLowError).code).toBe('REVISION_TOO_LOW');
      expect((err as RevisionTooLowError).currentRevision).toBe(5);
    }
    const after = c.stats();
    expect(after.requests - before.requests).toBe(2); // one POST each: no retry
    expect(after.retries).toBe(before.retries);
    expect((await c.registryGet(kp.publicKey))?.data).toEqual(new Uint8Array([1]));
  });

  it('concurrent writers of the same revision: exactly one wins, the others get RevisionTooLowError', async () => {
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'race', String(Math.random())));
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
    const badSig = { ...good, signature: good.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    await expect(c.registrySet(badSig)).rejects.toBeInstanceOf(InvalidSignatureError);
    await expect(c.registrySet({ ...good, data: new Uint8Array(65) })).rejects.toBeInstanceOf(ValidationError);
    await expect(c.registrySet({ ...good, revision: 2 ** 48 + 1 })).rejects.toBeInstanceOf(ValidationError);
    expect(c.stats().requests).toBe(before);
  });

  it('a forged entry stored on the node is rejected on read with InvalidSignatureError', async () => {
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'forged', String(Math.random())));
    const good = createRegistryEntry({ keyPair: kp, revision: 3, data: new Uint8Array([9]) });
    const forged: RegistryEntry = { ...good, data: new Uint8Array([10]) }; // signature no longer matches
    const res = await fetch(`${node.url}/admin/registry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registryEntryToJson(forged)),
    });
    expect(res.status).toBeLessThan(300);
    await expect(client().registryGet(kp.publicKey)).rejects.toBeInstanceOf(InvalidSignatureError);
  });

  it('subscription delivers the current entry and then a newer one', async () => {
    const c = client();
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'subscription', String(Math.random())));
    await c.registrySet(createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) }));
    const seen: RegistryEntry[] = [];
    const errors: unknown[] = [];
    const unsubscribe = c.registrySubscribe(kp.publicKey, (e) => seen.push(e), { onError: (e) => errors.push(e) });
    try {
      await waitFor(() => (seen.length >= 1 ? true : undefined));
      expect(seen[0]!.revision).toBe(1);
      // Another device writes revision 2 through its own client.
      const writer = client();
      await writer.registrySet(createRegistryEntry({ keyPair: kp, revision: 2, data: new Uint8Array([2]) }));
      await waitFor(() => (seen.some((e) => e.revision === 2) ? true : undefined));
      expect(seen.map((e) => e.revision)).toEqual([1, 2]);
      expect(seen[1]!.data).toEqual(new Uint8Array([2]));
      expect(errors).toEqual([]);
      // A forged revision 3 planted on the node is pushed to us: it is reported, never delivered.
      const forged = { ...createRegistryEntry({ keyPair: kp, revision: 3, data: new Uint8Array([3]) }), data: new Uint8Array([4]) };
      await fetch(`${node.url}/admin/registry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(registryEntryToJson(forged)),
      });
      await waitFor(() => (errors.length > 0 ? true : undefined));
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
      const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'faults', String(Math.random())));
      for (let revision = 1; revision <= 10; revision++) {
        await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([revision]) }));
      }
      const id = await c.uploadBlob(new TextEncoder().encode('through the storm'));
      expect(new TextDecoder().decode(await c.downloadBlob(id))).toBe('through the storm');
      expect((await c.registryGet(kp.publicKey))?.revision).toBe(10);
    } finally {
      node.setFaults({ errorRate: 0 });
    }
    expect(c.stats().retries).toBeGreaterThan(0);
    expect(node.stats().faults.errors).toBeGreaterThan(0);
  });

  it('a write whose response was lost is recognised as landed when the retry conflicts', async () => {
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
    const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'lost-response', String(Math.random())));
    const entry = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([1]) });
    await c.registrySet(entry); // second POST gets "too low"; read-back shows our exact entry
    expect(dropped).toBe(1);
    expect(c.stats().retries).toBe(1);
    // But a genuinely different winner is still a conflict.
    const other = createRegistryEntry({ keyPair: kp, revision: 1, data: new Uint8Array([2]) });
    await expect(client().registrySet(other)).rejects.toBeInstanceOf(RevisionTooLowError);
  });

  it('survives connection resets (seeded) without losing or duplicating writes', async () => {
    const c = client({ policy: { initialDelayMs: 2, maxDelayMs: 20, maxRetries: 12, breakerThreshold: 1000 } });
    await c.login();
    node.setFaults({ resetRate: 0.3, seed: 7 });
    try {
      const kp = Ed25519KeyPair.fromSeed(identity.deriveSeed('test', 'resets', String(Math.random())));
      for (let revision = 1; revision <= 15; revision++) {
        await c.registrySet(createRegistryEntry({ keyPair: kp, revision, data: new Uint8Array([revision]) }));
      }
      node.setFaults({ resetRate: 0 });
      const final = await c.registryGet(kp.publicKey);
      expect(final?.revision).toBe(15);
      expect(final?.data).toEqual(new Uint8Array([15]));
    } finally {
      node.setFaults({ resetRate: 0 });
    }
    expect(node.stats().faults.resets).toBeGreaterThan(0);
    expect(c.stats().retries).toBeGreaterThan(0);
  });

  it('gives up with PortalUnavailableError when the portal keeps failing', async () => {
    const c = client({ policy: { initialDelayMs: 1, maxDelayMs: 2, maxRetries: 2, breakerThreshold: 1000 } });
    node.setFaults({ errorRate: 1 });
    try {
      const err = await c.registryGet(identity.signingKeyPair.publicKey).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortalUnavailableError);
      expect((err as PortalUnavailableError).status).toBeGreaterThanOrEqual(500);
      expect(c.stats().requests).toBe(3);
    } finally {
      node.setFaults({ errorRate: 0 });
    }
  });

  it('times out slow calls with TimeoutError and honours AbortSignal', async () => {
    node.setFaults({ latencyMs: 400 });
    try {
      const slow = client({ timeoutMs: 50, policy: { maxRetries: 1, initialDelayMs: 1, breakerThreshold: 1000 } });
      await expect(slow.registryGet(identity.signingKeyPair.publicKey)).rejects.toBeInstanceOf(TimeoutError);
      const ac = new AbortController();
      const p = client().registryGet(identity.signingKeyPair.publicKey, { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      await expect(p).rejects.toBeInstanceOf(AbortError);
    } finally {
      node.setFaults({ latencyMs: 0 });
    }
  });

  it('logs in again once when the token is rejected (401)', async () => {
    let reject = true;
    const c = client({
      fetch: async (url, init) => {
        const headers = new Headers(init?.headers);
        if (reject && url.endsWith('/s5/upload')) {
          reject = false;
          headers.set('authorization', 'Bearer S5Ainvalid');
        }
        return fetch(url, { ...init, headers });
      },
    });
    await c.login();
    const id = await c.uploadBlob(new TextEncoder().encode('after re-login'));
    expect(id.size).toBe(14);
    expect(c.stats().logins).toBe(2);
  });

  it('unreachable portal → PortalUnavailableError', async () => {
    const dead = new PortalClient({
      portalUrl: 'http://127.0.0.1:1',
      identity,
      policy: { maxRetries: 1, initialDelayMs: 1, breakerThreshold: 1000 },
    });
    await expect(dead.registryGet(identity.signingKeyPair.publicKey)).rejects.toBeInstanceOf(PortalUnavailableError);
  });
});

describe('many concurrent calls', () => {
  it('share one caller signal without piling listeners on it (no MaxListenersExceededWarning)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const c = client();
      const shared = new AbortController();
      const pk = identity.signingKeyPair.publicKey;
      // 30 calls in flight at once, all with the same signal, plus 30 with none (the retry policy then
      // hands each call one shared, never-aborted signal of its own).
      await Promise.all([
        ...Array.from({ length: 30 }, () => c.registryGet(pk, { signal: shared.signal })),
        ...Array.from({ length: 30 }, () => c.registryGet(pk)),
      ]);
      await new Promise((r) => setTimeout(r, 20)); // process warnings are emitted on a later tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
