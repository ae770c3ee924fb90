import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Services } from '../../services.js';
import { blake3, bytesToHex, decodeMultibase, encodeMultibase } from '../../s5.js';

/**
 * The Dart node's local object store as its own HTTP origin (S5 lib/store/local.dart): a separate
 * Alfred app with `cors()`, i.e. `Access-Control-Allow-Origin: *` and no credentials. `/s5/blob/`
 * answers 307 to it, so a browser fetch with credentials through that redirect fails CORS — the
 * behaviour clients must cope with (PORTALS.md §2.5, §3 item 2). Not faulted: faults model the portal API.
 */
export class DartStoreServer {
  readonly #server = createServer((req, res) => void this.#handle(req, res));
  #url = '';

  constructor(
    private readonly services: Services,
    private readonly bindHost: string,
  ) {
    this.#server.on('clientError', (_err, socket) => socket.destroy());
  }

  get url(): string {
    return this.#url;
  }

  /** `<store url>/1/xx/xx/xx/xx/<rest>`: base32 of the 0x1f multihash, split as local.dart does. */
  urlFor(multihash: Uint8Array): string {
    const b = encodeMultibase(multihash, 'b').slice(1);
    return `${this.#url}/1/${b.slice(0, 2)}/${b.slice(2, 4)}/${b.slice(4, 6)}/${b.slice(6, 8)}/${b.slice(8)}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, this.bindHost, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://${this.bindHost.includes(':') ? `[${this.bindHost}]` : this.bindHost}:${port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Alfred's cors() defaults.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS, PUT, PATCH, DELETE');
    res.setHeader('Access-Control-Allow-Headers', '*');
    res.setHeader('Access-Control-Expose-Headers', '*');
    res.setHeader('Access-Control-Max-Age', '86400');
    req.resume();
    const send = (status: number, body: Uint8Array | string, type = 'text/plain; charset=utf-8') => {
      const buf = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
      res.writeHead(status, { 'content-type': type, 'content-length': buf.length });
      res.end(req.method === 'HEAD' ? undefined : buf);
    };
    if (req.method === 'OPTIONS') return send(200, '');
    if (req.method !== 'GET') return send(404, '404 not found');
    try {
      const segments = new URL(req.url ?? '/', 'http://store.invalid').pathname.split('/').slice(1);
      if (segments.some((s) => !/^[a-z0-9A-Z]+$/.test(s))) return send(500, 'Invalid path');
      const digestHex = this.#digestOf(segments);
      const bytes = digestHex ? await this.services.blobs.get(digestHex) : undefined;
      if (!bytes || !digestHex) return send(404, '404 not found');
      if (this.services.verifyBlobsOnRead && bytesToHex(blake3(bytes)) !== digestHex) {
        const size = await this.services.blobs.quarantine(digestHex);
        if (size !== undefined) this.services.stats.blobRemoved(size);
        this.services.log(`store: blob ${digestHex} failed BLAKE3 verification on read; quarantined`);
        return send(404, '404 not found');
      }
      send(200, bytes, 'application/octet-stream');
    } catch (err) {
      send(500, String(err));
    }
  }

  #digestOf(segments: string[]): string | undefined {
    if (segments.length !== 6 || segments[0] !== '1') return undefined;
    try {
      const mh = decodeMultibase('b' + segments.slice(1).join('').toLowerCase());
      return mh.length === 33 && mh[0] === 0x1f ? bytesToHex(mh.subarray(1)) : undefined;
    } catch {
      return undefined;
    }
  }
}
