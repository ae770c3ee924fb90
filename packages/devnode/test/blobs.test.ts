import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlobId, blake3, bytesToHex } from '@s5chat/s5';
import type { Devnode } from '../src/index.js';
import { register, TestBed, uploadMultipart, uploadRaw } from './helpers.js';
import { V } from './vectors.js';

const bed = new TestBed();
let node: Devnode;
let token: string;
beforeAll(async () => {
  node = await bed.node();
  token = await register(node.url);
});
afterAll(() => bed.cleanup());

const helloWorld = new TextEncoder().encode('hello world');

describe('POST /s5/upload + GET /s5/blob/:id (PROTOCOL §5.4)', () => {
  it('multipart upload (as s5.js sends it) returns the z BlobIdentifier with 0x1e and the true size', async () => {
    const res = await uploadMultipart(node.url, token, helloWorld);
    expect(res.status).toBe(200);
    const { cid } = (await res.json()) as { cid: string };
    const vec = V.blob_identifiers.find((b) => b.size === 11)!;
    expect(cid).toBe(vec.z_base58btc);
  });

  it('raw upload stores by BLAKE3 and downloads byte-identical', async () => {
    const bytes = new Uint8Array(randomBytes(100_000));
    const res = await uploadRaw(node.url, token, bytes);
    expect(res.status).toBe(200);
    const { cid } = (await res.json()) as { cid: string };
    const id = BlobId.parse(cid);
    expect(id.size).toBe(bytes.length);
    expect(bytesToHex(id.hash)).toBe(bytesToHex(blake3(bytes)));
    const got = await fetch(`${node.url}/s5/blob/${cid}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
  });

  it('the empty blob is a valid blob', async () => {
    const res = await uploadRaw(node.url, token, new Uint8Array(0));
    const { cid } = (await res.json()) as { cid: string };
    expect(cid).toBe(V.blob_identifiers.find((b) => b.size === 0)!.z_base58btc);
    const got = await fetch(`${node.url}/s5/blob/${cid}`);
    expect(got.status).toBe(200);
    expect((await got.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves every id form of the vectors: z, b, u, f, legacy CID, s5.js fallback (0x1f, size 0), with extension', async () => {
    await uploadRaw(node.url, token, helloWorld);
    const vec = V.blob_identifiers.find((b) => b.size === 11)!;
    const paths = [
      `/s5/blob/${vec.z_base58btc}`,
      `/s5/blob/${vec.b_base32}`,
      `/s5/blob/${vec.u_base64url}`,
      `/s5/blob/${vec.f_hex}`,
      `/s5/blob/${vec.legacy_cid_z}`,
      vec.s5js_portal_fallback_path,
      `/s5/blob/${vec.z_base58btc}.txt`,
    ];
    for (const p of paths) {
      const res = await fetch(node.url + p);
      expect(res.status, p).toBe(200);
      expect(new TextDecoder().decode(await res.arrayBuffer()), p).toBe('hello world');
    }
  });

  it('HEAD answers with the length and no body', async () => {
    const { cid } = (await (await uploadRaw(node.url, token, helloWorld)).json()) as { cid: string };
    const res = await fetch(`${node.url}/s5/blob/${cid}`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('11');
  });

  it('unknown blob → 404 JSON; malformed ids → 400 JSON', async () => {
    const missing = BlobId.fromBytes(new Uint8Array(randomBytes(10))).toString('z');
    const res = await fetch(`${node.url}/s5/blob/${missing}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toHaveProperty('error');
    for (const bad of ['zzzz', 'x123', 'z0OIl', 'f5b82', 'bnotbase32!', encodeURIComponent('ü'), '%zz', 'z%E0%A4%A', 'f' + '00'.repeat(40)]) {
      const r = await fetch(`${node.url}/s5/blob/${bad}`);
      expect(r.status, bad).toBe(400);
      expect(await r.json()).toHaveProperty('error');
    }
  });

  it('uploads above maxBlobBytes get 413 (raw and multipart) and nothing is stored', async () => {
    const small = await bed.node({ maxBlobBytes: 1024 });
    const t = await register(small.url);
    const before = small.stats().blobs.count;
    const big = new Uint8Array(randomBytes(2048));
    expect((await uploadRaw(small.url, t, big)).status).toBe(413);
    expect((await uploadMultipart(small.url, t, big)).status).toBe(413);
    // Chunked body without Content-Length: the limit is enforced while streaming.
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(big.subarray(0, 1000));
        c.enqueue(big.subarray(1000));
        c.close();
      },
    });
    const chunked = await fetch(`${small.url}/s5/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(small.stats().blobs.count).toBe(before);
    expect((await uploadRaw(small.url, t, big.subarray(0, 1024))).status).toBe(200);
    expect(small.stats().blobs.count).toBe(before + 1);
  });

  it('counts blobs, bytes and uploads; a duplicate upload stores nothing new', async () => {
    const n = await bed.node();
    const t = await register(n.url);
    const bytes = new Uint8Array(randomBytes(500));
    await uploadRaw(n.url, t, bytes);
    await uploadMultipart(n.url, t, bytes);
    const s = n.stats();
    expect(s.uploads).toBe(2);
    expect(s.blobs).toEqual({ count: 1, bytes: 500 });
    expect(s.requests.byRoute['POST /s5/upload']).toBe(2);
  });
});

describe('blob integrity on disk', () => {
  const tamperBed = new TestBed();
  afterEach(() => tamperBed.cleanup());

  it('a blob altered on disk is never served (verifyBlobsOnRead default) and is taken out of service', async () => {
    const dir = await tamperBed.tempDir();
    const n = await tamperBed.node({ dataDir: dir });
    const t = await register(n.url);
    const bytes = new TextEncoder().encode('the original content');
    const { cid } = (await (await uploadRaw(n.url, t, bytes)).json()) as { cid: string };
    const file = join(dir, 'blobs', bytesToHex(blake3(bytes)));
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
    await writeFile(file, 'the altered content!');
    const first = await fetch(`${n.url}/s5/blob/${cid}`);
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ code: 'CORRUPT_BLOB' });
    expect((await fetch(`${n.url}/s5/blob/${cid}`)).status).toBe(404);
    // Re-uploading the real bytes heals it.
    expect((await uploadRaw(n.url, t, bytes)).status).toBe(200);
    expect(new Uint8Array(await (await fetch(`${n.url}/s5/blob/${cid}`)).arrayBuffer())).toEqual(bytes);
  });

  it('re-uploading content whose stored copy was altered (same length) rewrites the file before acknowledging', async () => {
    const dir = await tamperBed.tempDir();
    const n = await tamperBed.node({ dataDir: dir });
    const t = await register(n.url);
    const bytes = new TextEncoder().encode('0123456789');
    await uploadRaw(n.url, t, bytes);
    const file = join(dir, 'blobs', bytesToHex(blake3(bytes)));
    await writeFile(file, 'abcdefghij');
    expect((await uploadRaw(n.url, t, bytes)).status).toBe(200);
    expect(new Uint8Array(await readFile(file))).toEqual(bytes);
  });

  it('with verifyBlobsOnRead: false the node serves the altered bytes (malicious-portal simulation)', async () => {
    const dir = await tamperBed.tempDir();
    const n = await tamperBed.node({ dataDir: dir, verifyBlobsOnRead: false });
    const t = await register(n.url);
    const bytes = new TextEncoder().encode('the original content');
    const { cid } = (await (await uploadRaw(n.url, t, bytes)).json()) as { cid: string };
    await writeFile(join(dir, 'blobs', bytesToHex(blake3(bytes))), 'the altered content!');
    const res = await fetch(`${n.url}/s5/blob/${cid}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('the altered content!');
  });
});
