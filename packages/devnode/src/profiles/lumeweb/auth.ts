import type { IncomingMessage } from 'node:http';
import { Ed25519KeyPair, fromBase64Url, toBase64Url, verifyEd25519 } from '../../s5.js';
import { GoHttpError } from './errors.js';

/** JWT lifetime (LP core/auth_jwt.go:37,46). */
export const JWT_LIFETIME_S = 24 * 3600;

const encodeJson = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));

/**
 * LumeWeb's login tokens: JWTs with purpose `login`, valid 24 h (PORTALS.md §2.1). Signed here with
 * a key derived from the node key (EdDSA), so tokens survive a restart of a persistent node as the
 * portal's do. `lifetimeScale` is the node's timeScale: tests can watch a token expire.
 */
export class LumewebJwt {
  readonly #key: Ed25519KeyPair;

  constructor(
    nodeSeed: Uint8Array,
    private readonly issuer: string,
    private readonly lifetimeScale: number,
  ) {
    this.#key = Ed25519KeyPair.fromSeed(nodeSeed);
  }

  issue(subject: string): string {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + Math.max(1, Math.round(JWT_LIFETIME_S * this.lifetimeScale));
    const head = `${encodeJson({ alg: 'EdDSA', typ: 'JWT' })}.${encodeJson({ iss: this.issuer, sub: subject, aud: ['login'], iat: now, exp })}`;
    return `${head}.${toBase64Url(this.#key.sign(new TextEncoder().encode(head)))}`;
  }

  /** The subject (account pk) of a valid token; throws the 401 the auth middleware sends. */
  verify(token: string): string {
    const parts = token.split('.');
    if (parts.length !== 3) throw new GoHttpError(401, 'token is malformed: token contains an invalid number of segments');
    let claims: { sub?: unknown; exp?: unknown; aud?: unknown };
    let signature: Uint8Array;
    try {
      claims = JSON.parse(new TextDecoder().decode(fromBase64Url(parts[1]!)));
      signature = fromBase64Url(parts[2]!);
    } catch {
      throw new GoHttpError(401, 'token is malformed: could not base64 decode');
    }
    if (signature.length !== 64 || !verifyEd25519(this.#key.publicKey, new TextEncoder().encode(`${parts[0]}.${parts[1]}`), signature)) {
      throw new GoHttpError(401, 'token signature is invalid: ed25519: verification error');
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      throw new GoHttpError(401, 'token has invalid claims: token is expired');
    }
    if (typeof claims.sub !== 'string' || !Array.isArray(claims.aud) || !claims.aud.includes('login')) {
      throw new GoHttpError(401, 'token has invalid claims: token has invalid audience');
    }
    return claims.sub;
  }
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * LP middleware/auth.go:18-46: `Bearer `/`bearer ` stripped; an empty value falls through to cookie
 * `s5-auth-token`, then cookie `auth_token`, then the query/form value `auth_token`.
 */
export function lumewebToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = (req.headers.authorization ?? '').replace(/^(Bearer|bearer) /, '');
  if (auth) return auth;
  return cookie(req, 's5-auth-token') || cookie(req, 'auth_token') || url.searchParams.get('auth_token') || undefined;
}

/** The auth middleware: the account of the request's JWT, or the 401 (`Invalid JWT` when there is none). */
export function lumewebAuth(req: IncomingMessage, url: URL, jwt: LumewebJwt): string {
  const token = lumewebToken(req, url);
  if (!token) throw new GoHttpError(401, 'Invalid JWT');
  return jwt.verify(token);
}
