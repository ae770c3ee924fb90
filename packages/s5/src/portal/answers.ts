/**
 * The one place that reads portal texts (PORTALS.md §2.9). Real portals answer most definite
 * rejections with a bare HTTP 500 and a thrown string (Dart) or a plain-text `http.Error` (LumeWeb),
 * so the status alone cannot tell a fault from an answer. This module turns (status, text, what was
 * asked) into a typed error; everything above it switches on `code` / `reason`.
 */
import {
  AuthError,
  type AuthFailureReason,
  BlobNotAvailableError,
  InvalidSignatureError,
  InviteRequiredError,
  NotFoundError,
  PortalRejectedError,
  PortalUnavailableError,
  RevisionTooLowError,
  UploadTooLargeError,
  ValidationError,
} from '../errors.js';

/** What the request was, so the same status can mean different things per route. */
export type PortalOperation =
  | 'login-challenge'
  | 'login-response'
  | 'register-challenge'
  | 'register-response'
  | 'upload'
  | 'blob'
  | 'registry-get'
  | 'registry-set'
  | 'other';

export interface AnswerContext {
  op: PortalOperation;
  /** Short description for messages, e.g. `blob z…`. */
  what: string;
  attemptedRevision?: number;
  currentRevision?: number;
  /** Upload size, for UPLOAD_TOO_LARGE. */
  size?: number;
  hadInvite?: boolean;
}

/** Substring, not equality: LumeWeb prefixes it with `Error setting registry entry: `. */
export const REVISION_TOO_LOW_TEXT = 'Revision number too low';

/** A miss after the portal's 60 s provider wait (Dart, LumeWeb) or its retry loop (`/s5/download`). */
const BLOB_MISS = /Could not download raw file|Too many retries|error fetching blob/i;
/** Dart: `This API only supports a maximum size of 34 MB` / `… of 32 MiB`. */
const UPLOAD_LIMIT = /only supports a maximum size of/i;
/** Registry input the node refuses (Dart/lib5 order); we validate locally first, so seeing one is a bug upstream. */
const REGISTRY_INPUT = /Invalid pubkey|Only ed25519 keys are supported|Invalid revision|Data too long/;
const REGISTRY_SIGNATURE = /Invalid signature found/;
/** Definite refusals that are neither input we check nor faults. */
const DEFINITE = /No store configured|This is not a raw CID|Multibase encoding .* not supported|Invalid hash found|Invalid offset|This account is restricted/;
/** Dart runtime errors thrown by a route: the request was malformed for that node, so the same request fails again. */
const DART_TYPE_ERROR = /Null check operator|FormatException|is not a subtype of|RangeError|NoSuchMethodError|Bad state:/;

/** Dart and our devnode: the login POST for an unknown key. LumeWeb: the challenge GET 404. */
const NOT_REGISTERED = /not registered|public key does not exist/i;
/**
 * Another login of the same key got between our GET and POST (Dart keeps one challenge per key and
 * every GET overwrites it; LumeWeb compares with the oldest pending row). Retry GET+POST as a unit.
 */
const CHALLENGE_RACE = /Invalid challenge|No challenge exists|record not found|Data integrity check failed|Invalid or unsupported operation requested/i;
/** Dart: the SQLite primary-key insert fails; LumeWeb: 409 `…already exists`. */
const ALREADY_REGISTERED = /constraint|SqliteException|already exists|already registered/i;
/** Dart's Alfred answer for an unknown route: the portal runs without accounts (every scope open). */
const NO_ROUTE = /^404 not found$/i;

export function answerText(body: Uint8Array, max = 300): string {
  const text = new TextDecoder().decode(body).trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The typed error for a non-2xx answer. Never returns normally. */
export function throwForAnswer(status: number, text: string, ctx: AnswerContext): never {
  throw errorForAnswer(status, text, ctx);
}

export function errorForAnswer(status: number, text: string, ctx: AnswerContext): Error {
  const details = `${ctx.what}: HTTP ${status}${text ? ` ${text}` : ''}`;
  const base = { status, details };
  if (text.includes(REVISION_TOO_LOW_TEXT)) {
    return new RevisionTooLowError({
      details,
      ...(ctx.currentRevision !== undefined ? { currentRevision: ctx.currentRevision } : {}),
      ...(ctx.attemptedRevision !== undefined ? { attemptedRevision: ctx.attemptedRevision } : {}),
    });
  }
  const account = ctx.op.startsWith('login') || ctx.op.startsWith('register');
  if (account) {
    const accountError = accountAnswer(status, text, ctx, details);
    if (accountError) return accountError;
  }
  if (BLOB_MISS.test(text)) return new BlobNotAvailableError(ctx.what, base);
  if (UPLOAD_LIMIT.test(text) || (ctx.op === 'upload' && status === 413)) {
    return new UploadTooLargeError(ctx.size ?? -1, uploadLimitFromText(text) ?? -1, { details });
  }
  if (status === 401 || status === 403) return new AuthError(`Portal refused ${ctx.what} (HTTP ${status}).`, base);
  if (REGISTRY_SIGNATURE.test(text)) return new InvalidSignatureError('Portal rejected the registry entry signature.', { details });
  if (REGISTRY_INPUT.test(text)) {
    return new ValidationError([{ path: 'entry', message: text }], { shortMessage: `Portal rejected ${ctx.what}.`, details });
  }
  if (DEFINITE.test(text) || DART_TYPE_ERROR.test(text)) return new PortalRejectedError(`Portal rejected ${ctx.what}.`, base);
  if (status === 404) return new NotFoundError(ctx.what, { details });
  if (status === 429 || status >= 500) return new PortalUnavailableError(`Portal failed ${ctx.what} (HTTP ${status}).`, base);
  return new ValidationError([{ path: '', message: `portal rejected ${ctx.what}` }], {
    shortMessage: `Portal rejected ${ctx.what} (HTTP ${status}).`,
    details,
  });
}

function accountAnswer(status: number, text: string, ctx: AnswerContext, details: string): Error | undefined {
  const register = ctx.op.startsWith('register');
  const opts = (reason: AuthFailureReason) => ({ status, details, reason });
  if (status === 404 && NO_ROUTE.test(text)) return new AuthError('The portal has no account routes.', opts('accounts-disabled'));
  // Registration gated by invite tokens: Dart answers 401 (No auth token found / Invalid auth token).
  if (register && (status === 401 || status === 403) && !CHALLENGE_RACE.test(text)) {
    return new InviteRequiredError({ status, details, ...(ctx.hadInvite !== undefined ? { hadInvite: ctx.hadInvite } : {}) });
  }
  if (register && (status === 409 || ALREADY_REGISTERED.test(text))) {
    return new AuthError('The account is already registered.', opts('already-registered'));
  }
  if (NOT_REGISTERED.test(text)) return new AuthError('The account is not registered on this portal.', opts('not-registered'));
  if (CHALLENGE_RACE.test(text)) return new AuthError(`Portal no longer holds our ${register ? 'register' : 'login'} challenge.`, opts('challenge'));
  if (status >= 400 && status < 500 && status !== 429) {
    return new AuthError(`Portal rejected the account ${ctx.what} (HTTP ${status}).`, opts('rejected'));
  }
  if (/Invalid response|Invalid signature|Only ed25519|Invalid host/i.test(text)) {
    return new AuthError(`Portal rejected the account ${ctx.what}.`, opts('rejected'));
  }
  return undefined;
}

function uploadLimitFromText(text: string): number | undefined {
  const m = /maximum size of (\d+)\s*(MiB|MB)/i.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 'MiB' ? 1024 * 1024 : 1000 * 1000);
}
