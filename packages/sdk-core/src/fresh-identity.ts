/**
 * A "fresh identity": the app tells the SDK that the identity was created just now (a phrase from
 * generateSeedPhrase(), a Wallet.createRandom()), so nothing is stored under any of its keys except
 * what this SDK writes. A registry read of such a key has a known answer — "nothing" — and asking
 * the portal anyway costs a 404 (a red line in every browser console, which no script can hide)
 * and, on a Dart portal, ≈ 2 s of waiting for the network. So while the identity is fresh, reads of
 * keys this manager has neither written nor seen are answered locally, and first writes go to
 * revision 1 without a read (the same guess `newConversationId()` makes for one conversation).
 *
 * A wrong claim (the identity did have data, or another device started using it meanwhile) can
 * cost a stale read, never data: every write still goes through the registry's revision check, so
 * the first write meets "Revision number too low", and the normal lost-race path re-reads and
 * re-applies. Freshness then ends for good, as it does on any other sign of a second writer (an
 * entry we did not write, pushed, announced by another tab or read; a write that had to retry).
 */
export class FreshIdentity {
  #active: boolean;
  /** Called once, then dropped: the first write, or the end of freshness. */
  #onUsed: (() => void) | undefined;
  /** Keys whose next read must ask the portal (a write decided "nothing to do" from a guess). */
  readonly #doubted = new Set<string>();
  /** Per key: the revision this manager's write in progress will set (its own push is no evidence). */
  readonly #expecting = new Map<string, number>();

  constructor(active: boolean, onUsed?: () => void) {
    this.#active = active;
    this.#onUsed = onUsed;
  }

  /** Still fresh: reads of unknown keys are answered "nothing stored" without a request. */
  get active(): boolean {
    return this.#active;
  }

  /** `key` (never written nor seen here: `floor` 0) certainly has no entry. */
  knowsAbsent(key: string, floor: number): boolean {
    return this.#active && floor === 0 && !this.#doubted.has(key);
  }

  /** The next read of `key` asks the portal (a decision needs a real read). */
  doubt(key: string): void {
    if (this.#active) this.#doubted.add(key);
  }

  /**
   * A write of `key` starts its `attempt` and will set `revision`. The first write under the
   * identity reports it used (the app stops claiming freshness, e.g. across a reload); a retry
   * means the registry held something we did not expect: another writer, freshness ends.
   * (Both maps only hold keys written or doubted while fresh, and are dropped when it ends.)
   */
  writing(key: string, attempt: number, revision: number): void {
    if (attempt > 1) this.end();
    this.#report();
    if (this.#active) this.#expecting.set(key, revision);
  }

  /** The write of `key` is over (landed or given up). */
  settled(key: string): void {
    this.#expecting.delete(key);
  }

  /**
   * An entry of `key` at `revision` exists (pushed, announced by another tab, or read); `floor` is
   * the highest revision of it this manager knew before. Newer than that and not our own write in
   * progress: someone else writes under this identity.
   */
  observed(key: string, revision: number, floor: number): void {
    if (this.#active && revision > floor && this.#expecting.get(key) !== revision) this.end();
  }

  /** Evidence of a second writer (or of older data): from now on every unknown key is read. */
  end(): void {
    this.#active = false;
    this.#doubted.clear();
    this.#expecting.clear();
    this.#report();
  }

  #report(): void {
    const onUsed = this.#onUsed;
    this.#onUsed = undefined;
    try {
      onUsed?.();
    } catch {
      // the app's bookkeeping must not break a write
    }
  }
}
