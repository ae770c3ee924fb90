import { randomBytes } from 'node:crypto';
import type { KvStore } from './storage/kv.js';
import { badRequest, DevnodeError, unauthorized } from './errors.js';
import { blake3, equalBytes, fromBase64Url, toBase64Url, verifyEd25519 } from './s5.js';

export type AuthFlow = 'register' | 'login';

const FLOW_TYPE_BYTE: Record<AuthFlow, number> = { register: 0x01, login: 0x02 };
const CHALLENGE_TTL_MS = 10 * 60_000;
/** Outstanding challenges per key and flow; parallel logins from several tabs need more than one. */
const MAX_CHALLENGES_PER_KEY = 32;
/** Keys with outstanding challenges before expired ones are swept (bounds memory under a key flood). */
const SWEEP_ABOVE_KEYS = 10_000;
const ACCOUNT = 'acct!';
const TOKEN = 'tok!';
const MARKER = 'mark!';

export interface ChallengeResponse {
  pubKey: string;
  response: string;
  signature: string;
}

const forbidden = (message: string) => new DevnodeError(401, 'AUTH_FAILED', message);

/**
 * Portal accounts (PROTOCOL §4.2). `challenge`/`respond`/`authenticate` are the devnode profile's
 * rules; the record methods below them are what portal profiles build their own rules on.: challenge → signed response → token. Accounts and tokens are
 * persisted so a restarted node still accepts the tokens it issued; challenges live in memory
 * (a restart just makes the client ask for a new one).
 */
