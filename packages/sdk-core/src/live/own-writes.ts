import type { Message } from '../schemas.js';
import { fingerprint } from './diff.js';

/**
 * How long a head written under our device id waits for our own 'saved' event: the portal's push of
 * our write usually overtakes the reply to it.
 */
const OWN_WRITE_GRACE_MS = 3000;

/** Message versions remembered per conversation; the oldest is forgotten first. */
const MAX_OWN_PRINTS = 4096;

/**
 * What this manager itself committed to one watched conversation, so its watchers never hear of
 * their own writes: the keys it committed (`<key name>@<revision>`, from its 'saved' events), and
 * the message versions it stored (id → fingerprint, bounded) — a snapshot that also carries another
 * device's write never reports them, since a read may skip our own revisions.
 */
export class OwnWrites {
  readonly #tags = new Set<string>();
  readonly #prints = new Map<string, string>();
  /** Woken on each of our own commits. */
  readonly #waiters = new Set<() => void>();

  /** This manager committed `tag` (its 'saved' event), storing `messages`. */
  saved(tag: string, messages: readonly Message[] | undefined): void {
    this.#tags.add(tag);
    for (const m of messages ?? []) {
      this.#prints.delete(m.id); // re-inserted: the map's order is the order of forgetting
      this.#prints.set(m.id, fingerprint(m));
      if (this.#prints.size > MAX_OWN_PRINTS) this.#prints.delete(this.#prints.keys().next().value!);
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** `tag` (`<key name>@<revision>`) is one of our commits. */
  has(tag: string): boolean {
    return this.#tags.has(tag);
  }

  /** This version of the message is one we stored. */
  stored(m: Message): boolean {
    return this.#prints.get(m.id) === fingerprint(m);
  }

  /** Resolves once `tag` is known to be ours, or after the grace period (then it is judged as it is). */
  settle(tag: string): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.#tags.has(tag)) done();
      };
      const timer = setTimeout(done, OWN_WRITE_GRACE_MS);
      this.#waiters.add(check);
    });
  }
}
