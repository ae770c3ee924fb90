import { AuthError } from '../errors.js';
import type { Ed25519KeyPair } from '../crypto/ed25519.js';
import { throwIfAborted } from '../resilience/sleep.js';
import { untilAborted } from './client-util.js';
import { runAccountLogin, type LoginTransport } from './login.js';
import { privateLoginSlot, sharedLoginSlot, type LoginSlot } from './login-share.js';
import type { PortalClientOptions, PortalClientStats } from './options.js';
import type { PortalTransport } from './portal-transport.js';

/** An operation that needs the account's token ('' = none, for portals that serve it without one). */
export type Authed<T> = (token: string, signal: AbortSignal) => Promise<T>;

/**
 * A PortalClient's account on its portal: the account key pair (derived per identity and host; a
 * login that LumeWeb blocks may move it to a fallback key) and the token — from the caller's
 * tokenProvider, or one login per (portal, account) shared process- and tab-wide (login-share.ts),
 * registering on first use (login.ts). Operations run with the token get one fresh token on a 401.
 */
export class PortalAccount {
  readonly #transport: PortalTransport;
  readonly #stats: PortalClientStats;
  /** The client's options, as they were at construction. */
  readonly #o: PortalClientOptions;
  readonly #host: string;
  readonly #login: LoginSlot;
  #keyPair: Ed25519KeyPair;

  constructor(opts: PortalClientOptions, portalUrl: string, host: string, transport: PortalTransport, stats: PortalClientStats) {
    this.#transport = transport;
    this.#stats = stats;
    this.#o = { ...opts };
    this.#host = host;
    this.#keyPair = opts.identity.portalAccountKeyPair(host, opts.accountSeed);
    const loginKey = this.#keyPair.publicKeyBase64Url;
    this.#login =
      opts.tokenProvider || opts.shareLogin === false ? privateLoginSlot(`${portalUrl}|${loginKey}`) : sharedLoginSlot(portalUrl, loginKey);
  }

  /** The account public key (pk33), a copy. */
  get publicKey(): Uint8Array {
    return this.#keyPair.publicKey.slice();
  }

  get isLoggedIn(): boolean {
    return this.#login.token !== undefined;
  }

  /** The token: the shared one, a tokenProvider's, or a fresh login. */
  ensureToken(signal?: AbortSignal): Promise<string> {
    throwIfAborted(signal);
    return untilAborted(
      this.#login.obtain(() => this.#acquireToken()),
      signal,
    );
  }

  /** Run an authenticated operation; on a 401 get a fresh token once (login or tokenProvider) and repeat. */
  async withAuth<T>(op: Authed<T>, signal?: AbortSignal): Promise<T> {
    const token = await this.ensureToken(signal);
    try {
      return await this.#transport.retrying((s) => op(token, s), signal);
    } catch (error) {
      if (!(error instanceof AuthError) || error.status !== 401) throw error;
      this.#login.invalidate(token);
      const fresh = await this.ensureToken(signal);
      return this.#transport.retrying((s) => op(fresh, s), signal);
    }
  }

  /** Without a token first (Dart, devnode); with one when the portal says 401 or always requires it. */
  async maybeAuth<T>(op: Authed<T>, tokenRequired: boolean, signal?: AbortSignal): Promise<T> {
    if (tokenRequired) return this.withAuth(op, signal);
    try {
      return await this.#transport.retrying((s) => op('', s), signal);
    } catch (error) {
      if (error instanceof AuthError && error.status === 401) return this.withAuth(op, signal);
      throw error;
    }
  }

  async #acquireToken(): Promise<string> {
    const o = this.#o;
    if (o.tokenProvider) {
      const token = await o.tokenProvider();
      if (typeof token !== 'string' || !token) {
        throw new AuthError('tokenProvider returned no token.', { details: `got ${typeof token}`, reason: 'rejected' });
      }
      this.#stats.logins++;
      return token;
    }
    const net = this.#transport;
    const exchanges: LoginTransport = {
      challenge: (flow, pubKey, headers, signal) => net.http('GET', `/s5/account/${flow}?pubKey=${encodeURIComponent(pubKey)}`, { headers }, signal),
      respond: (flow, body, headers, signal) => net.http('POST', `/s5/account/${flow}`, { headers, body }, signal),
    };
    const outcome = await runAccountLogin({
      transport: exchanges,
      keyPair: this.#keyPair,
      host: this.#host,
      label: o.label ?? 's5chat',
      inviteCode: o.inviteCode,
      registerFirst: o.registerFirst ?? false,
      retrying: (op) => net.retrying(op),
      fallbackKeyPair: () => o.identity.portalAccountKeyPair(this.#host, globalThis.crypto.getRandomValues(new Uint8Array(32))),
    });
    this.#keyPair = outcome.keyPair;
    this.#stats.logins++;
    this.#stats.loginExchanges += outcome.exchanges;
    return outcome.token;
  }
}
