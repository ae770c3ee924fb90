import { randomBytes } from 'node:crypto';
import { empty, type Reply } from '../../http/reply.js';
import type { RequestContext } from '../../http/router.js';
import type { Services } from '../../services.js';
import { equalBytes, toBase64Url, verifyEd25519 } from '../../s5.js';
import { readAll } from '../dart/body.js';
import type { LumewebJwt } from './auth.js';
import { GoDecodeError, goDecodeStruct, goJson, goRawUrlDecode, MSG, s5Error } from './errors.js';

type Ctx = RequestContext<Services>;
type Flow = 'register' | 'login';

const BODY_LIMIT = 1024 * 1024;
const COOKIE_MAX_AGE = 86400;

/** Decode, turning Go's decode error into the given S5Error (with the error text as cause). */
function decodeOr(s: string, status: number, message: string): Uint8Array {
  try {
    return goRawUrlDecode(s);
  } catch (err) {
    throw s5Error(status, message, err instanceof GoDecodeError ? err.message : String(err));
  }
}

/**
 * LumeWeb's account routes (PORTALS.md §2.1; LW internal/api/api.go:400-640). Registration is open.
 * Every challenge GET adds a row; the POST compares with the **oldest** row for (pubKey, type) and
 * deletes it only on success — so a GET whose POST never succeeded blocks that key's later logins.
 * Rows are kept in memory here (the portal keeps them in its database).
 */
export class LumewebAccounts {
  readonly #rows = new Map<string, Uint8Array[]>();

  constructor(
    private readonly jwt: LumewebJwt,
    private readonly cookieDomain: () => string,
  ) {}

  async challenge({ url, services }: Ctx, flow: Flow): Promise<Reply> {
    const pubKey = url.searchParams.get('pubKey') ?? '';
    const key = decodeOr(pubKey, 400, MSG.invalidFileFormat);
    if (key.length !== 33 || key[0] !== 0xed) {
      throw flow === 'register'
        ? s5Error(400, MSG.integrity, 'invalid public key format')
        : s5Error(400, MSG.unsupportedFileType, 'public key not supported');
    }
    if (flow === 'login' && !(await services.accounts.hasAccount(toBase64Url(key)))) {
      throw s5Error(404, MSG.notFound, 'public key does not exist');
    }
    const challenge = new Uint8Array(randomBytes(32));
    const rowKey = `${flow}:${pubKey}`;
    this.#rows.set(rowKey, [...(this.#rows.get(rowKey) ?? []), challenge]);
    return goJson({ challenge: toBase64Url(challenge) });
  }

  async respond({ req, services }: Ctx, flow: Flow): Promise<Reply> {
    const { bytes, over } = await readAll(req, BODY_LIMIT);
    if (over) throw s5Error(400, `couldn't decode request type (*api.Account${flow === 'register' ? 'Register' : 'Login'}Request)`, 'body too large');
    const request = goDecodeStruct(Buffer.from(bytes).toString('utf8'), flow === 'register' ? 'AccountRegisterRequest' : 'AccountLoginRequest', {
      pubKey: 'string',
      response: 'string',
      signature: 'string',
      ...(flow === 'register' ? { email: 'string' as const } : {}),
    });
    const pubKeyStr = request.pubKey as string;
    const key = decodeOr(pubKeyStr, 400, MSG.invalidFileFormat);
    if (flow === 'register') {
      if (key.length !== 33 || key[0] !== 0xed) throw s5Error(400, MSG.invalidFileFormat);
    } else {
      if (key.length !== 33) throw s5Error(400, MSG.invalidFileFormat);
      if (key[0] !== 0xed) throw s5Error(400, MSG.unsupportedFileType, 'public key type not supported');
    }
    const rowKey = `${flow}:${pubKeyStr}`;
    const oldest = this.#rows.get(rowKey)?.[0];
    if (!oldest) throw s5Error(404, MSG.notFound, 'record not found');
    const lengthMsg = flow === 'register' ? MSG.integrity : MSG.invalidOperation;
    const response = decodeOr(request.response as string, 400, lengthMsg);
    if (response.length !== 65) throw s5Error(400, lengthMsg);
    if (!equalBytes(response.subarray(1, 33), oldest)) {
      throw s5Error(400, flow === 'register' ? MSG.invalidOperation : MSG.integrity);
    }
    const signature = decodeOr(request.signature as string, 401, MSG.authorizationFailed);
    if (signature.length !== 64 || !verifyEd25519(key, response, signature)) throw s5Error(401, MSG.authorizationFailed);
    const pk = toBase64Url(key);
    const { accounts } = services;
    if (flow === 'register') {
      const email = (request.email as string) || `${Buffer.from(key.subarray(1)).toString('hex')}@example.com`;
      if (await accounts.getMarker(`lw-email:${email}`)) throw s5Error(409, MSG.limitExceeded, 'email already exists');
      if (await accounts.hasAccount(pk)) throw s5Error(409, MSG.limitExceeded, 'pubkey already exists');
      await accounts.createAccount(pk, { email });
      await accounts.setMarker(`lw-email:${email}`, pk);
    } else if (!(await accounts.hasAccount(pk))) {
      throw s5Error(401, MSG.authenticationFailed, 'record not found');
    }
    const token = this.jwt.issue(pk);
    this.#rows.get(rowKey)?.shift(); // the matched (oldest) row is deleted only now
    return empty(200, {
      'set-cookie': `s5-auth-token=${token}; Path=/; Domain=${this.cookieDomain()}; Max-Age=${COOKIE_MAX_AGE}; HttpOnly; Secure`,
    });
  }
}
