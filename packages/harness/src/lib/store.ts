/**
 * A minimal external store for useSyncExternalStore: the SDK's callbacks
 * (events, metrics polling, token streams) update it outside React, and
 * components read consistent snapshots.
 */
export class Store<T> {
  private listeners = new Set<() => void>();
  constructor(private state: T) {}

  get = (): T => this.state;

  set(next: T | ((prev: T) => T)): void {
    this.state = typeof next === 'function' ? (next as (prev: T) => T)(this.state) : next;
    for (const l of this.listeners) l();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
