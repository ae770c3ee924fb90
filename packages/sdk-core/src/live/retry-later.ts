/**
 * One pending re-run of a watch's read after it failed, with a growing pause (doubling from
 * `minMs` to `maxMs`, back to the start after `reset()`). A watch whose read of the newest entry
 * failed (the portal just came back and the client's circuit is still open, a dropped request)
 * would otherwise wait for a NEWER entry that may never come: with a P2P socket connected nothing
 * polls, so the device would stay stale until reload.
 */
export class RetryLater {
  readonly #run: () => void;
  readonly #minMs: number;
  readonly #maxMs: number;
  #ms = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(run: () => void, minMs = 500, maxMs = 15_000) {
    this.#run = run;
    this.#minMs = minMs;
    this.#maxMs = maxMs;
  }

  schedule(): void {
    if (this.#timer) return;
    this.#ms = Math.min(this.#maxMs, this.#ms ? this.#ms * 2 : this.#minMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#run();
    }, this.#ms);
  }

  /** The read succeeded: the next failure starts from the shortest pause again. */
  reset(): void {
    this.#ms = 0;
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
