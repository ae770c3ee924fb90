import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Blobs keyed by the lower-case hex of their 32-byte BLAKE3 digest. */
export interface BlobStore {
  /** Store durably; resolves `false` if an intact copy was already there. */
  put(hashHex: string, bytes: Uint8Array): Promise<boolean>;
  get(hashHex: string): Promise<Uint8Array | undefined>;
  /** Size in bytes of a stored blob, undefined if absent. */
  size(hashHex: string): Promise<number | undefined>;
  /** Take a blob out of service (it failed verification). Returns its size, or undefined if absent. */
  quarantine(hashHex: string): Promise<number | undefined>;
  /** Start-up pass: drop partial writes, optionally verify every blob; returns what is servable. */
  recover(verify: ((hashHex: string, bytes: Uint8Array) => boolean) | undefined, log: (line: string) => void): Promise<{ count: number; bytes: number }>;
}

const HEX64 = /^[0-9a-f]{64}$/;

function assertHashHex(hashHex: string): void {
  // Defence in depth: callers pass hex they computed, but a path is built from it.
  if (!HEX64.test(hashHex)) throw new Error(`not a 64-char lower-case hex digest: ${hashHex}`);
}

export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();

  async put(hashHex: string, bytes: Uint8Array): Promise<boolean> {
    assertHashHex(hashHex);
    if (this.#blobs.has(hashHex)) return false;
    this.#blobs.set(hashHex, bytes.slice());
    return true;
  }

  async get(hashHex: string): Promise<Uint8Array | undefined> {
    return this.#blobs.get(hashHex)?.slice();
  }

  async size(hashHex: string): Promise<number | undefined> {
    return this.#blobs.get(hashHex)?.length;
  }

  async quarantine(hashHex: string): Promise<number | undefined> {
    const b = this.#blobs.get(hashHex);
    this.#blobs.delete(hashHex);
    return b?.length;
  }

  async recover(): Promise<{ count: number; bytes: number }> {
    return { count: 0, bytes: 0 };
  }
}

/**
 * One file per blob: `<root>/blobs/<hex digest>`. Writes go to `<root>/tmp/` first, are fsync'd,
 * renamed into place and the directory fsync'd — only then is the upload acknowledged, so a crash
 * leaves either the whole blob or a stray tmp file (removed at start-up), never a short blob.
 */
export class FileBlobStore implements BlobStore {
  readonly #blobDir: string;
  readonly #tmpDir: string;
  readonly #corruptDir: string;
  /** Concurrent uploads of the same content share one write (and count as one new blob). */
  readonly #inFlight = new Map<string, Promise<boolean>>();

  constructor(root: string) {
    this.#blobDir = join(root, 'blobs');
    this.#tmpDir = join(root, 'tmp');
    this.#corruptDir = join(root, 'corrupt');
  }

  path(hashHex: string): string {
    assertHashHex(hashHex);
    return join(this.#blobDir, hashHex);
  }

  async put(hashHex: string, bytes: Uint8Array): Promise<boolean> {
    const pending = this.#inFlight.get(hashHex);
    if (pending) return pending.then(() => false);
    const write = this.#write(hashHex, bytes).finally(() => this.#inFlight.delete(hashHex));
    this.#inFlight.set(hashHex, write);
    return write;
  }

  async #write(hashHex: string, bytes: Uint8Array): Promise<boolean> {
    const finalPath = this.path(hashHex);
    const existing = await stat(finalPath).catch(() => undefined);
    if (existing?.isFile() && existing.size === bytes.length) {
      // Only skip the write if the stored copy is intact: an ack must mean the right bytes are on disk.
      const stored = await readFile(finalPath).catch(() => undefined);
      if (stored?.equals(bytes)) return false;
    }
    const tmpPath = join(this.#tmpDir, `${hashHex}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(tmpPath, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmpPath, finalPath);
    } catch (err) {
      await rm(tmpPath, { force: true });
      throw err;
    }
    await fsyncDir(this.#blobDir);
    return true;
  }

  async get(hashHex: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(hashHex)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async size(hashHex: string): Promise<number | undefined> {
    const st = await stat(this.path(hashHex)).catch(() => undefined);
    return st?.isFile() ? st.size : undefined;
  }

  async quarantine(hashHex: string): Promise<number | undefined> {
    const from = this.path(hashHex);
    const st = await stat(from).catch(() => undefined);
    if (!st) return undefined;
    await rename(from, join(this.#corruptDir, `${hashHex}.${Date.now()}`)).catch(() => rm(from, { force: true }));
    await fsyncDir(this.#blobDir).catch(() => {});
    return st.size;
  }

  async recover(
    verify: ((hashHex: string, bytes: Uint8Array) => boolean) | undefined,
    log: (line: string) => void,
  ): Promise<{ count: number; bytes: number }> {
    await mkdir(this.#blobDir, { recursive: true });
    await mkdir(this.#corruptDir, { recursive: true });
    // Anything in tmp/ is a write that was never acknowledged.
    await rm(this.#tmpDir, { recursive: true, force: true });
    await mkdir(this.#tmpDir, { recursive: true });
    let count = 0;
    let bytes = 0;
    for (const name of await readdir(this.#blobDir)) {
      if (!HEX64.test(name)) {
        log(`blob store: ignoring unexpected file blobs/${name}`);
        continue;
      }
      if (verify) {
        const data = new Uint8Array(await readFile(join(this.#blobDir, name)));
        if (!verify(name, data)) {
          log(`blob store: blobs/${name} does not match its BLAKE3 digest; moved to corrupt/`);
          await this.quarantine(name);
          continue;
        }
        count++;
        bytes += data.length;
      } else {
        count++;
        bytes += (await stat(join(this.#blobDir, name))).size;
      }
    }
    return { count, bytes };
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable (POSIX: a rename is persisted by syncing the directory).
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
