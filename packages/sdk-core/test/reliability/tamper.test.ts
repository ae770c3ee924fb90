// Tamper tests: the portal is the adversary. It serves altered bytes (a devnode started with
// verifyBlobsOnRead: false serves whatever is on disk), plants registry entries with bad
// signatures, swaps one conversation's blobs for another's, reads its own disk, and hosts a
// second identity. The SDK must refuse with a typed error and never return altered content.
import { startDevnode } from '@s5chat/devnode';
import { BlobId, createRegistryEntry, Ed25519KeyPair, generateSeedPhrase, hexToBytes, registryEntryToJson } from '@s5chat/s5';
import { createSdk } from '../../src/index';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeFetch } from './observe-fetch';
import { rawRequest, registerRawAccount } from './raw-portal';
import { grepDir, tempDir } from './support';

type Sdk = Awaited<ReturnType<typeof createSdk>>;
type Conversation = NonNullable<Awaited<ReturnType<Sdk['storage']['loadConversation']>>>;

/** Codes that mean "this data is not what it claims to be". */
const INTEGRITY_CODES = new Set(['HASH_MISMATCH', 'DECRYPTION_FAILED', 'INTEGRITY', 'INVALID_SIGNATURE']);

/** The error's code and the codes of its causes (an SDK may wrap HASH_MISMATCH in its own error). */
function codeChain(err: unknown): string[] {
  const codes: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

const fingerprint = (c: Conversation | null) =>
  JSON.stringify(c?.messages.map((m) => [m.id, m.role, m.timestamp, m.content]) ?? null);

/** How each refusal was typed (error code > cause code ...), for the report. */
const refusalCodes = new Map<string, number>();

let work: Awaited<ReturnType<typeof tempDir>>;
let node: Awaited<ReturnType<typeof startDevnode>>;
let dataDir: string;
const seedPhrase = generateSeedPhrase();
const observer = observeFetch();
let writer: Sdk;
const opened: Sdk[] = [];

/** A new SDK instance (new device, empty caches), so every read goes to the node. */
async function freshReader(opts: { seedPhrase?: string; encryption?: 'on' | 'off' } = {}): Promise<Sdk> {
  const sdk = await createSdk({
    portalUrl: node.url,
    seedPhrase: opts.seedPhrase ?? seedPhrase,
    encryption: opts.encryption ?? 'on',
    deviceId: `reader-${opened.length}`,
  });
  opened.push(sdk);
  return sdk;
}

/**
 * Loads `id` through a fresh instance. The outcome must be either the untouched original (the
 * tampered item was not on the read path) or a refusal with an integrity code; anything else,
 * in particular different content, fails the test. Returns whether it refused.
 */
async function loadExpectingOriginalOrRefusal(id: string, original: Conversation, what: string, forbidden?: string): Promise<boolean> {
  const reader = await freshReader();
  let loaded: Conversation | null;
  try {
    loaded = await reader.storage.loadConversation(id);
  } catch (err) {
    const codes = codeChain(err);
    refusalCodes.set(codes.join('>'), (refusalCodes.get(codes.join('>')) ?? 0) + 1);
    expect(
      codes.some((c) => INTEGRITY_CODES.has(c)),
      `${what}: refused, but with codes [${codes.join(', ')}] (${String(err)})`,
    ).toBe(true);
    return true;
  } finally {
    await reader.close();
    opened.splice(opened.indexOf(reader), 1);
  }
  expect(fingerprint(loaded), `${what}: returned content that differs from what was written`).toBe(fingerprint(original));
  if (forbidden) expect(JSON.stringify(loaded)).not.toContain(forbidden);
  return false;
}

beforeAll(async () => {
  work = await tempDir('tamper');
  dataDir = join(work.path, 'node');
  node = await startDevnode({ port: 0, dataDir, verifyBlobsOnRead: false });
  writer = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'writer', fetch: observer.fetch });
});
afterAll(async () => {
  console.log(`[tamper] refusal codes: ${JSON.stringify(Object.fromEntries(refusalCodes))}`);
  for (const sdk of opened) await sdk.close().catch(() => undefined);
  await writer?.close();
  await node?.stop();
  await work?.remove();
});

