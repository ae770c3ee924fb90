import { PortalRejectedError } from '../errors.js';
import { createTransientPolicy, type TransientPolicy } from '../resilience/transient-policy.js';
import { abortReason } from '../resilience/sleep.js';
import type { Bulkhead } from '../resilience/bulkhead.js';
import { portalSlots } from '../resilience/portal-slots.js';
import { exchange, type FetchLike, type HttpResult } from './http.js';
import { isConnectionFailure, isPolicy } from './client-util.js';
import { MAX_SMALL_RESPONSE_BYTES, type resolvePortalOptions, type PortalClientOptions, type PortalClientStats } from './options.js';

export interface PortalRequestInit {
  body?: BodyInit;
  headers?: Record<string, string>;
  /** A blob download: capped at maxResponseBytes instead of the small-answer cap. */
  largeBody?: boolean;
  timeoutMs?: number;
}

/**
 * How a PortalClient's requests reach the portal: one slot of the portal's concurrency limit per
 * request, a timeout and a size cap on each exchange, one immediate re-send of a dropped connection,
 * our token never sent to another origin; and the transient-fault policy (retries, circuit breaker)
 * an operation runs under. Counts requests and retries into the client's stats.
 */
export class PortalTransport {
  readonly #portalUrl: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #slots: Bulkhead;
  readonly #policy: TransientPolicy;
  readonly #stats: PortalClientStats;

  constructor(
    portalUrl: string,
    o: ReturnType<typeof resolvePortalOptions>,
    policy: PortalClientOptions['policy'],
    stats: PortalClientStats,
  ) {
    this.#portalUrl = portalUrl;
    this.#fetch = o.fetchImpl;
    this.#timeoutMs = o.timeoutMs;
    this.#maxResponseBytes = o.maxResponseBytes;
    this.#stats = stats;
    this.#slots = portalSlots(o.url.origin, o.concurrency);
    const onRetry = () => void stats.retries++;
    if (isPolicy(policy)) {
      this.#policy = policy;
      policy.retry.onRetry(onRetry);
    } else {
      const userOnRetry = policy?.onRetry;
      this.#policy = createTransientPolicy({
        ...policy,
        onRetry: (info) => {
          onRetry();
          userOnRetry?.(info);
        },
      });
    }
  }

  /** One HTTP exchange with the portal (`path` below the portal URL, or an absolute same-origin URL). */
  async http(method: string, path: string, init: PortalRequestInit, signal?: AbortSignal): Promise<HttpResult> {
    // Credentials omitted: we authenticate with the bearer token, and Dart's blob store answers the
    // 307 with `Access-Control-Allow-Origin: *`, which a credentialed browser fetch rejects.
    const requestInit: RequestInit = { method, headers: init.headers ?? {}, credentials: 'omit', redirect: 'follow' };
    if (init.body !== undefined) requestInit.body = init.body;
    const maxBytes = init.largeBody ? this.#maxResponseBytes : Math.min(MAX_SMALL_RESPONSE_BYTES, this.#maxResponseBytes);
    const once = () => {
      this.#stats.requests++;
      return exchange(this.#fetch, this.#target(path), requestInit, { timeoutMs: init.timeoutMs ?? this.#timeoutMs, signal, maxBytes });
    };
    try {
      return await this.#slots.execute(async () => {
        try {
          return await once();
        } catch (error) {
          // Every request we send is idempotent (content-addressed uploads, signed registry entries,
          // re-signable challenges). Dart closes idle keep-alive sockets after 1 s, so a reused socket
          // may be dead: one immediate retry, before the policy (and its breaker) sees anything.
          if (!isConnectionFailure(error) || signal?.aborted) throw error;
          return once();
        }
      }, signal);
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      throw error;
    }
  }

  /** Run `op` under the transient-fault policy (the caller's signal, else the policy's own). */
  retrying<T>(op: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#policy.execute(({ signal: inner }) => op(signal ?? inner), signal);
  }

  /** A path below the portal, or an absolute URL on the portal's own origin (a tus Location). */
  #target(path: string): string {
    if (!/^https?:/i.test(path)) return this.#portalUrl + path;
    if (new URL(path).origin !== new URL(this.#portalUrl).origin) {
      throw new PortalRejectedError('Portal pointed a request at another origin; not sending our token there.', { details: path });
    }
    return path;
  }
}
