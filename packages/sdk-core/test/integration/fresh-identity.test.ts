/**
 * `freshIdentity` against the real devnode on the Dart profile, over real sockets: a brand-new
 * identity's first session (what the harness does: list, watch the list, start a conversation,
 * watch and load it, write, list again) makes no request whose answer is known — no 404 for keys
 * that cannot exist yet, no failed login before register — and a wrong claim (the identity already
 * has data, or another device writes under it) loses nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnode, type Devnode } from '@s5chat/devnode';
import { generateSeedPhrase } from '@s5chat/s5';
import { createSdk, type CreateSdkOptions, type Sdk } from '../../src/index.js';
import { waitFor } from '../live/support.js';

let node: Devnode;
beforeAll(async () => {
  node = await startDevnode({ port: 0, profile: 'dart', timeScale: 0.005 });
});
afterAll(async () => {
  await node?.stop();
});

/** Every HTTP answer the SDK got, as "<status> <method> <path>" (a real fetch, only observed). */
function observedFetch(): { fetch: typeof fetch; lines: string[] } {
  const lines: string[] = [];
  const observed: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    lines.push(`${res.status} ${init?.method ?? 'GET'} ${url.pathname}`);
    return res;
  };
  return { fetch: observed, lines };
}

const sdkFor = (seedPhrase: string, extra: Partial<CreateSdkOptions>) =>
  createSdk({ portalUrl: node.url, seedPhrase, outbox: false, live: { transport: 'p2p' }, ...extra });

/** The harness's first session: list + list watch, a new conversation watched and loaded, two writes, list again. */
async function firstSession(sdk: Sdk): Promise<void> {
  expect((await sdk.listConversations()).items).toEqual([]);
  const lists: string[][] = [];
  const offList = sdk.watchConversations((e) => lists.push(e.items.map((i) => i.id)));
  const id = sdk.storage.newConversationId();
  const offConv = sdk.watch(id, () => undefined);
  expect(await sdk.loadConversation(id)).toBeNull();
  await sdk.appendMessage(id, { id: 'q', role: 'user', content: 'hello' });
  await sdk.updateMetadata(id, { title: 'first' });
  await sdk.flush();
  expect((await sdk.listConversations()).items.map((i) => i.title)).toEqual(['first']);
  expect((await sdk.loadConversation(id))?.messages.map((m) => m.content)).toEqual(['hello']);
  await waitFor(() => lists.length > 0, 15_000, 'list watch event');
  offConv();
  offList();
  await sdk.close();
}

describe('a fresh identity on the dart profile', () => {
  it("first session: no 404 and no failed login; fewer requests than the same session unannounced", async () => {
    const counts: Record<string, { requests: number; failed: string[]; registryGets: number }> = {};
    for (const fresh of [false, true]) {
      const seen = observedFetch();
      let used = 0;
      const sdk = await sdkFor(generateSeedPhrase(), { fetch: seen.fetch, freshIdentity: fresh, onFreshIdentityUsed: () => used++ });
      node.resetStats();
      await firstSession(sdk);
      expect(used).toBe(1); // reported once: the app forgets its "fresh" flag there
      expect(sdk.storage.freshIdentity).toBe(fresh); // nothing in a single-writer session ends it
      counts[String(fresh)] = {
        requests: seen.lines.length,
        failed: seen.lines.filter((l) => Number(l.slice(0, 3)) >= 400),
        registryGets: node.stats().registry.gets,
      };
    }
    const [before, after] = [counts.false!, counts.true!];
    console.log(`[fresh-identity] first session: ${before.requests} requests (${before.failed.length} answers >= 400: ${before.failed.join(', ')}; ${before.registryGets} registry GETs) → ${after.requests} requests (${after.failed.length} >= 400; ${after.registryGets} registry GETs)`);
    // The unannounced session pays the known answers (this is what the test could catch again)…
    expect(before.failed.filter((l) => l.includes('/s5/registry')).length).toBeGreaterThanOrEqual(2);
    expect(before.failed.some((l) => l.includes('/s5/account/login'))).toBe(true);
    // …the fresh one none, and only asks for keys that exist by then.
    expect(after.failed).toEqual([]);
    expect(after.requests).toBeLessThan(before.requests);
    expect(after.registryGets).toBeLessThan(before.registryGets);
  });

  it('a wrong claim (the identity already has data) costs one rejected set and loses nothing', async () => {
    const seedPhrase = generateSeedPhrase();
    const first = await sdkFor(seedPhrase, {});
    await first.appendMessages('kept', [
      { id: 'k1', role: 'user', content: 'one' },
      { id: 'k2', role: 'assistant', content: 'two' },
    ]);
    await first.updateMetadata('kept', { title: 'kept' });
    await first.flush();
    await first.close();

    // Appending to the existing conversation first: its guessed revision 1 is rejected.
    node.resetStats();
    let used = 0;
    const wrong = await sdkFor(seedPhrase, { freshIdentity: true, onFreshIdentityUsed: () => used++ });
    const r = await wrong.appendMessage('kept', { id: 'k3', role: 'user', content: 'three' });
    expect(r.revision).toBeGreaterThan(1);
    expect(wrong.storage.freshIdentity).toBe(false);
    expect(used).toBe(1);
    await wrong.appendMessage('new-one', { id: 'n1', role: 'user', content: 'new' });
    await wrong.flush();
    expect(node.stats().registry.setsRejected).toBe(1);
    expect((await wrong.loadConversation('kept'))?.messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
    expect((await wrong.listConversations()).items.map((i) => i.id).sort()).toEqual(['kept', 'new-one']);
    await wrong.close();

    // Creating a conversation first: the conversation is new, the list's guessed revision 1 is not.
    node.resetStats();
    const wrong2 = await sdkFor(seedPhrase, { freshIdentity: true });
    await wrong2.appendMessage('newer', { id: 'w1', role: 'user', content: 'newer' });
    await wrong2.flush();
    expect(node.stats().registry.setsRejected).toBe(1);
    expect(wrong2.storage.freshIdentity).toBe(false);
    await wrong2.close();
    const check = await sdkFor(seedPhrase, {});
    expect((await check.listConversations()).items.map((i) => i.id).sort()).toEqual(['kept', 'new-one', 'newer']);
    expect((await check.loadConversation('kept'))?.messages).toHaveLength(3);
    expect((await check.loadConversation('newer'))?.messages.map((m) => m.content)).toEqual(['newer']);
    await check.close();
  });

  it('another device writing under the fresh identity ends freshness: its conversation is listed and loads', async () => {
    const seedPhrase = generateSeedPhrase();
    const a = await sdkFor(seedPhrase, { freshIdentity: true, deviceId: 'a' });
    const lists: string[][] = [];
    const off = a.watchConversations((e) => lists.push(e.items.map((i) => i.id)));
    await waitFor(() => lists.length > 0, 15_000, 'initial list event'); // [] — known without a read
    const b = await sdkFor(seedPhrase, { deviceId: 'b' });
    await b.appendMessage('from-b', { id: 'b1', role: 'user', content: 'written on B' });
    await b.flush();
    // B's list entry is pushed to A (P2P): not A's write, so A stops answering from freshness.
    await waitFor(() => lists.some((l) => l.includes('from-b')), 15_000, "B's conversation on A's list");
    expect(a.storage.freshIdentity).toBe(false);
    expect((await a.loadConversation('from-b'))?.messages.map((m) => m.content)).toEqual(['written on B']);
    off();
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a non-boolean freshIdentity with a typed error', async () => {
    await expect(sdkFor(generateSeedPhrase(), { freshIdentity: 'yes' as never })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
