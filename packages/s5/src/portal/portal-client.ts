import { AuthError, HashMismatchError, RevisionTooLowError, ValidationError, InvalidSignatureError } from '../errors.js';
import { assertBytes, bytesToHex, equalBytes } from '../encoding/bytes.js';
import { fromBase64Url, toBase64Url } from '../encoding/base64url.js';
import { blake3 } from '../crypto/blake3.js';
import type { Ed25519KeyPair } from '../crypto/ed25519.js';
import { BlobId } from '../blob-id.js';
import {
  assertValidRegistryEntry,
  registryEntryFromJson,
  registryEntryToJson,
  type RegistryEntry,
} from '../registry.js';
import type { S5Identity } from '../identity.js';
import type { CallOptions, S5Backend } from '../backend.js';
import { createTransientPolicy, type TransientPolicy, type TransientPolicyOptions } from '../resilience/transient-policy.js';
import { abortReason, throwIfAborted } from '../resilience/sleep.js';
import { portalHost, signPortalChallenge, tokenFromSetCookie, type PortalAuthFlow } from './auth.js';
import { exchange, parseJsonBody, throwForStatus, type FetchLike, type HttpResult } from './http.js';
import { RegistrySubscription, type WebSocketConstructor } from './subscription.js';

export interface PortalClientOptions {
  /** `http(s)://host[:port]`; every API path is `/s5/...` below it. */
  portalUrl: string;
  identity: S5Identity;
  /** Defaults to globalThis.fetch. */
  fetch?: FetchLike;
  /** Budget for each HTTP exchange, response body included (default 30 000 ms). */
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer <code>` on both register requests (portals with closed registration). */
  inviteCode?: string;
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
  /** Label sent on registration (informational). */
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
  /** Completed logins/registrations. */
  logins: number;
}

export interface SubscribeOptions {
  onError?: (error: unknown) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Cap for the JSON/text endpoints (registry, account, upload reply): their answers are tiny. */
const MAX_SMALL_RESPONSE_BYTES = 1024 * 1024;

/** `promise`, or a rejection with the abort reason as soon as `signal` aborts (listener removed either way). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  // Listen on a per-call dependant (as the transient policy does) so a long-lived signal shared by
  // many calls does not collect listeners.
  const local = typeof AbortSignal.any === 'function' ? AbortSignal.any([signal]) : signal;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    local.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => local.removeEventListener('abort', onAbort));
  });
}

function isPolicy(p: TransientPolicy | TransientPolicyOptions | undefined): p is TransientPolicy {
  return !!p && typeof (p as TransientPolicy).execute === 'function';
}

/**
 * S5 portal client over HTTP (`fetch`), implementing {@link S5Backend}.
 *
 * - Transient faults (5xx, 429, network, timeout) are retried by the resilience policy; a revision
 *   conflict is returned at once as RevisionTooLowError (the storage layer's retry loop owns it).
 * - Every response is verified: downloaded bytes against their BLAKE3 hash, registry entries against
 *   their signature and the key asked for, upload replies against the locally computed id.
 * - Login is lazy (first write) and repeated once on a 401.
 * - Caller buffers are never retained or mutated.
 */
export class PortalClient implements S5Backend {
  readonly portalUrl: string;
  readonly host: string;
  readonly #fetch: FetchLike;
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #inviteCode: string | undefined;
  readonly #WebSocket: WebSocketConstructor | undefined;
  readonly #accountKeyPair: Ed25519KeyPair;
  readonly #policy: TransientPolicy;
  readonly #label: string;
  #token: string | undefined;
  #loginPromise: Promise<string> | undefined;
  readonly #stats: PortalClientStats = { requests: 0, bytesUploaded: 0, bytesDownloaded: 0, retries: 0, logins: 0 };
  readonly #subscriptions = new Set<RegistrySubscription>();

  constructor(opts: PortalClientOptions) {
    const issues = [];
    let url: URL | undefined;
    try {
      url = new URL(opts?.portalUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') issues.push({ path: 'portalUrl', message: 'expected http: or https:' });
    } catch {
      issues.push({ path: 'portalUrl', message: 'not a valid URL' });
    }
    if (!opts?.identity || typeof opts.identity.portalAccountKeyPair !== 'function') {
      issues.push({ path: 'identity', message: 'expected an S5Identity' });
    }
    const timeoutMs = opts?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) issues.push({ path: 'timeoutMs', message: 'expected a positive number' });
    const maxResponseBytes = opts?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(Number.isSafeInteger(maxResponseBytes) && maxResponseBytes > 0)) {
      issues.push({ path: 'maxResponseBytes', message: 'expected a positive integer' });
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

    this.portalUrl = `${url!.protocol}//${url!.host}`;
    this.host = url!.host;
    this.#fetch = fetchImpl!;
    this.#timeoutMs = timeoutMs;
    this.#maxResponseBytes = maxResponseBytes;
    this.#inviteCode = opts.inviteCode;
    this.#WebSocket = opts.WebSocket;
    this.#label = opts.label ?? 's5chat';
    this.#accountKeyPair = opts.identity.portalAccountKeyPair(this.host, opts.accountSeed);
    const onRetry = () => void this.#stats.retries++;
    if (isPolicy(opts.policy)) {
      this.#policy = opts.policy;
      opts.policy.retry.onRetry(onRetry);
    } else {
      const userOnRetry = opts.policy?.onRetry;
      this.#policy = createTransientPolicy({
        ...opts.policy,
        onRetry: (info) => {
          onRetry();
          userOnRetry?.(info);
        },
      });
    }
  }

  /** Counters since construction (a snapshot). */
  stats(): PortalClientStats {
    return { ...this.#stats };
  }

  /** The portal account public key (pk33), derived per identity and host. */
  get accountPublicKey(): Uint8Array {
    return this.#accountKeyPair.publicKey.slice();
  }

  get isLoggedIn(): boolean {
    return this.#token !== undefined;
  }

  // ---- transport --------------------------------------------------------------------------------

  async #http(
    method: string,
    path: string,
    init: { body?: BodyInit; headers?: Record<string, string>; largeBody?: boolean },
    signal?: AbortSignal,
  ): Promise<HttpResult> {
    this.#stats.requests++;
    const requestInit: RequestInit = { method, headers: init.headers ?? {} };
    if (init.body !== undefined) requestInit.body = init.body;
    const maxBytes = init.largeBody ? this.#maxResponseBytes : Math.min(MAX_SMALL_RESPONSE_BYTES, this.#maxResponseBytes);
    return exchange(this.#fetch, this.portalUrl + path, requestInit, { timeoutMs: this.#timeoutMs, signal, maxBytes });
  }

  #retrying<T>(op: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#policy.execute(({ signal: inner }) => op(signal ?? inner), signal);
  }

  // ---- accounts ---------------------------------------------------------------------------------

  /**
   * Log in to the portal: try login; if the portal does not know the account key, register it
   * (first use). Challenge signing per PROTOCOL §4.1. The token comes from the JSON body, with the
   * `s5-auth-token` cookie as fallback (Node only: browsers hide set-cookie). Concurrent callers share
   * one login.
   */
  async login(opts: CallOptions = {}): Promise<void> {
    await this.#ensureToken(opts.signal, true);
  }

  async #ensureToken(signal?: AbortSignal, force = false): Promise<string> {
    throwIfAborted(signal);
    if (this.#token && !force) return this.#token;
    if (!this.#loginPromise) {
      // The login is shared by every concurrent caller, so it must not run under any one caller's
      // signal: one caller aborting would otherwise fail all the others with ABORTED. It is still
      // bounded (per-exchange timeout, bounded retries); each caller stops waiting on its own signal.
      const shared = this.#doLogin().finally(() => {
        if (this.#loginPromise === shared) this.#loginPromise = undefined;
      });
      shared.catch(() => undefined); // observed by the callers below; never an unhandled rejection
      this.#loginPromise = shared;
    }
    return untilAborted(this.#loginPromise, signal);
  }

  async #doLogin(signal?: AbortSignal): Promise<string> {
    let token: string;
    try {
      token = await this.#retrying((s) => this.#authFlow('login', s), signal);
    } catch (error) {
      if (!(error instanceof AuthError) || !/not registered/i.test(error.details.text ?? '')) throw error;
      token = await this.#retrying((s) => this.#authFlow('register', s), signal);
    }
    this.#token = token;
    this.#stats.logins++;
    return token;
  }

  /** One complete challenge → response exchange (retried as a unit: challenges are single-use). */
  async #authFlow(flow: PortalAuthFlow, signal: AbortSignal): Promise<string> {
    const pubKey = this.#accountKeyPair.publicKeyBase64Url;
    const invite: Record<string, string> =
      flow === 'register' && this.#inviteCode ? { authorization: `Bearer ${this.#inviteCode}` } : {};
    const challengeRes = await this.#http('GET', `/s5/account/${flow}?pubKey=${encodeURIComponent(pubKey)}`, { headers: invite }, signal);
    if (challengeRes.status < 200 || challengeRes.status >= 300) throwForStatus(challengeRes, `${flow} challenge`, { account: true });
    const challengeJson = parseJsonBody(challengeRes, `${flow} challenge`) as { challenge?: unknown };
    if (typeof challengeJson?.challenge !== 'string') {
      throw new AuthError(`Portal sent no ${flow} challenge.`, { status: challengeRes.status });
    }
    const challenge = fromBase64Url(challengeJson.challenge, 'challenge');
    if (challenge.length !== 32) throw new AuthError(`Portal sent a ${challenge.length}-byte challenge (expected 32); refusing to sign it.`);
    const signed = signPortalChallenge({ keyPair: this.#accountKeyPair, flow, challenge, host: this.host });
    const res = await this.#http(
      'POST',
      `/s5/account/${flow}`,
      {
        headers: { 'content-type': 'application/json', ...invite },
        body: JSON.stringify({ pubKey, response: signed.response, signature: signed.signature, label: this.#label }),
      },
      signal,
    );
    if (res.status < 200 || res.status >= 300) throwForStatus(res, flow, { account: true });
    let token: string | undefined;
    try {
      const json = JSON.parse(new TextDecoder().decode(res.body)) as { authToken?: unknown };
      if (typeof json?.authToken === 'string' && json.authToken) token = json.authToken;
    } catch {
      /* cookie-only reply: fall back below */
    }
    token ??= tokenFromSetCookie(res.headers.get('set-cookie'));
    if (!token) throw new AuthError(`Portal accepted the ${flow} but returned no auth token.`, { status: res.status });
    return token;
  }

  /** Run an authenticated operation; on a 401 log in again once and repeat. */
  async #withAuth<T>(op: (token: string, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const token = await this.#ensureToken(signal);
    try {
      return await this.#retrying((s) => op(token, s), signal);
    } catch (error) {
      if (!(error instanceof AuthError) || error.status !== 401) throw error;
      if (this.#token === token) this.#token = undefined;
      const fresh = await this.#ensureToken(signal);
      return this.#retrying((s) => op(fresh, s), signal);
    }
  }

  // ---- blobs ------------------------------------------------------------------------------------

  /**
   * Upload bytes as one multipart field `file`; the portal's returned id must equal the local one
   * (same digest and size) or this throws HashMismatchError.
   */
  async uploadBlob(bytes: Uint8Array, opts: CallOptions = {}): Promise<BlobId> {
    assertBytes(bytes, 'bytes');
    throwIfAborted(opts.signal);
    const data = bytes.slice(); // our own copy: the caller may reuse its buffer while we retry
    const local = BlobId.fromBytes(data);
    return this.#withAuth(async (token, signal) => {
      const form = new FormData();
      form.append('file', new Blob([data as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), 'file');
      this.#stats.bytesUploaded += data.length;
      const res = await this.#http('POST', '/s5/upload', { headers: { authorization: `Bearer ${token}` }, body: form }, signal);
      if (res.status < 200 || res.status >= 300) throwForStatus(res, 'blob upload');
      const json = parseJsonBody(res, 'blob upload') as { cid?: unknown };
      if (typeof json?.cid !== 'string') {
        throw new ValidationError([{ path: 'cid', message: 'upload reply has no cid' }], { shortMessage: 'Portal upload reply has no cid.' });
      }
      const remote = BlobId.parse(json.cid);
      if (!remote.equals(local)) throw new HashMismatchError(local.toString(), remote.toString(), { details: `portal returned ${json.cid} for ${local.toString()}` });
      return local;
    }, opts.signal);
  }

  /**
   * Download and verify. Returns the bytes only if BLAKE3 matches the id (HashMismatchError
   * otherwise); 404 → NotFoundError. A missing blob is never turned into "empty" (§11 item 4).
   */
  async downloadBlob(id: BlobId, opts: CallOptions = {}): Promise<Uint8Array> {
    if (!(id instanceof BlobId)) throw new ValidationError([{ path: 'id', message: 'expected a BlobId' }]);
    const expected = id.hash;
    const get = async (signal: AbortSignal) => {
      const headers: Record<string, string> = this.#token ? { authorization: `Bearer ${this.#token}` } : {};
      const res = await this.#http('GET', `/s5/blob/${id.toString('z')}`, { headers, largeBody: true }, signal);
      if (res.status === 404) throwForStatus(res, `blob ${id.toString()}`);
      if (res.status < 200 || res.status >= 300) throwForStatus(res, 'blob download');
      const actual = blake3(res.body);
      if (!equalBytes(actual, expected)) {
        throw new HashMismatchError(bytesToHex(expected), bytesToHex(actual), { details: `GET /s5/blob/${id.toString()} returned ${res.body.length} bytes with another hash` });
      }
      this.#stats.bytesDownloaded += res.body.length;
      return res.body;
    };
    try {
      return await this.#retrying(get, opts.signal);
    } catch (error) {
      // Portals that require auth for downloads: log in once and try again.
      if (error instanceof AuthError && error.status === 401) return this.#withAuth((_t, s) => get(s), opts.signal);
      throw error;
    }
  }

  // ---- registry ---------------------------------------------------------------------------------

  /** Latest entry for the key, verified (signature and key), or null on 404. */
  async registryGet(publicKey33: Uint8Array, opts: CallOptions = {}): Promise<RegistryEntry | null> {
    assertBytes(publicKey33, 'publicKey', 33);
    if (publicKey33[0] !== 0xed) throw new ValidationError([{ path: 'publicKey', message: 'expected an 0xed multikey' }]);
    const pk = publicKey33.slice();
    return this.#retrying(async (signal) => {
      const res = await this.#http('GET', `/s5/registry?pk=${encodeURIComponent(toBase64Url(pk))}`, {}, signal);
      if (res.status === 404) return null;
      if (res.status < 200 || res.status >= 300) throwForStatus(res, 'registry get');
      const entry = registryEntryFromJson(parseJsonBody(res, 'registry get'));
      if (!equalBytes(entry.publicKey, pk)) {
        throw new InvalidSignatureError('Portal returned a registry entry for a different key.');
      }
      assertValidRegistryEntry(entry); // InvalidSignatureError for a forged entry
      return entry;
    }, opts.signal);
  }

  /**
   * Publish an entry over the HTTP registry API; resolves once the node accepted it (204). A
   * conflict is RevisionTooLowError with the node's current revision when it says so; it is not
   * retried. If a transient fault hid the outcome of an earlier attempt and the retry then conflicts,
   * the node is asked whether it holds exactly our entry — if so the write did land and this resolves.
   */
  async registrySet(entry: RegistryEntry, opts: CallOptions = {}): Promise<void> {
    assertValidRegistryEntry(entry); // nothing invalid leaves this process
    const body = JSON.stringify(registryEntryToJson(entry));
    let attempts = 0;
    try {
      await this.#withAuth(async (token, signal) => {
        attempts++;
        const res = await this.#http(
          'POST',
          '/s5/registry',
          { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body },
          signal,
        );
        if (res.status < 200 || res.status >= 300) throwForStatus(res, 'registry set', { attemptedRevision: entry.revision });
      }, opts.signal);
    } catch (error) {
      if (error instanceof RevisionTooLowError && attempts > 1) {
        const stored = await this.registryGet(entry.publicKey, opts).catch(() => null);
        if (
          stored &&
          stored.revision === entry.revision &&
          equalBytes(stored.data, entry.data) &&
          equalBytes(stored.signature, entry.signature)
        ) {
          return;
        }
      }
      throw error;
    }
  }

  /**
   * Watch a key over `WS /s5/registry/subscription`. `onEntry` receives verified entries in
   * increasing revision order, starting with the current one (read over HTTP right after
   * subscribing). Reconnects on drop. Returns the unsubscribe function.
   */
  registrySubscribe(publicKey33: Uint8Array, onEntry: (entry: RegistryEntry) => void, opts: SubscribeOptions = {}): () => void {
    assertBytes(publicKey33, 'publicKey', 33);
    if (typeof onEntry !== 'function') throw new ValidationError([{ path: 'onEntry', message: 'expected a function' }]);
    const pk = publicKey33.slice();
    const wsUrl = this.portalUrl.replace(/^http/, 'ws') + '/s5/registry/subscription';
    const sub = new RegistrySubscription({
      url: wsUrl,
      publicKey: pk,
      onEntry,
      ...(opts.onError ? { onError: opts.onError } : {}),
      ...(this.#WebSocket ? { WebSocket: this.#WebSocket } : {}),
      fetchCurrent: () => this.registryGet(pk),
    });
    this.#subscriptions.add(sub);
    return () => {
      sub.close();
      this.#subscriptions.delete(sub);
    };
  }

  /** Close every subscription this client opened. */
  close(): void {
    for (const sub of this.#subscriptions) sub.close();
    this.#subscriptions.clear();
  }
}
