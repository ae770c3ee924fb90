/**
 * A counting semaphore for "N requests in flight, the rest queued in arrival order" — Alfred's
 * request queue (PORTALS.md §2.11), where one 60 s blob miss holds a slot the whole time.
 * Hand-written: it is ten lines and async-mutex's Semaphore would not release on a dropped socket
 * any more simply.
 */
export class RequestSlots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    this.#free = size;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free. Call it exactly once. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.#free++;
    };
  }
}
