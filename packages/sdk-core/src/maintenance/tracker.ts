/**
 * Background work (compaction, index repair) is never in the acknowledgement path, but flush()
 * must be able to wait for it and close() must stop new work. This is the one set of such tasks.
 */
export class MaintenanceTracker {
  readonly #tasks = new Set<Promise<void>>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  get size(): number {
    return this.#tasks.size;
  }

  close(): void {
    this.#closed = true;
  }

  /** Track `task` until it settles (it must not reject: report failures through events). */
  track(task: Promise<void>): void {
    this.#tasks.add(task);
    task.finally(() => this.#tasks.delete(task)).catch(() => undefined);
  }

  settled(): Promise<unknown> {
    return Promise.allSettled([...this.#tasks]);
  }
}
