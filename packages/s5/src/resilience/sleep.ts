import { AbortError, isS5ChatError } from '../errors.js';

/** Resolve after `ms`; reject with AbortError as soon as `signal` aborts (and never leave a timer behind). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error to surface for an aborted signal: our own typed reason if one was given, else AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  // Our own typed reasons (e.g. TimeoutError from a per-call timer) pass through; anything else
  // (the DOMException default, a caller's string) becomes AbortError with the original as cause.
  if (isS5ChatError(reason)) return reason;
  return new AbortError('The operation was aborted.', { cause: reason });
}

/** Throws the abort reason if `signal` is already aborted. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}
