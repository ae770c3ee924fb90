import {
  BlobNotAvailableError,
  HashMismatchError,
  InvalidSignatureError,
  NotFoundError,
  RevisionTooLowError,
  TimeoutError,
  UploadTooLargeError,
  ValidationError,
} from '../errors.js';
import { assertBytes, bytesToHex, equalBytes } from '../encoding/bytes.js';
import { toBase64Url } from '../encoding/base64url.js';
import { encodeMultibase } from '../encoding/multibase.js';
import { blake3 } from '../crypto/blake3.js';
import { BlobId } from '../blob-id.js';
import { assertValidRegistryEntry, registryEntryFromJson, registryEntryToJson, type RegistryEntry } from '../registry.js';
import type { CallOptions, S5Backend } from '../backend.js';
import { throwIfAborted } from '../resilience/sleep.js';
import { parseJsonBody, throwForStatus, type FetchLike, type HttpResult } from './http.js';
import type { WebSocketConstructor } from './subscription.js';
import { openRegistryWatch } from './registry-watch.js';
import { authHeaders, untilAborted } from './client-util.js';
import { tusUpload, type TusTransport } from './tus.js';
import { detectPortal, type PortalProfile } from './probe.js';
import { PortalTransport } from './portal-transport.js';
import { PortalAccount } from './portal-account.js';
import { resolvePortalOptions, type PortalClientOptions, type PortalClientStats, type SubscribeOptions } from './options.js';

export type { PortalClientOptions, PortalClientStats, SubscribeOptions } from './options.js';

/**
 * S5 portal client over HTTP (`fetch`), implementing {@link S5Backend}, for every portal profile of
 * PORTALS.md (Dart HEAD, Dart v0.14.1, LumeWeb, our devnode):
 *
 * - blobs are fetched by the legacy id `z`+base58(0x26 ‖ 0x1f ‖ digest ‖ size) (the only form real
 *   portals resolve), redirects followed without credentials, bytes BLAKE3-verified; a miss within
 *   the blob budget is BLOB_NOT_AVAILABLE (not retried, not counted by the circuit breaker);
 * - uploads are the raw body (`application/octet-stream`), size checked before sending;
 * - portal answers are classified by answers.ts (Dart's 500 texts included); transient faults are
 *   retried by the resilience policy, a dropped connection of an idempotent request once at once;
 * - one login per (portal, account) shared process- and tab-wide; re-login once on 401;
 * - the implementation is probed once (`GET /s5/version`) where behaviour differs.
 */
export class PortalClient implements S5Backend {
  /** Portal base URL (origin plus any base path, no trailing slash). */
  readonly portalUrl: string;
  readonly host: string;
  readonly #fetch: FetchLike;
  readonly #blobTimeoutMs: number;
  readonly #maxUploadBytes: number;
  /** Largest tus upload; 0 when tus is off. */
  readonly #tus: number;
  readonly #WebSocket: WebSocketConstructor | undefined;
  /** How requests reach the portal (portal-transport.ts) and with which account token (portal-account.ts). */
  readonly #transport: PortalTransport;
  readonly #account: PortalAccount;
  #profile: Promise<PortalProfile> | undefined;
  /** Counted into by the transport (requests, retries) and the account (logins) too. */
  readonly #stats: PortalClientStats = { requests: 0, bytesUploaded: 0, bytesDownloaded: 0, retries: 0, logins: 0, loginExchanges: 0 };
  readonly #subscriptions = new Set<{ close(): void }>();

  constructor(opts: PortalClientOptions) {
    const resolved = resolvePortalOptions(opts);
    const { url, blobTimeoutMs, maxUploadBytes, maxTusUploadBytes, fetchImpl } = resolved;
    this.portalUrl = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    this.host = url.host;
    this.#fetch = fetchImpl;
    this.#blobTimeoutMs = blobTimeoutMs;
    this.#maxUploadBytes = maxUploadBytes;
    this.#tus = opts.tus === true ? maxTusUploadBytes : 0;
    this.#WebSocket = opts.WebSocket;
    this.#transport = new PortalTransport(this.portalUrl, resolved, opts.policy, this.#stats);
    this.#account = new PortalAccount(opts, this.portalUrl, this.host, this.#transport, this.#stats);
  }

