import { PortalUnavailableError, S5ChatError } from '../errors.js';
import { abortReason } from '../resilience/sleep.js';
import type { TransientPolicy, TransientPolicyOptions } from '../resilience/transient-policy.js';

/** `promise`, or a rejection with the abort reason as soon as `signal` aborts (listener removed either way). */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  // A per-call dependant (as the transient policy does): a long-lived shared signal collects no listeners.
  const local = typeof AbortSignal.any === 'function' ? AbortSignal.any([signal]) : signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    local.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => local.removeEventListener('abort', onAbort));
  });
}

export function isPolicy(p: TransientPolicy | TransientPolicyOptions | undefined): p is TransientPolicy {
  return !!p && typeof (p as TransientPolicy).execute === 'function';
}

/** A failure to reach the portal at all (reset, refused), as opposed to a timeout or an answer. */
export function isConnectionFailure(error: unknown): boolean {
  return error instanceof PortalUnavailableError && error.status === undefined && !(error.cause instanceof S5ChatError);
}

/** Never an empty `Authorization`: Dart would read token "" and ignore a valid cookie (PORTALS.md §2.2). */
export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
