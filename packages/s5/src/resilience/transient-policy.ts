import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type RetryPolicy,
} from 'cockatiel';
import { PortalUnavailableError, TimeoutError, isS5ChatError } from '../errors.js';
import { abortReason, throwIfAborted } from './sleep.js';

/**
 * Transient-fault handling for portal calls, composed from cockatiel (a well-kept policy library, so we
 * do not hand-write retry loops or breakers): an outer retry with capped exponential backoff + jitter
 * and a bounded number of attempts (cockatiel's default is unbounded — always configured here), around
 * a consecutive-failure circuit breaker. Only PortalUnavailableError (5xx, 429, network), TimeoutError
 * and raw fetch network errors are handled. A revision conflict, a 404, a bad signature, an auth
 * failure or an abort is an answer, not a fault: it passes straight through and is never retried here
 * (the storage layer above owns the conflict loop; retrying at two layers multiplies attempts).
 */

export interface TransientPolicyOptions {
  /** Retries after the first attempt (default 4 ⇒ up to 5 calls). */
  maxRetries?: number;
  /** First backoff ceiling in ms (default 100); doubles per retry. */
  initialDelayMs?: number;
  /** Backoff cap in ms (default 2000). */
  maxDelayMs?: number;
  /**
   * Fraction of each delay that is randomised (default 1 = AWS "full jitter": U(0, d]).
   * Delay = d · (1 − jitter · U(0,1)), d = min(maxDelayMs, initialDelayMs · 2^attempt).
   */
  jitter?: number;
  /** Uniform [0,1) source (default Math.random); inject for deterministic schedules. */
  random?: () => number;
  /** Consecutive transient failures that open the circuit (default 5). */
  breakerThreshold?: number;
  /**
   * How long the circuit stays open before one trial call: starts at `halfOpenInitialMs`
   * (default 500 ms) and doubles while trials keep failing, up to `halfOpenAfterMs` (default 10 s).
   * Growing, not fixed: a portal that restarts in a second must not be shunned for ten
   * (measured by the crash test: a fixed 10 s window outlasted a 0.3–2.5 s outage).
   */
  halfOpenAfterMs?: number;
  halfOpenInitialMs?: number;
  /** Called before each retry sleep (for stats and logs). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** True for faults worth retrying: 5xx/429/network (PortalUnavailableError), timeouts, raw fetch failures. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof PortalUnavailableError || error instanceof TimeoutError) return true;
  if (isS5ChatError(error)) return false; // every other typed error is a definite answer
  // fetch() rejects with a TypeError on DNS/connection failures (undici: "fetch failed").
  return error instanceof TypeError && /fetch|network|socket|ECONN|terminated/i.test(error.message);
}

/** Backoff delays the policy would use, for documentation and tests: d_i = min(cap, base·2^i)·(1 − jitter·r). */
export function transientBackoffDelay(attempt: number, opts: TransientPolicyOptions = {}): number {
  const { initialDelayMs = 100, maxDelayMs = 2000, jitter = 1, random = Math.random } = opts;
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
  return ceiling * (1 - Math.min(1, Math.max(0, jitter)) * random());
}

export interface TransientPolicy {
  /** Run `fn` under retry + breaker. Rejects promptly with the abort reason when `signal` aborts. */
  execute<T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly retry: RetryPolicy;
  readonly breaker: CircuitBreakerPolicy;
}

export function createTransientPolicy(opts: TransientPolicyOptions = {}): TransientPolicy {
  const { maxRetries = 4, breakerThreshold = 5, halfOpenAfterMs = 10_000 } = opts;
  const handled = handleWhen(isTransientError);
  const backoff = new ExponentialBackoff<number>({
    initialDelay: opts.initialDelayMs ?? 100,
    maxDelay: opts.maxDelayMs ?? 2000,
    // Custom generator so the jitter source is injectable (cockatiel's built-ins call Math.random).
    generator: (attempt = 0) => [transientBackoffDelay(attempt, opts), attempt + 1],
  });
  const retryPolicy = retry(handled, { maxAttempts: maxRetries, backoff });
  const halfOpenInitial = Math.min(opts.halfOpenInitialMs ?? 500, halfOpenAfterMs);
  const breaker = circuitBreaker(handled, {
    halfOpenAfter: new ExponentialBackoff({ initialDelay: halfOpenInitial, maxDelay: halfOpenAfterMs }),
    breaker: new ConsecutiveBreaker(breakerThreshold),
  });
  if (opts.onRetry) {
    const onRetry = opts.onRetry;
    retryPolicy.onRetry((e) => onRetry({ attempt: e.attempt, delayMs: e.delay, error: 'error' in e ? e.error : e.value }));
  }
  const combined = wrap(retryPolicy, breaker);

  return {
    retry: retryPolicy,
    breaker,
    async execute<T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
      throwIfAborted(signal);
      const run = combined
        .execute(async ({ attempt, signal: inner }) => {
          // cockatiel's backoff sleep is not abortable: a call that wakes after abort must stop here.
          throwIfAborted(signal);
          return fn({ attempt, signal: inner });
        }, signal)
        .catch((error: unknown) => {
          if (error instanceof BrokenCircuitError) {
            throw new PortalUnavailableError('Portal circuit is open after repeated failures; not calling it for now.', {
              cause: breaker.lastFailure && 'error' in breaker.lastFailure ? breaker.lastFailure.error : error,
            });
          }
          throw error;
        });
      if (!signal) return run;
      // Reject as soon as the caller aborts, even while cockatiel sleeps between attempts.
      // Listen on a per-call dependant of the caller's signal (AbortSignal.any adds no listener to it),
      // so one signal shared by many concurrent calls does not collect a listener per call.
      const local = typeof AbortSignal.any === 'function' ? AbortSignal.any([signal]) : signal;
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(abortReason(signal));
        local.addEventListener('abort', onAbort, { once: true });
        run.then(resolve, reject).finally(() => local.removeEventListener('abort', onAbort));
        run.catch(() => undefined); // the race loser must not become an unhandled rejection
      });
    },
  };
}
