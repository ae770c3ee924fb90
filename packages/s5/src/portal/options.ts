import type { S5Identity } from '../identity.js';
import type { TransientPolicy, TransientPolicyOptions } from '../resilience/transient-policy.js';
import { ValidationError } from '../errors.js';
import { assertBytes } from '../encoding/bytes.js';
import { DEFAULT_PORTAL_CONCURRENCY } from '../resilience/portal-slots.js';
import type { FetchLike } from './http.js';
import type { WebSocketConstructor } from './subscription.js';

export interface PortalClientOptions {
  /** `http(s)://host[:port][/base/path]`; every API path is `/s5/...` below it (a base path is kept). */
  portalUrl: string;
  identity: S5Identity;
  /** Defaults to globalThis.fetch. */
  fetch?: FetchLike;
  /** Budget for each HTTP exchange, response body included (default 30 000 ms). */
  timeoutMs?: number;
  /**
   * Budget for one blob GET (default 20 000 ms). Real portals hold a miss for 60 s before answering
   * 500; past this budget the download fails with BLOB_NOT_AVAILABLE instead of waiting that out.
   */
  blobTimeoutMs?: number;
  /** Sent as `Authorization: Bearer <code>` on both register requests (portals with invite-only registration). */
  inviteCode?: string;
  /**
   * An externally supplied auth token (e.g. from a same-origin login route, see proxiedLogin). When
   * given, the client never logs in itself; it calls this again once when the portal answers 401.
   */
  tokenProvider?: () => Promise<string>;
  /**
   * Share the login and its token with every PortalClient of this process (and, in browsers, of this
   * origin's tabs) for the same portal and account (default true). False makes this client log in on
   * its own, like a separate device.
   */
  shareLogin?: boolean;
  /** Try registering before logging in: for an identity created just now (saves one failing request). */
  registerFirst?: boolean;
  /** Largest single-request upload (default 33 554 432 B: the smaller of Dart's two limits). */
  maxUploadBytes?: number;
  /**
   * Send blobs above `maxUploadBytes` by tus on Dart portals (default false: they fail with
   * UPLOAD_TOO_LARGE before sending). Up to `maxTusUploadBytes` (default 1 GiB).
   */
  tus?: boolean;
  maxTusUploadBytes?: number;
  /** Requests in flight to this portal from this process (default 8, shared per portal origin). */
  maxConcurrentRequests?: number;
  /** WebSocket implementation for subscriptions (default: platform WebSocket, else the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /**
   * The per-portal account seed. Default: derived from the identity and the portal host
   * (derivePortalAccountSeed), so every device reaches the same account. Pass the 32 bytes an s5.js
   * hidden DB holds to reuse an account created by s5.js.
   */
  accountSeed?: Uint8Array;
  /** A shared transient policy, or options for this client's own (retry + circuit breaker per portal). */
  policy?: TransientPolicy | TransientPolicyOptions;
  /** Label sent on registration and login (Dart requires one). */
  label?: string;
  /**
   * Largest response body accepted from a blob download (default 64 MiB); a larger one fails with
   * ResponseTooLargeError. Registry, account and upload replies are small JSON and are capped at
   * min(1 MiB, this).
   */
  maxResponseBytes?: number;
}

export interface PortalClientStats {
  /** HTTP exchanges attempted (each retry counts). */
  requests: number;
  /** Blob bytes sent, every attempt counted. */
  bytesUploaded: number;
  /** Response body bytes of successful blob downloads. */
  bytesDownloaded: number;
  /** Transient-fault retries performed by the policy. */
  retries: number;
  /** Logins/registrations this client performed (a shared token obtained by another client is not counted). */
  logins: number;
  /** GET+POST account exchanges this client made (lost challenges and register/login switches count). */
  loginExchanges: number;
}

export interface SubscribeOptions {
  onError?: (error: unknown) => void;
  /** Poll interval where the portal has no usable subscription socket (Dart, LumeWeb); default 5000 ms. */
  pollIntervalMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_POLL_INTERVAL_MS = 5_000;
export const DEFAULT_BLOB_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Dart v0.14.1 refuses more than 32 MiB, Dart HEAD more than 34 MB: the smaller fits both. */
export const DEFAULT_MAX_UPLOAD_BYTES = 33_554_432;
/** Cap for the JSON/text endpoints (registry, account, upload reply): their answers are tiny. */
export const MAX_SMALL_RESPONSE_BYTES = 1024 * 1024;

function positive(value: number, path: string, issues: { path: string; message: string }[], integer = false): void {
  if (!(Number.isFinite(value) && value > 0 && (!integer || Number.isSafeInteger(value)))) {
    issues.push({ path, message: integer ? 'expected a positive integer' : 'expected a positive number' });
  }
}

/** Validate PortalClientOptions (every problem listed in one ValidationError) and apply the defaults. */
export function resolvePortalOptions(opts: PortalClientOptions) {
  const issues: { path: string; message: string }[] = [];
  let url: URL | undefined;
  try {
    url = new URL(opts?.portalUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') issues.push({ path: 'portalUrl', message: 'expected http: or https:' });
    if (url.search || url.hash) issues.push({ path: 'portalUrl', message: 'expected no query or fragment' });
  } catch {
    issues.push({ path: 'portalUrl', message: 'not a valid URL' });
  }
  if (!opts?.identity || typeof opts.identity.portalAccountKeyPair !== 'function') {
    issues.push({ path: 'identity', message: 'expected an S5Identity' });
  }
  const timeoutMs = opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  positive(timeoutMs, 'timeoutMs', issues);
  const blobTimeoutMs = opts?.blobTimeoutMs ?? Math.min(DEFAULT_BLOB_TIMEOUT_MS, timeoutMs);
  positive(blobTimeoutMs, 'blobTimeoutMs', issues);
  const maxResponseBytes = opts?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  positive(maxResponseBytes, 'maxResponseBytes', issues, true);
  const maxUploadBytes = opts?.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  positive(maxUploadBytes, 'maxUploadBytes', issues, true);
  const maxTusUploadBytes = opts?.maxTusUploadBytes ?? 1024 * 1024 * 1024;
  positive(maxTusUploadBytes, 'maxTusUploadBytes', issues, true);
  const concurrency = opts?.maxConcurrentRequests ?? DEFAULT_PORTAL_CONCURRENCY;
  positive(concurrency, 'maxConcurrentRequests', issues, true);
  if (opts?.tokenProvider !== undefined && typeof opts.tokenProvider !== 'function') {
    issues.push({ path: 'tokenProvider', message: 'expected a function returning a Promise<string>' });
  }
  if (opts?.inviteCode !== undefined && (typeof opts.inviteCode !== 'string' || !opts.inviteCode)) {
    issues.push({ path: 'inviteCode', message: 'expected a non-empty string' });
  }
  const fetchImpl = opts?.fetch ?? (globalThis.fetch as FetchLike | undefined)?.bind(globalThis);
  if (!fetchImpl) issues.push({ path: 'fetch', message: 'no fetch implementation available' });
  if (opts?.accountSeed !== undefined) {
    try {
      assertBytes(opts.accountSeed, 'accountSeed', 32);
    } catch (e) {
      issues.push(...(e as ValidationError).issues);
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return { url: url!, timeoutMs, blobTimeoutMs, maxResponseBytes, maxUploadBytes, maxTusUploadBytes, concurrency, fetchImpl: fetchImpl! };
}
