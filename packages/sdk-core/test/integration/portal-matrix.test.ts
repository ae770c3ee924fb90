/**
 * The SDK on every portal profile (PORTALS.md), over real sockets: what a user of s5chat does, on
 * the behaviour of each real portal implementation. The matrix of docs/S5.md "Supported portals"
 * is filled from this run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode } from '@s5chat/devnode';
import { generateSeedPhrase, PortalClient, proxiedLogin, S5Identity, UploadTooLargeError } from '@s5chat/s5';
import { createSdk, type Message, type Sdk } from '../../src/index.js';
import * as loginRoute from '../../../harness/src/app/api/portal-login/route.js';

type Node = Awaited<ReturnType<typeof startDevnode>>;
type ProfileName = 'devnode' | 'dart' | 'dart-0.14' | 'lumeweb';
const PROFILES: ProfileName[] = ['devnode', 'dart', 'dart-0.14', 'lumeweb'];
const SERVER_LIMIT: Record<ProfileName, number | undefined> = {
  devnode: 16 * 1024 * 1024,
  dart: 34_000_000,
  'dart-0.14': 33_554_432,
  lumeweb: undefined, // no cap in LumeWeb's S5 plugin
};

const msg = (id: string, content = `content of ${id}`): Message => ({ id, role: 'user', content, timestamp: Date.now() });

describe.each(PROFILES)('SDK on the %s portal profile', (profile) => {
  let node: Node;
  const uploads = () => node.stats().requests.byRoute['POST /s5/upload'] ?? 0;
  /** A separate device: its own PortalClient with its own login (devices do not share a process). */
  const device = (seedPhrase: string, i: number, extra: Partial<ConstructorParameters<typeof PortalClient>[0]> = {}) => {
    const identity = S5Identity.fromSeedPhrase(seedPhrase);
    const backend = new PortalClient({ portalUrl: node.url, identity, shareLogin: false, ...extra });
    return createSdk({ identity, backend, deviceId: `device-${i}` });
  };

  beforeAll(async () => {
    node = await startDevnode({ port: 0, profile, timeScale: 0.005 } as Parameters<typeof startDevnode>[0]);
    // A profile the merged devnode lacks must fail here, not silently run the permissive one.
    expect((node as { profile?: string }).profile ?? 'devnode').toBe(profile);
    process.env.S5CHAT_PORTAL_URL = node.url;
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('append, then load from a fresh instance', async () => {
    const seedPhrase = generateSeedPhrase();
    const a = await createSdk({ portalUrl: node.url, seedPhrase });
    await a.storage.appendMessage('chat', msg('m1', 'hello portal'));
    await a.storage.appendMessage('chat', msg('m2', 'second'));
    await a.close();
    const b = await createSdk({ portalUrl: node.url, seedPhrase });
    const loaded = await b.loadConversation('chat');
    expect(loaded?.messages.map((m) => m.content)).toEqual(['hello portal', 'second']);
    await b.close();
  });

  it('3 devices of one identity, created at the same moment (racing logins), append concurrently: 0 lost', async () => {
    const seedPhrase = generateSeedPhrase();
    const sdks: Sdk[] = await Promise.all([0, 1, 2].map((i) => device(seedPhrase, i)));
    const perDevice = 8;
    const acked = new Set<string>();
    await Promise.all(
      sdks.map((sdk, d) =>
        Promise.all(
          Array.from({ length: perDevice }, async (_, i) => {
            await new Promise((r) => setTimeout(r, Math.random() * 100));
            const id = `d${d}-m${i}`;
            for (let tries = 0; ; tries++) {
              try {
                await sdk.storage.appendMessage('race', msg(id));
                acked.add(id);
                return;
              } catch (e) {
                if (tries >= 4) throw e; // the app re-submits by id (appends are idempotent)
              }
            }
          }),
        ),
      ),
    );
    expect(acked.size).toBe(3 * perDevice);
    await Promise.all(sdks.map((s) => s.close()));
    const fresh = await createSdk({ portalUrl: node.url, seedPhrase });
    const ids = (await fresh.loadConversation('race'))!.messages.map((m) => m.id);
    expect([...acked].filter((id) => !ids.includes(id))).toEqual([]);
    expect(ids.length).toBe(new Set(ids).size);
    await fresh.close();
  }, 60_000);

  it('a new identity with registerFirst: its first session gets no failing answer but 404s for registry keys not written yet', async () => {
    const failing: string[] = [];
    const sdk = await createSdk({
      portalUrl: node.url,
      seedPhrase: generateSeedPhrase(),
      registerFirst: true,
      fetch: (async (url: string, init?: RequestInit) => {
        const res = await fetch(url, init);
        if (res.status >= 400) failing.push(`${init?.method ?? 'GET'} ${new URL(url).pathname} ${res.status}`);
        return res;
      }) as typeof fetch,
    });
    await sdk.storage.appendMessage('first', msg('hello'));
    await sdk.loadConversation('first');
    await sdk.close();
    const unexpected = failing.filter((f) => f !== 'GET /s5/registry 404' && !(profile === 'devnode' && f === 'GET /s5/version 404'));
    expect(unexpected).toEqual([]);
  });

  it('lists the conversations', async () => {
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase: generateSeedPhrase() });
    await sdk.storage.appendMessage('first', msg('a'));
    await sdk.storage.appendMessage('second', msg('b'));
    const { items } = await sdk.storage.listConversations();
    expect(items.map((i) => i.id).sort()).toEqual(['first', 'second']);
    await sdk.close();
  });

  it('a stale save does not erase appends', async () => {
    const seedPhrase = generateSeedPhrase();
    const [a, b] = await Promise.all([device(seedPhrase, 0), device(seedPhrase, 1)]);
    await a.storage.appendMessage('doc', msg('base'));
    const snapshot = (await b.loadConversation('doc'))!;
    for (const id of ['x1', 'x2', 'x3']) await a.storage.appendMessage('doc', msg(id));
    await b.saveConversation({ ...snapshot, metadata: { ...snapshot.metadata, title: 'renamed' }, updatedAt: Date.now() });
    await Promise.all([a.close(), b.close()]);
    const fresh = await createSdk({ portalUrl: node.url, seedPhrase });
    const loaded = (await fresh.loadConversation('doc'))!;
    expect(loaded.messages.map((m) => m.id).sort()).toEqual(['base', 'x1', 'x2', 'x3']);
    expect(loaded.metadata.title).toBe('renamed');
    await fresh.close();
  });

  it('an over-limit upload fails fast: refused before sending, or sent exactly once when only the portal knows its limit', async () => {
    const seedPhrase = generateSeedPhrase();
    const sdk = await createSdk({ portalUrl: node.url, seedPhrase });
    await sdk.storage.appendMessage('warm', msg('w')); // logged in
    const before = uploads();
    await expect(sdk.backend.uploadBlob(new Uint8Array(33_554_433))).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(uploads()).toBe(before); // the body never left
    const limit = SERVER_LIMIT[profile];
    if (limit !== undefined) {
      const loose = await device(seedPhrase, 9, { maxUploadBytes: 64 * 1024 * 1024, timeoutMs: 20_000 });
      const err = await loose.backend.uploadBlob(new Uint8Array(limit + 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UploadTooLargeError);
      expect(uploads() - before).toBe(1); // definite answer: never retried
      await loose.close();
    }
    await sdk.close();
  }, 30_000);

  it('cookie-only login from Node, and a tokenProvider through the harness login proxy route', async () => {
    const seedPhrase = generateSeedPhrase();
    const replies: string[] = [];
    const direct = await createSdk({
      portalUrl: node.url,
      seedPhrase,
      fetch: (async (url: string, init?: RequestInit) => {
        const res = await fetch(url, init);
        if (init?.method === 'POST' && String(url).includes('/s5/account/') && res.ok) replies.push(await res.clone().text());
        return res;
      }) as typeof fetch,
    });
    await direct.storage.appendMessage('login', msg('direct'));
    expect(replies.length).toBeGreaterThan(0);
    // dart-0.14 and LumeWeb reply with an empty body: the token came from Set-Cookie.
    expect(replies.at(-1) === '').toBe(profile === 'dart-0.14' || profile === 'lumeweb');
    await direct.close();
    const identity = S5Identity.fromSeedPhrase(seedPhrase);
    const tokenProvider = proxiedLogin({
      proxyUrl: 'http://app.test/api/portal-login',
      portalUrl: node.url,
      identity,
      fetch: async (url, init) => {
        const req = new Request(url, init);
        return req.method === 'POST' ? loginRoute.POST(req) : loginRoute.GET(req);
      },
    });
    const viaProxy = await createSdk({ portalUrl: node.url, identity, tokenProvider });
    await viaProxy.storage.appendMessage('login', msg('proxied'));
    expect((await viaProxy.loadConversation('login'))!.messages.map((m) => m.id)).toEqual(['direct', 'proxied']);
    await viaProxy.close();
  });
});
