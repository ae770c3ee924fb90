import { ClassicLevel } from 'classic-level';

/**
 * The small key-value seam the registry and account services persist through. `write` is atomic
 * and durable: when it resolves, every put is on disk (or, in memory mode, visible).
 */
export interface KvStore {
  get(key: string): Promise<Uint8Array | undefined>;
  write(puts: ReadonlyArray<readonly [key: string, value: Uint8Array]>): Promise<void>;
  entries(prefix: string): AsyncIterable<[string, Uint8Array]>;
  close(): Promise<void>;
}

export class MemoryKv implements KvStore {
  readonly #map = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#map.get(key);
  }

  async write(puts: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    for (const [k, v] of puts) this.#map.set(k, v.slice());
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    for (const [k, v] of this.#map) if (k.startsWith(prefix)) yield [k, v];
  }

  async close(): Promise<void> {}
}

/** LevelDB (classic-level) with `sync: true` batches: an acknowledged write survives `kill -9` and power loss. */
export class LevelKv implements KvStore {
  readonly #db: ClassicLevel<string, Uint8Array>;

  private constructor(db: ClassicLevel<string, Uint8Array>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<LevelKv> {
    const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    return new LevelKv(db);
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#db.get(key);
  }

  write(puts: ReadonlyArray<readonly [string, Uint8Array]>): Promise<void> {
    return this.#db.batch(
      puts.map(([key, value]) => ({ type: 'put' as const, key, value })),
      { sync: true },
    );
  }

  async *entries(prefix: string): AsyncIterable<[string, Uint8Array]> {
    // '\uffff' sorts after every key that starts with `prefix` (keys here are ASCII).
    for await (const [k, v] of this.#db.iterator({ gte: prefix, lt: prefix + '\uffff' })) yield [k, v];
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}
