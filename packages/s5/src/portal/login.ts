/**
 * The account login state machine, independent of how requests reach the portal (directly, or
 * through a same-origin login proxy: see proxied-login.ts). PORTALS.md §3 items 7, 9-12:
 *
 * - login first; "not registered" (Dart 500 on the POST, LumeWeb 404 on the GET) → register;
 *   "already registered" (Dart SQLite 500, LumeWeb 409: another device won the race) → log in;
 * - the invite code goes as `Authorization: Bearer` on both register requests; a 401 there is
 *   INVITE_REQUIRED;
 * - `Invalid challenge` / `No challenge exists` (another login of the same key overwrote or consumed
 *   ours) → redo GET+POST as a unit after a jittered pause;
 * - LumeWeb keeps the oldest unfinished challenge forever: a mismatch that survives a retry switches
 *   to a fallback account key (then register), when the caller offers one;
 * - the token is the JSON `authToken`, else the `s5-auth-token` Set-Cookie (readable outside
 *   browsers only); `label` is always sent (Dart answers 500 without it).
 */
import { AuthError, AuthTokenUnreadableError, ValidationError } from '../errors.js';
import { fromBase64Url } from '../encoding/base64url.js';
import type { Ed25519KeyPair } from '../crypto/ed25519.js';
import { sleep } from '../resilience/sleep.js';
import { signPortalChallenge, tokenFromSetCookie, type PortalAuthFlow } from './auth.js';
import { bodyText, throwForStatus, type HttpResult } from './http.js';

/** The two exchanges of one login or registration. */
export interface LoginTransport {
  challenge(flow: PortalAuthFlow, pubKey: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResult>;
  respond(flow: PortalAuthFlow, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<HttpResult>;
}

export interface AccountLoginOptions {
  transport: LoginTransport;
  keyPair: Ed25519KeyPair;
  /** Signed into the response (`URL.host` of the portal). */
  host: string;
  label: string;
  inviteCode?: string | undefined;
  /** Runs one GET+POST under the caller's transient-fault policy. */
  retrying: <T>(op: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** Register before trying to log in (a freshly created identity): saves one failing request. */
  registerFirst?: boolean | undefined;
  /** A fresh account key for when LumeWeb has blocked this one with a stale challenge. */
  fallbackKeyPair?: (() => Ed25519KeyPair) | undefined;
  /** Retries of the whole exchange after a lost challenge (default 8). */
  maxChallengeRetries?: number | undefined;
  random?: (() => number) | undefined;
}

export interface LoginOutcome {
  /** The auth token; `''` when the portal has no account routes (every scope open). */
  token: string;
  flow: PortalAuthFlow;
  keyPair: Ed25519KeyPair;
  /** Exchanges (GET+POST pairs) it took. */
  exchanges: number;
}

const CHALLENGE_RETRY_BASE_MS = 60;

export async function runAccountLogin(opts: AccountLoginOptions): Promise<LoginOutcome> {
  const random = opts.random ?? Math.random;
  const maxRetries = opts.maxChallengeRetries ?? 8;
  let flow: PortalAuthFlow = opts.registerFirst ? 'register' : 'login';
  let keyPair = opts.keyPair;
  let races = 0;
  let stickyMismatches = 0;
  let switches = 0;
  let exchanges = 0;
  for (;;) {
    try {
      exchanges++;
      const token = await opts.retrying((signal) => exchangeOnce(opts, flow, keyPair, signal));
      return { token, flow, keyPair, exchanges };
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (error.reason === 'accounts-disabled') return { token: '', flow, keyPair, exchanges };
      if (error.reason === 'not-registered' && flow === 'login' && switches++ < 4) {
        flow = 'register';
        continue;
      }
      if (error.reason === 'already-registered' && flow === 'register' && switches++ < 4) {
        flow = 'login';
        continue;
      }
      if (error.reason !== 'challenge' || ++races > maxRetries) throw error;
      // LumeWeb answers a mismatch with 400 (Dart: 500), and its oldest pending challenge never goes away.
      if (error.status === 400 && opts.fallbackKeyPair && ++stickyMismatches >= 2) {
        keyPair = opts.fallbackKeyPair();
        flow = 'register';
        stickyMismatches = 0;
      }
      // Full jitter on a doubling ceiling: racing devices of one identity drift apart.
      await sleep(CHALLENGE_RETRY_BASE_MS * 2 ** Math.min(races, 5) * (0.25 + random()));
    }
  }
}

async function exchangeOnce(opts: AccountLoginOptions, flow: PortalAuthFlow, keyPair: Ed25519KeyPair, signal: AbortSignal): Promise<string> {
  const pubKey = keyPair.publicKeyBase64Url;
  const invite: Record<string, string> = flow === 'register' && opts.inviteCode ? { authorization: `Bearer ${opts.inviteCode}` } : {};
  const hadInvite = flow === 'register' ? Boolean(opts.inviteCode) : undefined;
  const ctx = (step: 'challenge' | 'response') => ({
    op: `${flow}-${step}` as const,
    what: `${flow} ${step}`,
    ...(hadInvite !== undefined ? { hadInvite } : {}),
  });
  const challengeRes = await opts.transport.challenge(flow, pubKey, invite, signal);
  if (challengeRes.status < 200 || challengeRes.status >= 300) throwForStatus(challengeRes, ctx('challenge'));
  const challenge = parseChallenge(challengeRes, flow);
  const signed = signPortalChallenge({ keyPair, flow, challenge, host: opts.host });
  const body = JSON.stringify({ pubKey, response: signed.response, signature: signed.signature, label: opts.label });
  const res = await opts.transport.respond(flow, body, { 'content-type': 'application/json', ...invite }, signal);
  if (res.status < 200 || res.status >= 300) throwForStatus(res, ctx('response'));
  return tokenFromLoginReply(res, flow);
}

function parseChallenge(res: HttpResult, flow: PortalAuthFlow): Uint8Array {
  let json: { challenge?: unknown } | undefined;
  try {
    json = JSON.parse(bodyText(res)) as { challenge?: unknown };
  } catch {
    /* reported below */
  }
  if (typeof json?.challenge !== 'string') throw new AuthError(`Portal sent no ${flow} challenge.`, { status: res.status });
  const challenge = fromBase64Url(json.challenge, 'challenge');
  if (challenge.length !== 32) {
    throw new ValidationError([{ path: 'challenge', message: `${challenge.length} bytes (expected 32); refusing to sign it` }]);
  }
  return challenge;
}

/** JSON `authToken` (Dart ≥ 1.0.0-pre.1, our devnode, the login proxy), else the cookie (Node only). */
export function tokenFromLoginReply(res: HttpResult, flow: PortalAuthFlow): string {
  try {
    const json = JSON.parse(bodyText(res)) as { authToken?: unknown };
    if (typeof json?.authToken === 'string' && json.authToken) return json.authToken;
  } catch {
    /* empty body: cookie-only portal */
  }
  const fromHeaders = res.headers as Headers & { getSetCookie?: () => string[] };
  const cookies = typeof fromHeaders.getSetCookie === 'function' ? fromHeaders.getSetCookie().join(', ') : res.headers.get('set-cookie');
  const cookie = tokenFromSetCookie(cookies);
  if (cookie) return cookie;
  throw new AuthTokenUnreadableError({ details: `${flow}: HTTP ${res.status}, no authToken in the body and no readable s5-auth-token cookie` });
}
