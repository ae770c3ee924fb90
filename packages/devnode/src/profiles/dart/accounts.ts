import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../../http/router.js';
import { empty, json, type Reply } from '../../http/reply.js';
import type { Services } from '../../services.js';
import { equalBytes, toBase64Url, verifyEd25519 } from '../../s5.js';
import { dartCheckAuth, type DartAuthConfig } from './auth.js';
import { dartJsonMap } from './body.js';
import { b64Field, base58, dartBase64Decode } from './codec.js';
import { castError, EMPTY_INDEX_ERROR, NULL_CHECK, thrown } from './errors.js';
import type { DartVariant } from './variant.js';

type Ctx = RequestContext<Services>;
type Flow = 'register' | 'login';

/** 30 days, as Dart's cookie says. */
const COOKIE_MAX_AGE = 2592000;

/**
 * Dart's account routes (PORTALS.md §2.1; S5 lib/service/accounts.dart). Pending challenges are one
 * per (flow, pubKey string) in memory: every GET overwrites it, a successful POST does not consume
 * it, a restart drops it. So two logins of one key racing make one of them fail `Invalid challenge`.
 */
export class DartAccounts {
  readonly #challenges: Record<Flow, Map<string, Uint8Array>> = { register: new Map(), login: new Map() };

  constructor(
    private readonly variant: DartVariant,
    private readonly auth: DartAuthConfig,
  ) {}

  async challenge({ req, url, services }: Ctx, flow: Flow): Promise<Reply> {
    await dartCheckAuth(req, url, flow === 'register' ? 'account/register' : 'account/login', services, this.auth);
    const pubKey = url.searchParams.get('pubKey');
    if (pubKey === null) throw thrown(NULL_CHECK); // `queryParameters['pubKey']!`, not otherwise validated
    const challenge = new Uint8Array(randomBytes(32));
    this.#challenges[flow].set(pubKey, challenge);
    return json(200, { challenge: toBase64Url(challenge) });
  }

  async respond({ req, url, services }: Ctx, flow: Flow): Promise<Reply> {
    await dartCheckAuth(req, url, flow === 'register' ? 'account/register' : 'account/login', services, this.auth);
    const data = await dartJsonMap(req);
    const pubKeyStr = data['pubKey'];
    const challenge = typeof pubKeyStr === 'string' ? this.#challenges[flow].get(pubKeyStr) : undefined;
    if (!challenge) throw thrown('No challenge exists for this pubKey');
    const response = b64Field(data['response']);
    if (response.length !== 65) throw thrown('Invalid response');
    // Type byte and host hash are not checked ("TODO Validate other parts of response").
    if (!equalBytes(challenge, response.subarray(1, 33))) throw thrown('Invalid challenge');
    const pubKey = dartBase64Decode(pubKeyStr as string);
    if (pubKey.length === 0) throw thrown(EMPTY_INDEX_ERROR);
    if (pubKey[0] !== 0xed) throw thrown('Only ed25519 keys are supported');
    const signature = b64Field(data['signature']);
    if (pubKey.length !== 33 || signature.length !== 64 || !verifyEd25519(pubKey, response, signature)) {
      throw thrown('Invalid signature');
    }
    const pk = toBase64Url(pubKey);
    const { accounts } = services;
    if (flow === 'register') {
      const email = data['email'];
      if (email !== undefined && email !== null) {
        if (typeof email !== 'string') throw castError(email, 'String?');
        if (await accounts.getMarker(`email:${email}`)) {
          throw thrown('This email address is already in use by another account on this node');
        }
      }
      if (await accounts.hasAccount(pk)) {
        // createAccount inserted a row, then the PublicKey primary-key insert fails (sql.dart:47-48).
        // The exact sqflite text is [unconfirmed] in PORTALS.md; this is its shape.
        throw thrown(
          `DatabaseException(UNIQUE constraint failed: PublicKey.public_key (code 1555 SQLITE_CONSTRAINT_PRIMARYKEY)) sql 'INSERT INTO PublicKey (public_key, account_id, created_at) VALUES (?, ?, ?)'`,
        );
      }
      // The key is linked before the label is read, so a register without `label` still registers it.
      await accounts.createAccount(pk, typeof email === 'string' ? { email } : {});
      if (typeof email === 'string') await accounts.setMarker(`email:${email}`, pk);
    } else if (!(await accounts.hasAccount(pk))) {
      throw thrown('This public key is not registered on this portal');
    }
    const label = data['label'];
    if (label === undefined || label === null) throw thrown(NULL_CHECK); // `data['label']!`
    if (typeof label !== 'string') throw castError(label, 'String');
    const token = 'S5A' + base58(new Uint8Array(randomBytes(32)));
    await accounts.storeToken(token, pk);
    const headers = { 'set-cookie': setCookie(token, req.headers.host) };
    // HEAD returns the map (JSON); v0.14.1's handler returns nothing, so Alfred closes it empty.
    return this.variant.tokenInBody ? json(200, { authToken: token }, headers) : empty(200, headers);
  }

  /** `GET /s5/account` (accounts.dart): the account summary; needs a token. */
  async account({ req, url, services }: Ctx): Promise<Reply> {
    await dartCheckAuth(req, url, 'account/api/account', services, this.auth);
    return json(200, {
      email: null,
      createdAt: 0,
      quotaExceeded: false,
      emailConfirmed: false,
      isRestricted: false,
      tier: { id: 1, name: 'free', uploadBandwidth: 10485760, storageLimit: 10000000000, scopes: [] },
    });
  }
}

/** Dart's cookie: `Domain` is the request authority including a non-default port (accounts.dart:529-534). */
export function setCookie(token: string, host: string | undefined): string {
  return `s5-auth-token=${token}; Path=/; Domain=${host ?? ''}; Max-Age=${COOKIE_MAX_AGE}; HttpOnly; Secure`;
}