export class AccountService {
  readonly #kv: KvStore;
  readonly #challenges = new Map<string, Map<string, number>>();
  readonly #tokenCache = new Map<string, string>();

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  /** `GET /s5/account/{flow}?pubKey=` → a fresh 32-byte challenge (base64url). */
  challenge(flow: AuthFlow, pubKey: string | null): string {
    const pk = parsePubKey(pubKey);
    const key = `${flow}:${toBase64Url(pk)}`;
    const now = Date.now();
    if (this.#challenges.size > SWEEP_ABOVE_KEYS) this.#sweep(now);
    const pending = this.#challenges.get(key) ?? new Map<string, number>();
    for (const [c, expires] of pending) if (expires < now) pending.delete(c);
    while (pending.size >= MAX_CHALLENGES_PER_KEY) pending.delete(pending.keys().next().value!);
    const challenge = toBase64Url(randomBytes(32));
    pending.set(challenge, now + CHALLENGE_TTL_MS);
    this.#challenges.set(key, pending);
    return challenge;
  }

  #sweep(now: number): void {
    for (const [key, pending] of this.#challenges) {
      for (const [c, expires] of pending) if (expires < now) pending.delete(c);
      if (pending.size === 0) this.#challenges.delete(key);
    }
    // Still too many live ones: drop the oldest keys (Map iterates in insertion order).
    for (const key of this.#challenges.keys()) {
      if (this.#challenges.size <= SWEEP_ABOVE_KEYS / 2) break;
      this.#challenges.delete(key);
    }
  }

  /**
   * `POST /s5/account/{flow}`: checks in the order of PROTOCOL §4.2 (plus the type byte and the
   * host hash, which Dart skips) and returns a new auth token.
   */
  async respond(flow: AuthFlow, body: unknown, hostHeader: string | undefined): Promise<string> {
    const { pubKey, response, signature } = parseChallengeResponse(body);
    const pk = parsePubKey(pubKey);
    const key = `${flow}:${toBase64Url(pk)}`;
    const pending = this.#challenges.get(key);
    if (!pending || pending.size === 0) throw forbidden('No challenge exists for this pubKey');
    const resp = decodeField(response, 'response');
    if (resp.length !== 65) throw badRequest('Invalid response (expected 65 bytes: type ‖ challenge32 ‖ hostHash32)');
    if (resp[0] !== FLOW_TYPE_BYTE[flow]) {
      throw badRequest(`Invalid response type byte ${resp[0]} (expected ${FLOW_TYPE_BYTE[flow]} for ${flow})`);
    }
    const challenge = toBase64Url(resp.subarray(1, 33));
    const expires = pending.get(challenge);
    if (expires === undefined || expires < Date.now()) throw forbidden('Invalid challenge');
    if (!hostHeader) throw badRequest('Missing Host header (the response signs BLAKE3 of it)');
    if (!equalBytes(resp.subarray(33), blake3(new TextEncoder().encode(hostHeader)))) {
      throw forbidden(`Invalid host hash (expected BLAKE3 of "${hostHeader}")`);
    }
    const sig = decodeField(signature, 'signature');
    if (!verifyEd25519(pk, resp, sig)) throw forbidden('Invalid signature');
    pending.delete(challenge); // one use only
    const pkString = toBase64Url(pk);
    if (flow === 'login' && !(await this.#kv.get(ACCOUNT + pkString))) {
      throw forbidden('This public key is not registered on this portal');
    }
    const token = 'S5A' + toBase64Url(randomBytes(24));
    const puts: Array<[string, Uint8Array]> = [[TOKEN + token, new TextEncoder().encode(pkString)]];
    if (flow === 'register') {
      // Registering an existing key again is allowed (idempotent): it just yields another token.
      puts.push([ACCOUNT + pkString, new TextEncoder().encode(JSON.stringify({ createdAt: new Date().toISOString() }))]);
    }
    await this.#kv.write(puts);
    this.#tokenCache.set(token, pkString);
    return token;
  }

  // ---- the account and token records, shared by every profile's own challenge rules -----------

  /** Is this key (base64url of pk33) registered? */
  async hasAccount(pkString: string): Promise<boolean> {
    return (await this.#kv.get(ACCOUNT + pkString)) !== undefined;
  }

  /** Persist a new account for this key (callers check `hasAccount` first when that matters). */
  async createAccount(pkString: string, meta: Record<string, unknown> = {}): Promise<void> {
    const record = { createdAt: new Date().toISOString(), ...meta };
    await this.#kv.write([[ACCOUNT + pkString, new TextEncoder().encode(JSON.stringify(record))]]);
  }

  /** Persist `token` as an auth token of this account. */
  async storeToken(token: string, pkString: string): Promise<void> {
    await this.#kv.write([[TOKEN + token, new TextEncoder().encode(pkString)]]);
    this.#tokenCache.set(token, pkString);
  }

  /** The account (pubKey string) of a token, or undefined. */
  async lookupToken(token: string): Promise<string | undefined> {
    const cached = this.#tokenCache.get(token);
    if (cached) return cached;
    const stored = await this.#kv.get(TOKEN + token);
    if (!stored) return undefined;
    const pk = new TextDecoder().decode(stored);
    this.#tokenCache.set(token, pk);
    return pk;
  }

  /** Generic per-key markers (e.g. Dart's unique e-mail column), persisted with the accounts. */
  async getMarker(name: string): Promise<string | undefined> {
    const v = await this.#kv.get(MARKER + name);
    return v ? new TextDecoder().decode(v) : undefined;
  }

  async setMarker(name: string, value: string): Promise<void> {
    await this.#kv.write([[MARKER + name, new TextEncoder().encode(value)]]);
  }

  /** The account (pubKey string) a token belongs to, or throws 401. Lookup order as Dart: Bearer, cookie, query. */
  async authenticate(headers: { authorization?: string | undefined; cookie?: string | undefined }, url: URL): Promise<string> {
    const token = extractToken(headers, url);
    if (!token) throw unauthorized('No auth token found');
    const pk = await this.lookupToken(token);
    if (!pk) throw unauthorized('Invalid auth token');
    return pk;
  }
}

function extractToken(headers: { authorization?: string | undefined; cookie?: string | undefined }, url: URL): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer?.[1]) return bearer[1];
  const cookie = /(?:^|;\s*)s5-auth-token=([^;]+)/.exec(headers.cookie ?? '');
  if (cookie?.[1]) return cookie[1];
  return url.searchParams.get('auth_token') || undefined;
}

function parsePubKey(pubKey: string | null | undefined): Uint8Array {
  if (!pubKey) throw badRequest('Missing pubKey (base64url of 0xed ‖ Ed25519 public key)');
  const pk = decodeField(pubKey, 'pubKey');
  if (pk.length !== 33) throw badRequest(`Invalid pubKey: expected 33 bytes, got ${pk.length}`);
  if (pk[0] !== 0xed) throw badRequest('Only ed25519 keys are supported');
  return pk;
}

function decodeField(value: string, name: string): Uint8Array {
  try {
    return fromBase64Url(value, name);
  } catch (cause) {
    throw badRequest(`${name} is not valid base64url (RFC 4648 §5, no padding)`, cause);
  }
}

function parseChallengeResponse(body: unknown): ChallengeResponse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('expected a JSON object {pubKey, response, signature}');
  }
  const b = body as Record<string, unknown>;
  for (const field of ['pubKey', 'response', 'signature'] as const) {
    if (typeof b[field] !== 'string') throw badRequest(`${field} must be a base64url string`);
  }
  return { pubKey: b.pubKey as string, response: b.response as string, signature: b.signature as string };
}
