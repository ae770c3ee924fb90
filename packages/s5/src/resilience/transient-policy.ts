import { BrokenCircuitError, CircuitBreaker } from './circuit-breaker.js';
import { PortalUnavailableError, TimeoutError, isS5ChatError } from '../errors.js';
import { abortReason, throwIfAborted } from './sleep.js';

/**
 * Transient-fault handling for portal calls: an outer retry with capped exponential backoff + jitter
 * and a bounded number of attempts, around a consecutive-failure circuit breaker. Hand-written (it was
 * composed from cockatiel's retry + circuitBreaker + wrap) because of the 60 KB gzip browser budget of
 * an app importing createSdk: cockatiel's policy classes are not tree-shakable (~3 KB gzip). The
 * semantics are cockatiel 3.2.1's, kept exactly (attempt numbering, onRetry before each sleep, the
 * breaker inside the retry so every attempt counts, an open circuit not retried). Only PortalUnavailableError (5xx, 429, network), TimeoutError
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

export interface RetryEvent {
  attempt: number;
  delay: number;
  error: unknown;
}

/** The retry half of a policy: observe its retries (what PortalClient counts in its stats). */
export interface RetryHooks {
  onRetry(listener: (event: RetryEvent) => void): { dispose(): void };
}

export interface TransientPolicy {
  /** Run `fn` under retry + breaker. Rejects promptly with the abort reason when `signal` aborts. */
  execute<T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly retry: RetryHooks;
  readonly breaker: CircuitBreaker;
}

export function createTransientPolicy(opts: TransientPolicyOptions = {}): TransientPolicy {
  const { maxRetries = 4, breakerThreshold = 5, halfOpenAfterMs = 10_000 } = opts;
  const breaker = new CircuitBreaker({
    isHandled: isTransientError,
    threshold: breakerThreshold,
    initialDelayMs: Math.min(opts.halfOpenInitialMs ?? 500, halfOpenAfterMs),
    maxDelayMs: halfOpenAfterMs,
  });
  const listeners = new Set<(event: RetryEvent) => void>();
  const retryHooks: RetryHooks = {
    onRetry(listener) {
      const own = (e: RetryEvent) => listener(e); // a distinct entry per registration, like an emitter
      listeners.add(own);
      return { dispose: () => void listeners.delete(own) };
    },
  };
  if (opts.onRetry) {
    const onRetry = opts.onRetry;
    retryHooks.onRetry((e) => onRetry({ attempt: e.attempt, delayMs: e.delay, error: e.error }));
  }
  const never = new AbortController().signal;

  // Attempt `attempt` (0-based) through the breaker; a handled failure is retried after
  // transientBackoffDelay(attempt) unless retries are used up or the caller aborted.
  const attempts = async <T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => Promise<T>, signal: AbortSignal): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await breaker.execute(() => fn({ attempt, signal }));
      } catch (error) {
        if (!isTransientError(error) || signal.aborted || attempt >= maxRetries) throw error;
        const delay = transientBackoffDelay(attempt, opts);
        const wait = new Promise((resolve) => setTimeout(resolve, delay)); // not abortable, as cockatiel's
        for (const l of [...listeners]) l({ error, delay, attempt: attempt + 1 });
        await wait;
      }
    }
  };

  return {
    retry: retryHooks,
    breaker,
    async execute<T>(fn: (ctx: { attempt: number; signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
      throwIfAborted(signal);
      const run = attempts(async (ctx) => {
          // The backoff sleep is not abortable: a call that wakes after abort must stop here.
          throwIfAborted(signal);
          return fn(ctx);
        }, signal ?? never)
        .catch((error: unknown) => {
          if (error instanceof BrokenCircuitError) {
            // retryAfterMs: when a call may reach the portal again (its half-open trial), so a UI's
            // Retry can wait for it instead of meeting the still-open circuit.
            throw new PortalUnavailableError('Portal circuit is open after repeated failures; retry later.', {
              cause: breaker.lastFailure ? breaker.lastFailure.error : error,
              details: { circuit: 'open', retryAfterMs: breaker.msUntilHalfOpen() },
            });
          }
          throw error;
        });
      if (!signal) return run;
      // Reject as soon as the caller aborts, even while the retry sleeps between attempts.
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
