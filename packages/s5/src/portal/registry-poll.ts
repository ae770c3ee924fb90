import type { RegistryEntry } from '../registry.js';

/**
 * Live updates by polling the HTTP registry, for portals without a usable subscription socket:
 * Dart has had no `/s5/registry/subscription` since v0.14 (404), and LumeWeb's needs a token,
 * refuses cross-origin browsers and does not push `0x07` records (PORTALS.md §2.7, §3 item 16).
 * Reads once at once, then every `intervalMs`; delivers only increasing revisions. A failed read is
 * reported and the next poll goes on (a poll shows only what reached that portal).
 */
export class RegistryPoller {
  readonly #fetchCurrent: () => Promise<RegistryEntry | null>;
  readonly #onEntry: (entry: RegistryEntry) => void;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #intervalMs: number;
  #lastRevision = -1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(opts: {
    fetchCurrent: () => Promise<RegistryEntry | null>;
    onEntry: (entry: RegistryEntry) => void;
    onError?: ((error: unknown) => void) | undefined;
    intervalMs: number;
  }) {
    this.#fetchCurrent = opts.fetchCurrent;
    this.#onEntry = opts.onEntry;
    this.#onError = opts.onError;
    this.#intervalMs = opts.intervalMs;
    void this.#poll();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  async #poll(): Promise<void> {
    if (this.#closed) return;
    try {
      const entry = await this.#fetchCurrent();
      if (entry && entry.revision > this.#lastRevision && !this.#closed) {
        this.#lastRevision = entry.revision;
        this.#safely(() => this.#onEntry(entry));
      }
    } catch (error) {
      this.#safely(() => this.#onError?.(error));
    }
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      if (fn !== this.#onError) {
        try {
          this.#onError?.(error);
        } catch {
          /* a throwing error handler must not stop the poller */
        }
      }
    }
  }
}
