import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Devnode } from '../src/index.js';
import { TestBed } from './helpers.js';

const bed = new TestBed();
let node: Devnode;
beforeAll(async () => {
  node = await bed.node({ log: false });
});
afterAll(() => bed.cleanup());

/** Raw request so we control Origin/Host exactly as a browser would send them. */
function raw(path: string, headers: Record<string, string>, body?: string): Promise<number> {
  const u = new URL(node.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('admin routes are not reachable through a browser on a foreign origin (real socket)', () => {
  it('a cross-site "no-cors" POST (no Content-Type, foreign Origin) cannot change the faults', async () => {
    // What `fetch(url, { method: 'POST', mode: 'no-cors', body: new Blob([json]) })` sends from any web page.
    const status = await raw('/admin/faults', { origin: 'https://evil.example' }, JSON.stringify({ errorRate: 1 }));
    expect(status).toBe(403);
    expect(node.faults().errorRate).toBe(0);
  });

  it('a DNS-rebound page (Host is a foreign name) cannot use admin routes', async () => {
    const port = new URL(node.url).port;
    expect(await raw('/admin/stats', { host: `evil.example:${port}` })).toBe(403);
  });

  it('loopback pages (the harness on another localhost port) and non-browser clients still work', async () => {
    const port = new URL(node.url).port;
    expect(await raw('/admin/faults', { origin: 'http://localhost:3000', 'content-type': 'application/json' }, '{"latencyMs":0}')).toBe(200);
    expect(await raw('/admin/faults', { origin: 'http://127.0.0.1:3000', 'content-type': 'application/json' }, '{"latencyMs":0}')).toBe(200);
    expect(await raw('/admin/stats', { host: `localhost:${port}` })).toBe(200);
    expect(await raw('/admin/stats', {})).toBe(200);
    // The public API keeps answering any origin (CORS '*').
    expect(await raw('/s5/registry?pk=x', { origin: 'https://evil.example' })).toBe(400);
  });
});
