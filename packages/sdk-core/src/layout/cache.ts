/**
 * A small LRU keyed by content hash, bounded by total weight (bytes). Only immutable things go in
 * (segments, heads — both content-addressed), so an entry can never be stale, only evicted.
 */
export class LruCache<V> {
  readonly #map = new Map<string, { value: V; weight: number }>();
  #weight = 0;
  constructor(readonly maxWeight: number) {}

  get(key: string): V | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    this.#map.delete(key); // re-insert = most recently used
    this.#map.set(key, e);
    return e.value;
  }

  set(key: string, value: V, weight: number): void {
    const old = this.#map.get(key);
    if (old) {
      this.#weight -= old.weight;
      this.#map.delete(key);
    }
    if (weight > this.maxWeight) return;
    this.#map.set(key, { value, weight });
    this.#weight += weight;
    for (const [k, e] of this.#map) {
      if (this.#weight <= this.maxWeight) break;
      this.#map.delete(k);
      this.#weight -= e.weight;
    }
  }

  delete(key: string): void {
    const e = this.#map.get(key);
    if (!e) return;
    this.#map.delete(key);
    this.#weight -= e.weight;
  }

  get size(): number {
    return this.#map.size;
  }
}

/**
 * Run `fn` over `items` with at most `limit` in flight; results in input order. Hand-written
 * because it is ten lines; rejects with the first error (other calls still settle).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}
