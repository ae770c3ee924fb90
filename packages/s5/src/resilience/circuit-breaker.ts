/**
 * A consecutive-failure circuit breaker with a growing half-open delay.
 *
 * Hand-written (it replaced cockatiel's CircuitBreakerPolicy) because of the 60 KB gzip browser
 * budget of an app importing createSdk: cockatiel's policy classes and their event emitters are not
 * tree-shakable and cost ~3 KB gzip for the three small policies we use. The behaviour is cockatiel
 * 3.2.1's, kept exactly: `threshold` consecutive handled failures open the circuit; while open every
 * call fails fast with BrokenCircuitError; after the half-open delay one trial call goes through
 * (concurrent callers wait for it); its success closes the circuit, a handled failure re-opens it with
 * the next, longer delay; an unhandled error counts as an answer and closes it. The delay follows
 * cockatiel's default ExponentialBackoff generator ("decorrelated jitter", exponent 2) from
 * `initialDelayMs`, capped at `maxDelayMs`, restarting from the first step after the circuit closes.
 */

/** Same numbers as cockatiel's CircuitState. */
export const CircuitState = { Closed: 0, Open: 1, HalfOpen: 2 } as const;
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Thrown while the circuit is open (the caller maps it to a typed PortalUnavailableError). */
export class BrokenCircuitError extends Error {
  constructor() {
    super('Execution prevented because the circuit breaker is open');
    this.name = 'BrokenCircuitError';
  }
}

export interface CircuitBreakerOptions {
  isHandled: (error: unknown) => boolean;
  threshold: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

type Jitter = [attempt: number, prev: number];

/** cockatiel's decorrelatedJitterGenerator (pFactor 4, rpScalingFactor 1/1.4, exponent 2). */
function decorrelatedJitter(state: Jitter | undefined, initialDelay: number, maxDelay: number): [number, Jitter] {
  const [attempt, prev] = state ?? [0, 0];
  const t = attempt + Math.random();
  const next = 2 ** t * Math.tanh(Math.sqrt(4 * t));
  const intrinsic = Number.isFinite(next) ? Math.max(0, next - prev) : Number.POSITIVE_INFINITY;
  return [Math.min((intrinsic / 1.4) * initialDelay, maxDelay), [attempt + 1, next]];
}

export class CircuitBreaker {
  readonly #o: CircuitBreakerOptions;
  #state: CircuitState = CircuitState.Closed;
  #failures = 0;
  #openedAt = 0;
  #delay = 0;
  #jitter: Jitter | undefined;
  #test: Promise<unknown> | undefined;
  #lastFailure: { error: unknown } | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.#o = options;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** While open: ms until the next call may go through as the half-open trial (0 otherwise). */
  msUntilHalfOpen(): number {
    return this.#state === CircuitState.Open ? Math.max(0, Math.ceil(this.#openedAt + this.#delay - Date.now())) : 0;
  }

  /** The last handled failure seen (the cause reported when the circuit refuses a call). */
  get lastFailure(): { error: unknown } | undefined {
    return this.#lastFailure;
  }

  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#state === CircuitState.HalfOpen) {
      await this.#test!.catch(() => undefined);
      return this.execute(fn);
    }
    if (this.#state === CircuitState.Open) {
      if (Date.now() - this.#openedAt < this.#delay) throw new BrokenCircuitError();
      this.#state = CircuitState.HalfOpen;
      const test = this.#trial(fn);
      this.#test = test;
      return test;
    }
    try {
      const value = await fn();
      this.#failures = 0;
      return value;
    } catch (error) {
      if (!this.#o.isHandled(error)) throw error;
      this.#lastFailure = { error };
      if (++this.#failures >= this.#o.threshold) this.#open();
      throw error;
    }
  }

  async #trial<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const value = await fn();
      this.#failures = 0;
      this.#close();
      return value;
    } catch (error) {
      if (!this.#o.isHandled(error)) {
        this.#close(); // not a fault the circuit is meant for: the portal answered
        throw error;
      }
      this.#lastFailure = { error };
      this.#failures++;
      this.#open();
      throw error;
    }
  }

  #open(): void {
    if (this.#state === CircuitState.Open) return;
    if (this.#state !== CircuitState.HalfOpen) this.#jitter = undefined; // a fresh outage starts the delays over
    const [delay, next] = decorrelatedJitter(this.#jitter, this.#o.initialDelayMs, this.#o.maxDelayMs);
    this.#jitter = next;
    this.#delay = delay;
    this.#openedAt = Date.now();
    this.#state = CircuitState.Open;
  }

  #close(): void {
    if (this.#state === CircuitState.HalfOpen) this.#state = CircuitState.Closed;
  }
}
