import { ValidationError } from '@s5chat/s5';
import { isOutboxRecord, type OutboxRecord, type OutboxStore } from './store.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * Node: one JSON file per queued write in `dir`, written to a temp file and renamed (atomic on
 * POSIX), so a crash mid-write leaves either the old state or the new one, never half a record.
 * `node:fs` is loaded lazily with an opaque specifier so browser bundles never include it.
 */
export class FileOutboxStore implements OutboxStore {
  readonly dir: string;
  #mods: Promise<{ fs: Fs; path: Path }> | undefined;

  constructor(dir: string) {
    if (typeof dir !== 'string' || dir.length === 0) throw new ValidationError([{ path: 'outboxDir', message: 'expected a directory path' }]);
    this.dir = dir;
  }

  #load(): Promise<{ fs: Fs; path: Path }> {
    this.#mods ??= (async () => {
      const fsName = 'node:fs/promises';
      const pathName = 'node:path';
      const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName)) as Fs;
      const path = (await import(/* @vite-ignore */ /* webpackIgnore: true */ pathName)) as Path;
      await fs.mkdir(this.dir, { recursive: true });
      return { fs, path };
    })();
    return this.#mods;
  }

  #file(path: Path, operationId: string): string {
    if (!SAFE_ID.test(operationId)) throw new ValidationError([{ path: 'operationId', message: 'not usable as a file name' }]);
    return path.join(this.dir, `${operationId}.json`);
  }

  async list(): Promise<OutboxRecord[]> {
    const { fs, path } = await this.#load();
    const out: OutboxRecord[] = [];
    for (const name of await fs.readdir(this.dir)) {
      if (!name.endsWith('.json')) continue; // temp files of an interrupted write
      try {
        const parsed: unknown = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8'));
        if (isOutboxRecord(parsed)) out.push(parsed);
      } catch {
        // deleted meanwhile by another process, or unreadable: not a record
      }
    }
    return out;
  }

  async put(record: OutboxRecord): Promise<void> {
    const { fs, path } = await this.#load();
    const file = this.#file(path, record.operationId);
    const tmp = `${file}.${Math.random().toString(36).slice(2)}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync(); // durable before we say 'queued'
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  }

  async delete(operationId: string): Promise<void> {
    const { fs, path } = await this.#load();
    await fs.rm(this.#file(path, operationId), { force: true });
  }
}
