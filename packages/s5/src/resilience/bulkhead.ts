import { abortReason } from './sleep.js';

/**
 * At most `capacity` calls in flight; the rest wait in an unbounded FIFO queue.
 *
 * Hand-written (it replaced cockatiel's bulkhead) because of the 60 KB gzip browser budget: cockatiel's
 * policy classes are not tree-shakable. Same behaviour as cockatiel 3.2.1's BulkheadPolicy with an
 * infinite queue: a call whose signal is already aborted is refused (with the abort reason), a queued
 * call starts when a slot frees, on a microtask, in arrival order.
 */
export class Bulkhead {
  readonly capacity: number;
  #active = 0;
  readonly #queue: { fn: () => Promise<unknown>; signal: AbortSignal | undefined; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Free execution slots right now. */
  get executionSlots(): number {
    return this.capacity - this.#active;
  }

  async execute<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    if (this.#active < this.capacity) {
      this.#active++;
      try {
        return await fn();
      } finally {
        this.#active--;
        this.#dequeue();
      }
    }
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, signal, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  #dequeue(): void {
    const item = this.#queue.shift();
    if (!item) return;
    Promise.resolve()
      .then(() => this.execute(item.fn, item.signal))
      .then(item.resolve, item.reject);
  }
}