  /** Counters since construction (a snapshot). */
  stats(): PortalClientStats {
    return { ...this.#stats };
  }

  /** The portal account public key (pk33), derived per identity and host. */
  get accountPublicKey(): Uint8Array {
    return this.#account.publicKey;
  }

  get isLoggedIn(): boolean {
    return this.#account.isLoggedIn;
  }

  /** Which implementation serves this portal (probed once per portal and process). */
  portalProfile(): Promise<PortalProfile> {
    this.#profile ??= detectPortal(this.#fetch, this.portalUrl);
    return this.#profile;
  }

  // ---- accounts ---------------------------------------------------------------------------------

  /**
   * Make sure this client holds a token: the shared one, a tokenProvider's, or a fresh login
   * (register on first use). See login.ts for the portal-specific steps.
   */
  async login(opts: CallOptions = {}): Promise<void> {
    await this.#account.ensureToken(opts.signal);
  }

  // ---- blobs ------------------------------------------------------------------------------------

  /**
   * Upload bytes as the raw request body; the portal's returned id must equal the local one (same
   * digest and size) or this throws HashMismatchError. Above `maxUploadBytes`: UPLOAD_TOO_LARGE,
   * and nothing is sent.
   */
  async uploadBlob(bytes: Uint8Array, opts: CallOptions = {}): Promise<BlobId> {
    assertBytes(bytes, 'bytes');
    throwIfAborted(opts.signal);
    const viaTus = bytes.length > this.#maxUploadBytes;
    if (viaTus && bytes.length > this.#tus) {
      throw new UploadTooLargeError(bytes.length, Math.max(this.#maxUploadBytes, this.#tus), { details: 'refused before sending anything' });
    }
    if (viaTus && (await untilAborted(this.portalProfile(), opts.signal)).kind !== 'dart') {
      throw new UploadTooLargeError(bytes.length, this.#maxUploadBytes, { details: 'tus is used on Dart portals only; refused before sending anything' });
    }
    const data = bytes.slice(); // our own copy: the caller may reuse its buffer while we retry
    const local = BlobId.fromBytes(data);
    return this.#account.withAuth(async (token, signal) => {
      if (viaTus) {
        const send: TusTransport['send'] = (method, target, headers, body) =>
          this.#transport.http(method, target, { headers, ...(body ? { body: body as Uint8Array<ArrayBuffer> } : {}) }, signal);
        this.#stats.bytesUploaded += data.length;
        await tusUpload({ send }, data, local, token);
        return local; // Dart returns no CID; its final PATCH checked the 0x1f hash we announced
      }
      this.#stats.bytesUploaded += data.length;
      // Raw body: works on Dart and LumeWeb, and avoids Alfred decoding untyped multipart parts as text.
      const headers = { ...authHeaders(token), 'content-type': 'application/octet-stream' };
      const res = await this.#transport.http('POST', '/s5/upload', { headers, body: data as Uint8Array<ArrayBuffer> }, signal);
      if (res.status < 200 || res.status >= 300) throwForStatus(res, { op: 'upload', what: 'blob upload', size: data.length });
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
   * otherwise). A 404 is NotFoundError (devnode, LumeWeb's `/s5/download`); a portal's "could not
   * download" or our blob budget running out is BlobNotAvailableError. Never "empty".
   */
  async downloadBlob(id: BlobId, opts: CallOptions = {}): Promise<Uint8Array> {
    if (!(id instanceof BlobId)) throw new ValidationError([{ path: 'id', message: 'expected a BlobId' }]);
    throwIfAborted(opts.signal);
    // The legacy raw CID: the only form Dart resolves (0x5b ids never do), and LumeWeb parses it.
    const legacy = encodeMultibase(id.legacyCidBytes, 'z');
    const expected = id.hash;
    const what = `blob ${legacy}`;
    const get = async (path: string, token: string, signal: AbortSignal): Promise<Uint8Array> => {
      let res: HttpResult;
      try {
        res = await this.#transport.http('GET', path, { headers: authHeaders(token), largeBody: true, timeoutMs: this.#blobTimeoutMs }, signal);
      } catch (error) {
        if (error instanceof TimeoutError) {
          throw new BlobNotAvailableError(what, { details: `no answer within the ${this.#blobTimeoutMs} ms blob budget`, cause: error });
        }
        throw error;
      }
      if (res.status < 200 || res.status >= 300) throwForStatus(res, { op: 'blob', what });
      const actual = blake3(res.body);
      if (!equalBytes(actual, expected)) {
        throw new HashMismatchError(bytesToHex(expected), bytesToHex(actual), { details: `GET ${path} returned ${res.body.length} bytes with another hash` });
      }
      this.#stats.bytesDownloaded += res.body.length;
      return res.body;
    };
    const { kind } = await untilAborted(this.portalProfile(), opts.signal);
    if (kind === 'lumeweb') {
      // LumeWeb: `/s5/download` needs no token and serves the portal's own blobs, which `/s5/blob` skips.
      try {
        return await this.#transport.retrying((s) => get(`/s5/download/${legacy}`, '', s), opts.signal);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    return this.#account.maybeAuth((token, s) => get(`/s5/blob/${legacy}`, token, s), kind === 'lumeweb', opts.signal);
  }

  // ---- registry ---------------------------------------------------------------------------------

  /** Latest entry for the key, verified (signature and key), or null on 404. */
  async registryGet(publicKey33: Uint8Array, opts: CallOptions = {}): Promise<RegistryEntry | null> {
    assertBytes(publicKey33, 'publicKey', 33);
    if (publicKey33[0] !== 0xed) throw new ValidationError([{ path: 'publicKey', message: 'expected an 0xed multikey' }]);
    const pk = publicKey33.slice();
    const get = async (token: string, signal: AbortSignal): Promise<RegistryEntry | null> => {
      const res = await this.#transport.http('GET', `/s5/registry?pk=${encodeURIComponent(toBase64Url(pk))}`, { headers: authHeaders(token) }, signal);
      if (res.status === 404) return null;
      if (res.status < 200 || res.status >= 300) throwForStatus(res, { op: 'registry-get', what: 'registry get' });
      const entry = registryEntryFromJson(parseJsonBody(res, 'registry get'));
      if (!equalBytes(entry.publicKey, pk)) throw new InvalidSignatureError('Portal returned a registry entry for a different key.');
      assertValidRegistryEntry(entry); // InvalidSignatureError for a forged entry
      return entry;
    };
    // LumeWeb wants a token for registry reads: log in first rather than collect a 401.
    const { kind } = await untilAborted(this.portalProfile(), opts.signal);
    return this.#account.maybeAuth(get, kind === 'lumeweb', opts.signal);
  }

  /**
   * Publish an entry over the HTTP registry API; resolves once the node accepted it (200 or 204). A
   * conflict is RevisionTooLowError; it is not retried. If a transient fault hid the outcome of an
   * earlier attempt and the retry then conflicts, the node is asked whether it holds exactly our
   * entry — if so the write did land and this resolves.
   */
  async registrySet(entry: RegistryEntry, opts: CallOptions = {}): Promise<void> {
    assertValidRegistryEntry(entry); // nothing invalid leaves this process
    const body = JSON.stringify(registryEntryToJson(entry));
    let attempts = 0;
    try {
      await this.#account.withAuth(async (token, signal) => {
        attempts++;
        const headers = { 'content-type': 'application/json', ...authHeaders(token) };
        const before = this.#stats.requests;
        const res = await this.#transport.http('POST', '/s5/registry', { headers, body }, signal);
        if (this.#stats.requests - before > 1) attempts++; // the transport re-sent it after a dropped connection
        if (res.status < 200 || res.status >= 300) {
          throwForStatus(res, { op: 'registry-set', what: 'registry set', attemptedRevision: entry.revision });
        }
      }, opts.signal);
    } catch (error) {
      if (error instanceof RevisionTooLowError && attempts > 1) {
        const stored = await this.registryGet(entry.publicKey, opts).catch(() => null);
        if (stored && stored.revision === entry.revision && equalBytes(stored.data, entry.data) && equalBytes(stored.signature, entry.signature)) {
          return;
        }
      }
      throw error;
    }
  }

  /**
   * Watch a key. `onEntry` receives verified entries in increasing revision order, starting with the
   * current one. Over `WS /s5/registry/subscription` where the portal has a usable one (our devnode,
   * unknown portals; reconnects on drop), by polling the HTTP registry on Dart (no such route since
   * v0.14) and LumeWeb (token-only, same-origin-only, no 0x07 pushes). Returns the unsubscribe function.
   */
  registrySubscribe(publicKey33: Uint8Array, onEntry: (entry: RegistryEntry) => void, opts: SubscribeOptions = {}): () => void {
    assertBytes(publicKey33, 'publicKey', 33);
    if (typeof onEntry !== 'function') throw new ValidationError([{ path: 'onEntry', message: 'expected a function' }]);
    const pk = publicKey33.slice();
    const handle = openRegistryWatch({
      kind: this.portalProfile().then((p) => p.kind),
      wsUrl: this.portalUrl.replace(/^http/, 'ws') + '/s5/registry/subscription',
      publicKey: pk,
      onEntry,
      fetchCurrent: () => this.registryGet(pk),
      options: opts,
      ...(this.#WebSocket ? { WebSocket: this.#WebSocket } : {}),
    });
    this.#subscriptions.add(handle);
    return () => {
      handle.close();
      this.#subscriptions.delete(handle);
    };
  }

  /** Close every subscription this client opened. */
  close(): void {
    for (const sub of this.#subscriptions) sub.close();
    this.#subscriptions.clear();
  }
}