/**
 * Writes `count` messages sized so that every place a message can be stored is on the read path:
 * the current head's tail, earlier heads listed as segments (each ~2.5 KB message outgrows the
 * previous head's tail), and a delta segment (message 2, 40 KB, is too large for any head).
 */
async function writeConversation(sdk: Sdk, label: string, id: string, marker: string, count = 4): Promise<Conversation> {
  observer.setLabel(label);
  for (let i = 0; i < count; i++) {
    const pad = '.'.repeat(i === 2 ? 40_000 : 2500);
    await sdk.storage.appendMessage(id, { id: `${id}-m${i}`, role: i % 2 ? 'assistant' : 'user', content: `${marker} message ${i} ${pad}`, timestamp: 1_700_000_000_000 + i });
  }
  await sdk.storage.flush();
  observer.setLabel('unlabelled');
  const reader = await freshReader();
  const c = await reader.storage.loadConversation(id);
  expect(c?.messages.length).toBe(count);
  return c!;
}

const blobPath = (hashHex: string) => join(dataDir, 'blobs', hashHex);

describe('tamper: a portal that lies', () => {
  it('a blob altered on disk is refused with a typed integrity error, never returned, and never wipes data', async () => {
    const id = 'tamper-alter';
    let current = await writeConversation(writer, 'alter', id, 'ALTER');
    const blobs = observer.uploads('alter');
    expect(blobs.length).toBeGreaterThan(0);
    let refusals = 0;
    let writesRefused = 0;
    for (const [i, hashHex] of blobs.entries()) {
      const path = blobPath(hashHex);
      const bytes = await readFile(path);
      const altered = Buffer.from(bytes);
      const mid = altered.length >> 1;
      altered[mid] = (altered[mid] ?? 0) ^ 0x01;
      await writeFile(path, altered);
      let appended: string | undefined;
      try {
        // The portal really serves the altered bytes (so the refusal below is the client's doing).
        const served = await fetch(`${node.url}/s5/blob/${BlobId.fromBytes(new Uint8Array(bytes)).toString('z')}`);
        expect(Buffer.from(await served.arrayBuffer()).equals(altered)).toBe(true);
        if (await loadExpectingOriginalOrRefusal(id, current, `blob ${hashHex} with one bit flipped`)) refusals++;
        // A write on top of data it cannot verify must not treat "could not read" as "empty".
        const w = await freshReader();
        try {
          const m = { id: `after-tamper-${i}`, role: 'user' as const, content: `written while blob ${i} was altered`, timestamp: 1_800_000_000_000 + i };
          await w.storage.appendMessage(id, m);
          appended = m.id;
        } catch (err) {
          expect(codeChain(err).some((c) => INTEGRITY_CODES.has(c)), `append refused with [${codeChain(err).join(', ')}]`).toBe(true);
          writesRefused++;
        } finally {
          await w.close();
        }
      } finally {
        await writeFile(path, bytes);
      }
      // With the genuine bytes back, nothing that was there before is gone.
      const after = await (await freshReader()).storage.loadConversation(id);
      const ids = new Set(after?.messages.map((m) => m.id));
      expect(current.messages.map((m) => m.id).filter((mid2) => !ids.has(mid2)), `lost after tampering blob ${i}`).toEqual([]);
      if (appended) expect(ids.has(appended)).toBe(true);
      current = after!;
    }
    console.log(
      `[tamper] altered blobs: ${blobs.length} tried, ${refusals} reads refused, ${writesRefused} writes refused, 0 returned altered, 0 messages lost`,
    );
    expect(refusals).toBeGreaterThan(0);
  });

  it('a blob missing from the portal is an error, never an empty conversation, and never wipes data', async () => {
    const id = 'tamper-missing';
    let current = await writeConversation(writer, 'missing', id, 'MISSING');
    const blobs = observer.uploads('missing');
    let refusals = 0;
    for (const [i, hashHex] of blobs.entries()) {
      const path = blobPath(hashHex);
      const bytes = await readFile(path);
      await rm(path);
      let appended: string | undefined;
      try {
        const reader = await freshReader();
        try {
          const loaded = await reader.storage.loadConversation(id);
          // Only acceptable when the blob is off the read path: then the content is the original.
          expect(fingerprint(loaded), `blob ${i} missing: returned different content`).toBe(fingerprint(current));
        } catch (err) {
          expect(codeChain(err).length, `untyped refusal: ${String(err)}`).toBeGreaterThan(0);
          const key = `missing:${codeChain(err).join('>')}`;
          refusalCodes.set(key, (refusalCodes.get(key) ?? 0) + 1);
          refusals++;
          const m = { id: `after-missing-${i}`, role: 'user' as const, content: 'written while a blob was missing', timestamp: 1_800_000_000_000 + i };
          await reader.storage.appendMessage(id, m).then(
            () => void (appended = m.id),
            (e: unknown) => expect(codeChain(e).length, `untyped append refusal: ${String(e)}`).toBeGreaterThan(0),
          );
        }
      } finally {
        await writeFile(path, bytes);
      }
      const after = await (await freshReader()).storage.loadConversation(id);
      const ids = new Set(after?.messages.map((m) => m.id));
      expect(current.messages.map((m) => m.id).filter((x) => !ids.has(x)), `lost after blob ${i} went missing`).toEqual([]);
      if (appended) expect(ids.has(appended)).toBe(true);
      current = after!;
    }
    console.log(`[tamper] missing blobs: ${blobs.length} tried, ${refusals} reads refused with a typed error, 0 read as empty, 0 messages lost`);
    expect(refusals).toBeGreaterThan(0);
  });

  it("a conversation's blobs swapped for another conversation's are refused (encrypted and plaintext)", async () => {
    for (const encryption of ['on', 'off'] as const) {
      const sdk = encryption === 'on' ? writer : await createSdk({ portalUrl: node.url, seedPhrase, encryption, deviceId: 'plain-writer', fetch: observer.fetch });
      if (sdk !== writer) opened.push(sdk);
      const a = await writeConversation(sdk, `swap-a-${encryption}`, `swap-a-${encryption}`, 'SWAP-A');
      await writeConversation(sdk, `swap-b-${encryption}`, `swap-b-${encryption}`, 'SWAP-B-FOREIGN');
      const aBlobs = observer.uploads(`swap-a-${encryption}`);
      const bBlobs = observer.uploads(`swap-b-${encryption}`);
      let refusals = 0;
      for (const [i, hashHex] of aBlobs.entries()) {
        const path = blobPath(hashHex);
        const own = await readFile(path);
        const foreign = await readFile(blobPath(bBlobs[i % bBlobs.length]!));
        await writeFile(path, foreign);
        try {
          if (await loadExpectingOriginalOrRefusal(`swap-a-${encryption}`, a, `blob ${i} of A replaced by B's (encryption ${encryption})`, 'SWAP-B-FOREIGN')) refusals++;
        } finally {
          await writeFile(path, own);
        }
      }
      console.log(`[tamper] swapped blobs (encryption ${encryption}): ${aBlobs.length} tried, ${refusals} refused, 0 returned foreign content`);
      expect(refusals).toBeGreaterThan(0);
    }
  });

  it('a registry entry with a bad signature planted via the admin path is refused (INVALID_SIGNATURE)', async () => {
    const original = await writeConversation(writer, 'forge', 'tamper-forge', 'FORGE');
    const keys = observer.registryKeys('forge');
    expect(keys.length).toBeGreaterThan(0);
    let refusals = 0;
    for (const pk of keys) {
      const current = await rawRequest(`${node.url}/s5/registry?pk=${pk}`);
      expect(current.status).toBe(200);
      const entry = JSON.parse(current.body) as { pk: string; revision: number; data: string; signature: string };
      const forged = { ...entry, revision: entry.revision + 1, signature: Buffer.from(randomBytes(64)).toString('base64url') };
      const planted = await rawRequest(`${node.url}/admin/registry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(forged),
      });
      expect(planted.status, planted.body).toBe(204);
      const reader = await freshReader();
      try {
        const loaded = await reader.storage.loadConversation('tamper-forge');
        // Only acceptable if this key is not on the conversation's read path (e.g. the listing index).
        expect(fingerprint(loaded)).toBe(fingerprint(original));
      } catch (err) {
        expect(codeChain(err), String(err)).toContain('INVALID_SIGNATURE');
        refusals++;
        // Writing on top of a forged entry must be refused too (never "unreadable, so start afresh").
        const appendErr = await reader.storage
          .appendMessage('tamper-forge', { id: 'on-top-of-forgery', role: 'user', content: 'x', timestamp: 1 })
          .then(() => undefined, (e: unknown) => e);
        expect(codeChain(appendErr), 'append over a forged registry entry').toContain('INVALID_SIGNATURE');
      } finally {
        // Put the genuine entry back (the admin path skips the revision check).
        await rawRequest(`${node.url}/admin/registry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(entry) });
      }
    }
    console.log(`[tamper] forged registry entries: ${keys.length} keys tried, ${refusals} refused with INVALID_SIGNATURE (reads and writes)`);
    expect(refusals).toBeGreaterThan(0);
    expect(fingerprint(await (await freshReader()).storage.loadConversation('tamper-forge'))).toBe(fingerprint(original));
  });

  it('a portal that lies in its HTTP answers (another key\'s entry, a wrong upload id) is refused', async () => {
    const target = await writeConversation(writer, 'lie-target', 'lie-target', 'LIE-TARGET');
    await writeConversation(writer, 'lie-other', 'lie-other', 'LIE-OTHER-CONTENT');
    const targetKeys = observer.registryKeys('lie-target');
    const otherKeys = observer.registryKeys('lie-other');
    const targetPk = targetKeys.find((k) => !otherKeys.includes(k))!; // the conversation's own key (the list key is shared)
    const otherPk = otherKeys.find((k) => !targetKeys.includes(k))!;
    const otherEntry = JSON.parse((await rawRequest(`${node.url}/s5/registry?pk=${otherPk}`)).body) as Record<string, unknown>;

    // The portal answers a read of the target's key with another conversation's validly signed entry:
    // as is (wrong key), and relabelled with the target's key (signature no longer matches).
    for (const [how, body] of [
      ['entry of another key', { ...otherEntry }],
      ['entry of another key relabelled', { ...otherEntry, pk: targetPk }],
    ] as const) {
      const lying = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        if ((init?.method ?? 'GET') === 'GET' && url.pathname === '/s5/registry' && url.searchParams.get('pk') === targetPk) {
          return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
        }
        return fetch(input, init);
      }) as typeof fetch;
      const reader = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: `lied-to-${how.length}`, fetch: lying });
      opened.push(reader);
      const outcome = await reader.storage.loadConversation('lie-target').then(
        (c) => ({ content: JSON.stringify(c) }),
        (e: unknown) => ({ codes: codeChain(e) }),
      );
      expect('codes' in outcome && outcome.codes.some((c) => INTEGRITY_CODES.has(c)), `${how}: ${JSON.stringify(outcome).slice(0, 300)}`).toBe(true);
      const key = `lie:${'codes' in outcome ? outcome.codes.join('>') : 'none'}`;
      refusalCodes.set(key, (refusalCodes.get(key) ?? 0) + 1);
    }

    // The portal acknowledges an upload with the id of different bytes: the write must not be acknowledged.
    const fakeId = BlobId.fromBytes(new Uint8Array(randomBytes(64))).toString('z');
    const lyingUpload = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const res = await fetch(input, init);
      if (url.pathname === '/s5/upload' && res.ok) {
        return new Response(JSON.stringify({ cid: fakeId }), { status: 200, headers: { 'content-type': 'application/json' } });
      }
      return res;
    }) as typeof fetch;
    const w = await createSdk({ portalUrl: node.url, seedPhrase, deviceId: 'lied-to-upload', fetch: lyingUpload });
    opened.push(w);
    const appendOutcome = await w.storage
      .appendMessage('lie-target', { id: 'never-acked', role: 'user', content: 'x', timestamp: 1 })
      .then(() => 'acknowledged', (e: unknown) => codeChain(e).join('>') || `untyped ${String(e)}`);
    expect(appendOutcome, 'an append whose upload was answered with a foreign id').not.toBe('acknowledged');
    expect(appendOutcome).not.toMatch(/^untyped/);
    refusalCodes.set(`upload-lie:${appendOutcome}`, 1);
    // And nothing was lost meanwhile.
    expect(fingerprint(await (await freshReader()).storage.loadConversation('lie-target'))).toBe(fingerprint(target));
  });

  it('with encryption on, the data dir holds no message plaintext (and the control with encryption off does)', async () => {
    const marker = `PLAINTEXT-MARKER-${randomBytes(8).toString('hex')}`;
    const secretId = `secret-${randomBytes(6).toString('hex')}`;
    await writer.storage.appendMessage(secretId, { role: 'user', content: `the launch code is ${marker}`, metadata: { note: `${marker}-msgmeta` } });
    await writer.storage.updateMetadata(secretId, { title: `${marker}-title` });
    await writer.storage.flush();
    expect(await grepDir(dataDir, marker)).toEqual([]);
    expect(await grepDir(dataDir, secretId), 'the node must not see conversation ids either').toEqual([]);

    // Control: the same grep finds plaintext that was stored unencrypted, so the empty result above is real.
    const plain = await freshReader({ encryption: 'off' });
    const plainMarker = `PLAINTEXT-CONTROL-${randomBytes(8).toString('hex')}`;
    await plain.storage.appendMessage(`plain-${randomBytes(4).toString('hex')}`, { role: 'user', content: plainMarker });
    await plain.storage.flush();
    expect((await grepDir(dataDir, plainMarker)).length).toBeGreaterThan(0);
  });

  it('two identities cannot read or overwrite each other\'s conversations', async () => {
    const alice = writer;
    const bob = await freshReader({ seedPhrase: generateSeedPhrase() });
    const aliceOriginal = await writeConversation(alice, 'alice', 'shared-name', 'ALICE-ONLY');

    // Bob asks for the same conversation id: he gets his own (empty) conversation, not Alice's.
    expect(await bob.storage.loadConversation('shared-name')).toBeNull();
    const bobList = await bob.storage.listConversations({});
    expect(bobList.items.map((i) => i.id)).not.toContain('shared-name');

    // Bob writes under the same id: it lands in his own namespace.
    await bob.storage.appendMessage('shared-name', { id: 'bob-1', role: 'user', content: 'BOB-ONLY', timestamp: 1 });
    await bob.storage.flush();
    expect((await bob.storage.loadConversation('shared-name'))?.messages.map((m) => m.id)).toEqual(['bob-1']);
    const aliceNow = await (await freshReader()).storage.loadConversation('shared-name');
    expect(fingerprint(aliceNow)).toBe(fingerprint(aliceOriginal));

    // Bob (or the portal) tries to overwrite Alice's registry keys with entries he signed: rejected.
    const token = await registerRawAccount(node.url);
    const bobKey = Ed25519KeyPair.fromSeed(new Uint8Array(randomBytes(32)));
    for (const pk of observer.registryKeys('alice')) {
      const before = JSON.parse((await rawRequest(`${node.url}/s5/registry?pk=${pk}`)).body) as { revision: number };
      const signedByBob = registryEntryToJson(createRegistryEntry({ keyPair: bobKey, revision: before.revision + 1, data: hexToBytes('1e' + '00'.repeat(32)) }));
      const attempt = await rawRequest(`${node.url}/s5/registry`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ ...signedByBob, pk }),
      });
      expect(attempt.status, attempt.body).toBeGreaterThanOrEqual(400);
      const after = JSON.parse((await rawRequest(`${node.url}/s5/registry?pk=${pk}`)).body) as { revision: number };
      expect(after.revision).toBe(before.revision);
    }
    expect(fingerprint(await (await freshReader()).storage.loadConversation('shared-name'))).toBe(fingerprint(aliceOriginal));
  });
});
