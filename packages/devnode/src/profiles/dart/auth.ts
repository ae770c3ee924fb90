import type { IncomingMessage } from 'node:http';
import type { Services } from '../../services.js';
import type { Registration } from '../profile.js';
import { DartThrown } from './errors.js';

/** Scopes a default Dart portal lets through without a token (accounts.dart:39-48). */
const ALWAYS_ALLOWED = new Set(['account/login', 's5/registry/read', 's5/metadata', 's5/debug/storage_locations', 's5/debug/download_urls', 's5/blob/redirect']);

export interface DartAuthConfig {
  registration: Registration;
  inviteTokens: readonly string[];
}

/** A 401 as `res.unauthorized` writes it: JSON text without a JSON content type (PORTALS.md §2.2). */
export const unauthorized = (error: string) => new DartThrown(JSON.stringify({ error }), 401);

/**
 * The token as Dart finds it (PORTALS.md §2.2): **any** `Authorization` value minus its first 7
 * characters (a value shorter than that throws inside a try and falls through), then the text after
 * `s5-auth-token=` in the Cookie header up to `;`, then `?auth_token=`. So `Authorization: Bearer `
 * arriving as 7 characters gives token "" and shadows a valid cookie.
 */
export function dartToken(req: IncomingMessage, url: URL): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization !== undefined && authorization.length >= 7) return authorization.slice(7);
  const cookie = req.headers.cookie;
  if (cookie !== undefined) {
    const parts = cookie.split('s5-auth-token=');
    if (parts.length > 1) return parts[1]!.split(';')[0]!;
  }
  return url.searchParams.get('auth_token') ?? undefined;
}

/**
 * `checkAuth(req, scope)`: resolves with the account (base64url pk) or undefined for an always-allowed
 * scope; throws the 401. Registration takes only an invite token, never an account token.
 */
export async function dartCheckAuth(req: IncomingMessage, url: URL, scope: string, services: Services, cfg: DartAuthConfig): Promise<string | undefined> {
  if (ALWAYS_ALLOWED.has(scope) || (scope === 'account/register' && cfg.registration === 'open')) return undefined;
  const token = dartToken(req, url);
  if (token === undefined) throw unauthorized('No auth token found');
  if (scope === 'account/register') {
    if (cfg.inviteTokens.includes(token)) return undefined;
    throw unauthorized('Invalid auth token');
  }
  const account = await services.accounts.lookupToken(token);
  if (!account) throw unauthorized('Invalid auth token');
  return account;
}
