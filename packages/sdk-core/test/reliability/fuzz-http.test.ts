// Malformed HTTP against the real devnode over loopback: every bad request gets a 4xx (with a JSON
// error where there is a body), nothing is stored, and the node keeps serving correct requests.
import { startDevnode } from '@s5chat/devnode';
import { createRegistryEntry, Ed25519KeyPair, registryEntryToJson, toBase64Url } from '@s5chat/s5';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, registerRawAccount, type RawReply } from './raw-portal';
import { runSeed } from './support';

const MAX_BLOB = 256 * 1024;
const seed = runSeed('FUZZ_SEED', 'fuzz-http');

let node: Awaited<ReturnType<typeof startDevnode>>;
let token: string;
let validSets = 0;

beforeAll(async () => {
  node = await startDevnode({ port: 0, maxBlobBytes: MAX_BLOB });
  token = await registerRawAccount(node.url);
});
afterAll(async () => {
  await node?.stop();
});

const auth = () => ({ authorization: `Bearer ${token}` });
const postJson = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  rawRequest(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(), ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

function expect4xx(reply: RawReply, what: string): void {
  expect(reply.status, `${what}: ${reply.status} ${reply.body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, `${what}: ${reply.status} ${reply.body.slice(0, 200)}`).toBeLessThan(500);
  if (reply.body.length > 0) {
    // A reason a developer can read, as JSON (issue 4: "4xx with a JSON error").
    expect(reply.contentType, what).toContain('json');
    expect(JSON.parse(reply.body), what).toHaveProperty('error');
  }
}

/** The node still does real work: a valid, signed registry entry round-trips. */
async function expectServing(): Promise<void> {
  const keyPair = Ed25519KeyPair.fromSeed(new Uint8Array(randomBytes(32)));
  const entry = createRegistryEntry({ keyPair, revision: 1, data: new Uint8Array([0x1e, 1, 2, 3]) });
  const set = await postJson('/s5/registry', JSON.stringify(registryEntryToJson(entry)));
  expect(set.status, set.body).toBe(204);
  validSets++;
  const got = await rawRequest(`${node.url}/s5/registry?pk=${toBase64Url(keyPair.publicKey)}`);
  expect(got.status).toBe(200);
  expect(JSON.parse(got.body)).toMatchObject({ revision: 1 });
}

function validEntryJson(): Record<string, unknown> {
  const keyPair = Ed25519KeyPair.fromSeed(new Uint8Array(randomBytes(32)));
  return { ...registryEntryToJson(createRegistryEntry({ keyPair, revision: 7, data: new Uint8Array([0x1e, 9]) })) };
}

describe('malformed HTTP to the devnode', () => {
  it('registry POST: bad JSON, bad base64, wrong types, bad signature, wrong content type, huge body → 4xx', async () => {
    const good = validEntryJson();
    const cases: [string, string | Uint8Array, Record<string, string>?][] = [
      ['not JSON', 'this is not json'],
      ['truncated JSON', '{"pk": "7'],
      ['empty body', ''],
      ['JSON null', 'null'],
      ['JSON array', '[1,2,3]'],
      ['JSON string', '"entry"'],
      ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
      ['missing signature', JSON.stringify({ ...good, signature: undefined })],
      ['pk not base64url', JSON.stringify({ ...good, pk: '!!!not-base64!!!' })],
      ['pk too short', JSON.stringify({ ...good, pk: toBase64Url(new Uint8Array(32).fill(0xed)) })],
      ['pk wrong key type', JSON.stringify({ ...good, pk: toBase64Url(new Uint8Array(33).fill(1)) })],
      ['revision negative', JSON.stringify({ ...good, revision: -1 })],
      ['revision string', JSON.stringify({ ...good, revision: '8' })],
      ['revision fractional', JSON.stringify({ ...good, revision: 1.5 })],
      ['revision above 2^48', JSON.stringify({ ...good, revision: 2 ** 48 + 1 })],
      ['data not base64url', JSON.stringify({ ...good, data: '%%%' })],
      ['data 65 bytes', JSON.stringify({ ...good, data: toBase64Url(new Uint8Array(65)) })],
      ['signature 63 bytes', JSON.stringify({ ...good, signature: toBase64Url(new Uint8Array(63)) })],
      ['signature does not verify', JSON.stringify({ ...good, signature: toBase64Url(new Uint8Array(64).fill(7)) })],
      ['text/plain body', JSON.stringify(good), { 'content-type': 'text/plain' }],
      ['form body', 'pk=1&revision=2', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['huge JSON (1 MiB)', JSON.stringify({ ...good, padding: 'x'.repeat(1024 * 1024) })],
    ];
    for (const [what, body, headers] of cases) expect4xx(await postJson('/s5/registry', body, headers), what);
    // Without a token the parser is never reached, and that is a 4xx too.
    expect4xx(await rawRequest(`${node.url}/s5/registry`, { method: 'POST', body: JSON.stringify(good) }), 'no token');
    expect(node.stats().registry.setsAccepted).toBe(validSets);
    await expectServing();
  });

  it('registry and blob GETs with malformed keys and ids → 4xx', async () => {
    for (const [what, path] of [
      ['no pk', '/s5/registry'],
      ['pk not base64url', '/s5/registry?pk=***'],
      ['pk 10 KB', `/s5/registry?pk=${'A'.repeat(10 * 1024)}`],
      ['blob id garbage', '/s5/blob/not-a-blob-id'],
      ['blob id truncated', '/s5/blob/z2BNX'],
      ['blob id with traversal', `/s5/blob/${encodeURIComponent('../../etc/passwd')}`],
    ] as const) {
      expect4xx(await rawRequest(`${node.url}${path}`), what);
    }
    await expectServing();
  });

  it('uploads: no token, bad token, missing boundary, truncated multipart, wrong part, over the size limit → 4xx', async () => {
    const boundary = 'reliability-boundary';
    const part = (name: string, bytes: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n${bytes}\r\n--${boundary}--\r\n`;
    const multipart = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    const upload = (body: string | Uint8Array, headers: Record<string, string>) =>
      rawRequest(`${node.url}/s5/upload`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const blobsBefore = node.stats().blobs.count;

    expect4xx(await upload(part('file', 'hello'), multipart), 'no token');
    expect4xx(await upload(part('file', 'hello'), { ...multipart, authorization: 'Bearer S5Anot-a-token' }), 'bad token');
    expect4xx(await upload(part('file', 'hello'), { ...auth(), 'content-type': 'multipart/form-data' }), 'missing boundary');
    const full = part('file', 'hello world, this part is cut short');
    expect4xx(await upload(full.slice(0, full.length - 30), { ...auth(), ...multipart }), 'truncated multipart');
    expect4xx(await upload(part('not-file', 'hello'), { ...auth(), ...multipart }), 'no part named "file"');
    expect4xx(await upload(new Uint8Array(MAX_BLOB + 1), { ...auth(), 'content-type': 'application/octet-stream' }), 'raw body over the limit');
    expect4xx(await upload(part('file', 'x'.repeat(MAX_BLOB + 1)), { ...auth(), ...multipart }), 'multipart file over the limit');
    expect(node.stats().blobs.count).toBe(blobsBefore);

    // And a correct upload still works afterwards.
    const ok = await upload(part('file', 'still serving'), { ...auth(), ...multipart });
    expect(ok.status, ok.body).toBe(200);
    expect(JSON.parse(ok.body)).toHaveProperty('cid');
  });

  it('accounts and admin: malformed challenge requests and fault configs → 4xx', async () => {
    expect4xx(await rawRequest(`${node.url}/s5/account/register?pubKey=%%%`), 'register challenge, bad pubKey');
    expect4xx(await rawRequest(`${node.url}/s5/account/login`), 'login challenge, no pubKey');
    expect4xx(await postJson('/s5/account/register', '{"pubKey":'), 'register response, truncated JSON');
    expect4xx(await postJson('/s5/account/login', JSON.stringify({ pubKey: 1, response: [], signature: null })), 'login response, wrong types');
    expect4xx(await postJson('/admin/faults', 'errorRate=1'), 'faults, not JSON');
    expect4xx(await postJson('/admin/faults', JSON.stringify({ errorRate: 2 })), 'faults, rate out of range');
    expect4xx(await postJson('/admin/faults', JSON.stringify({ explode: true })), 'faults, unknown knob');
    expect4xx(await postJson('/admin/registry', '{"pk":"x"}'), 'admin registry, malformed entry');
    expect(node.faults().errorRate).toBe(0);
    await expectServing();
  });

  it('random bodies and query strings (fast-check) → 4xx, never a crash', async () => {
    const runs = { numRuns: 150, seed };
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
        expect4xx(await postJson('/s5/registry', bytes), `random bytes ${toBase64Url(bytes).slice(0, 40)}`);
      }),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
        expect4xx(await postJson('/s5/registry', JSON.stringify(value)), `random JSON ${JSON.stringify(value).slice(0, 80)}`);
      }),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (s) => {
        expect4xx(await rawRequest(`${node.url}/s5/registry?pk=${encodeURIComponent(s)}`), `random pk ${JSON.stringify(s)}`);
        expect4xx(await rawRequest(`${node.url}/s5/blob/${encodeURIComponent(s) || '%20'}`), `random blob id ${JSON.stringify(s)}`);
      }),
      runs,
    );
    expect(node.stats().registry.setsAccepted).toBe(validSets);
    await expectServing();
  }, 120_000);
});
