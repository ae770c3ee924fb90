/**
 * Typed errors. Every error thrown by @s5chat/s5 (and @s5chat/sdk-core) extends {@link S5ChatError}
 * and carries a stable `code` from {@link S5ChatErrorCode}; callers switch on `code`, never on message
 * text. Modelled on viem: a one-line `shortMessage`, optional `details`, the original `cause`.
 *
 * Errors are recognised by a `Symbol.for('s5chat.error')` brand, not by class identity, so
 * `isS5ChatError`, `XError.is(e)` and even `instanceof` hold when two copies of the library meet in
 * one process (the ESM and the CJS build, or two bundled versions).
 */

/**
 * Every code an error of this library can carry. Additive: a new error class adds its code here
 * (one per line, grouped by package), so a `switch (e.code)` gets completion and exhaustiveness.
 */
export type S5ChatErrorCode =
  // @s5chat/s5: input and protocol
  | 'VALIDATION'
  | 'INVALID_SEED_PHRASE'
  | 'INVALID_SIGNATURE'
  | 'HASH_MISMATCH'
  | 'DECRYPTION_FAILED'
  | 'REVISION_TOO_LOW'
  | 'NOT_FOUND'
  // @s5chat/s5: portal and transport
  | 'AUTH_FAILED'
  | 'AUTH_TOKEN_UNREADABLE'
  | 'INVITE_REQUIRED'
  | 'PORTAL_UNAVAILABLE'
  | 'PORTAL_REJECTED'
  | 'BLOB_NOT_AVAILABLE'
  | 'UPLOAD_TOO_LARGE'
  | 'RESPONSE_TOO_LARGE'
  | 'P2P_UNAVAILABLE'
  | 'P2P_PROTOCOL'
  | 'TIMEOUT'
  | 'ABORTED'
  // @s5chat/sdk-core
  | 'REVISION_CONFLICT'
  | 'LOCK_TIMEOUT'
  | 'INTEGRITY'
  | 'DATA_MISSING'
  | 'CONVERSATION_DELETED'
  | 'STALE_SNAPSHOT'
  | 'MESSAGE_NOT_FOUND'
  | 'ENCRYPTION_DOWNGRADE'
  | 'STREAM_FAILED'
  | 'CLOSED'
  // @s5chat/react
  | 'NO_PROVIDER'
  | 'NO_SESSION'
  | 'OUTBOX_FAILED';

/**
 * Structured extra facts about an error. `text` is free-form (e.g. the portal's reply body); the
 * other keys are for programs (e.g. `operationId` and `messageIds` after a write whose outcome is
 * unknown, so the caller can re-submit it).
 */
export interface S5ChatErrorDetails {
  text?: string;
  operationId?: string;
  messageIds?: readonly string[];
  [key: string]: unknown;
}

export interface S5ChatErrorOptions {
  /** A string is shorthand for `{ text }`. */
  details?: string | S5ChatErrorDetails;
  cause?: unknown;
}

/** The brand every S5ChatError carries (a registered symbol: the same in every copy of the library). */
export const S5CHAT_ERROR_BRAND: unique symbol = Symbol.for('s5chat.error') as never;

/** `message` = shortMessage, then the details once (text and facts, unless the short message already says them). */
function renderMessage(shortMessage: string, details: S5ChatErrorDetails): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    const shown = key === 'text' ? String(value) : `${key}=${Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value)}`;
    if (shown !== '' && !shortMessage.includes(shown)) parts.push(shown);
  }
  return parts.length ? `${shortMessage}\n\nDetails: ${parts.join('; ')}` : shortMessage;
}

// Used by the static guards to tell "a class that names its code" from one that does not.
const ownCode = (ctor: object): S5ChatErrorCode | undefined =>
  Object.prototype.hasOwnProperty.call(ctor, 'code') ? (ctor as { code?: S5ChatErrorCode }).code : undefined;

export class S5ChatError extends Error {
  /**
   * The code every instance of this class carries. Subclasses set it, which makes `XError.is(e)` and
   * `e instanceof XError` work across module copies (they compare codes, not prototypes).
   */
  static readonly code?: S5ChatErrorCode;

  override name = 'S5ChatError';
  readonly code: S5ChatErrorCode;
  readonly shortMessage: string;
  /** Always present (`{}` when there is nothing to add). */
  readonly details: S5ChatErrorDetails;
  override readonly cause?: unknown;

  constructor(code: S5ChatErrorCode, shortMessage: string, options: S5ChatErrorOptions = {}) {
    const details: S5ChatErrorDetails =
      typeof options.details === 'string' ? { text: options.details } : { ...(options.details ?? {}) };
    super(renderMessage(shortMessage, details));
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
    if (options.cause !== undefined) this.cause = options.cause;
  }

  /**
   * True when `e` is an error of this class, also one thrown by another copy of the library:
   * `S5ChatError.is(e)` for any of ours, `ValidationError.is(e)` for that kind only.
   */
  static is<T extends abstract new (...args: never[]) => S5ChatError>(this: T, e: unknown): e is InstanceType<T> {
    if (!isS5ChatError(e)) return false;
    if ((this as unknown) === S5ChatError) return true;
    const code = ownCode(this);
    // A subclass without its own static code can only be recognised by prototype (same copy).
    return code !== undefined ? e.code === code : Function.prototype[Symbol.hasInstance].call(this, e);
  }

  /** `instanceof` means {@link S5ChatError.is}: it holds across module copies too. */
  static override [Symbol.hasInstance]<T extends abstract new (...args: never[]) => S5ChatError>(this: T, e: unknown): e is InstanceType<T> {
    return (S5ChatError.is as (this: T, e: unknown) => e is InstanceType<T>).call(this, e);
  }
}

Object.defineProperty(S5ChatError.prototype, S5CHAT_ERROR_BRAND, { value: true, enumerable: false });

/**
 * True for any error produced by this library, from whichever copy of it (ESM, CJS, another bundle).
 * With a code, also narrows `e.code`: `if (isS5ChatError(e, 'VALIDATION')) …`.
 */
export function isS5ChatError(e: unknown): e is S5ChatError;
export function isS5ChatError<C extends S5ChatErrorCode>(e: unknown, code: C): e is S5ChatError & { code: C };
export function isS5ChatError(e: unknown, code?: S5ChatErrorCode): boolean {
  if (typeof e !== 'object' || e === null || (e as { [S5CHAT_ERROR_BRAND]?: unknown })[S5CHAT_ERROR_BRAND] !== true) return false;
  return code === undefined || (e as S5ChatError).code === code;
}

// Subclasses assign optional facts unconditionally: their fields are declared (ES2022 class fields),
// so an absent fact is an own `undefined` property either way.

/** The node already holds this or a newer revision for the key (PROTOCOL §6.2). Not transient. */
export class RevisionTooLowError extends S5ChatError {
  static override readonly code = 'REVISION_TOO_LOW' as const;
  override name = 'RevisionTooLowError';
  /** The revision the node currently stores, when it told us. */
  readonly currentRevision?: number;
  constructor(opts: S5ChatErrorOptions & { currentRevision?: number; attemptedRevision?: number } = {}) {
    super(
      'REVISION_TOO_LOW',
      opts.attemptedRevision !== undefined
        ? `Revision number too low: ${opts.attemptedRevision} was rejected` +
            (opts.currentRevision !== undefined ? ` (node holds ${opts.currentRevision}).` : '.')
        : 'Revision number too low.',
      opts,
    );
    this.currentRevision = opts.currentRevision;
  }
}

export class NotFoundError extends S5ChatError {
  static override readonly code = 'NOT_FOUND' as const;
  override name = 'NotFoundError';
  constructor(what: string, opts: S5ChatErrorOptions = {}) {
    super('NOT_FOUND', `${what} was not found.`, opts);
  }
}

export class HashMismatchError extends S5ChatError {
  static override readonly code = 'HASH_MISMATCH' as const;
  override name = 'HashMismatchError';
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, opts: S5ChatErrorOptions = {}) {
    super('HASH_MISMATCH', 'Content does not match its hash.', {
      details: `expected ${expected}, got ${actual}`,
      ...opts,
    });
    this.expected = expected;
    this.actual = actual;
  }
}

export class InvalidSignatureError extends S5ChatError {
  static override readonly code = 'INVALID_SIGNATURE' as const;
  override name = 'InvalidSignatureError';
  constructor(shortMessage = 'Signature is not valid.', opts: S5ChatErrorOptions = {}) {
    super('INVALID_SIGNATURE', shortMessage, opts);
  }
}

/**
 * Why a portal refused an account step, as PortalClient classified the portal's answer (callers use
 * this, never the text): `not-registered` (log in before register), `already-registered`,
 * `challenge` (another login of the same key replaced or consumed our challenge: retry the whole
 * exchange), `accounts-disabled` (the portal has no account routes; no token needed).
 */
export type AuthFailureReason = 'not-registered' | 'already-registered' | 'challenge' | 'accounts-disabled' | 'rejected';

export class AuthError extends S5ChatError {
  static override readonly code = 'AUTH_FAILED' as const;
  override name = 'AuthError';
  readonly status?: number;
  readonly reason?: AuthFailureReason;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number; reason?: AuthFailureReason } = {}) {
    super('AUTH_FAILED', shortMessage, opts);
    this.status = opts.status;
    this.reason = opts.reason;
  }
}

/** Transient: 5xx (other than a revision conflict), 429, network failure, open circuit. */
export class PortalUnavailableError extends S5ChatError {
  static override readonly code = 'PORTAL_UNAVAILABLE' as const;
  override name = 'PortalUnavailableError';
  readonly status?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number } = {}) {
    super('PORTAL_UNAVAILABLE', shortMessage, opts);
    this.status = opts.status;
  }
}

/** Transient: the call did not finish within its time budget. */
export class TimeoutError extends S5ChatError {
  static override readonly code = 'TIMEOUT' as const;
  override name = 'TimeoutError';
  readonly timeoutMs?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { timeoutMs?: number } = {}) {
    super('TIMEOUT', shortMessage, opts);
    this.timeoutMs = opts.timeoutMs;
  }
}

/** Which rule a seed phrase broke (for programs; the message says it for people). */
export type SeedPhraseProblem = 'not-a-string' | 'word-count' | 'short-word' | 'unknown-word' | 'word-13-range' | 'checksum';

export class InvalidSeedPhraseError extends S5ChatError {
  static override readonly code = 'INVALID_SEED_PHRASE' as const;
  override name = 'InvalidSeedPhraseError';
  readonly problem?: SeedPhraseProblem;
  /** The reference implementation's (s5.js) text for the same rejection, when there is one. */
  readonly s5jsMessage?: string;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { problem?: SeedPhraseProblem; s5jsMessage?: string } = {}) {
    super('INVALID_SEED_PHRASE', shortMessage, opts);
    this.problem = opts.problem;
    this.s5jsMessage = opts.s5jsMessage;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Bad input: lists every offending field (`issues`). Nothing was written. */
export class ValidationError extends S5ChatError {
  static override readonly code = 'VALIDATION' as const;
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[] | string, opts: S5ChatErrorOptions & { shortMessage?: string } = {}) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    // One issue fits the short message; several go to the details, listed once.
    const short =
      opts.shortMessage ?? (list.length === 1 ? `Invalid input: ${fmtIssue(list[0]!)}` : `Invalid input (${list.length} issues).`);
    const listed = list.map(fmtIssue).join('; ');
    const details = opts.details ?? (short.includes(listed) ? undefined : listed);
    const o: S5ChatErrorOptions = {};
    if (details !== undefined) o.details = details;
    if (opts.cause !== undefined) o.cause = opts.cause;
    super('VALIDATION', short, o);
    this.issues = list;
  }
}

function fmtIssue(i: ValidationIssue): string {
  return i.path ? `${i.path}: ${i.message}` : i.message;
}

export class DecryptionError extends S5ChatError {
  static override readonly code = 'DECRYPTION_FAILED' as const;
  override name = 'DecryptionError';
  constructor(shortMessage: string, opts: S5ChatErrorOptions = {}) {
    super('DECRYPTION_FAILED', shortMessage, opts);
  }
}

export class AbortError extends S5ChatError {
  static override readonly code = 'ABORTED' as const;
  override name = 'AbortError';
  constructor(shortMessage = 'The operation was aborted.', opts: S5ChatErrorOptions = {}) {
    super('ABORTED', shortMessage, opts);
  }
}

/**
 * The portal's response body exceeded the client's size limit; the read was cancelled. Not transient:
 * a portal that sends an oversized body would do so again, so the retry policy must not repeat it.
 */
export class ResponseTooLargeError extends S5ChatError {
  static override readonly code = 'RESPONSE_TOO_LARGE' as const;
  override name = 'ResponseTooLargeError';
  readonly maxBytes: number;
  constructor(maxBytes: number, opts: S5ChatErrorOptions = {}) {
    super('RESPONSE_TOO_LARGE', `Portal response exceeded ${maxBytes} bytes.`, opts);
    this.maxBytes = maxBytes;
  }
}

/**
 * A blob the portal could not deliver now: the real portals answer a miss by waiting ~60 s and then
 * a 500 (`Could not download raw file: Timed out …`, LumeWeb `error fetching blob: …`), and our own
 * per-GET budget may expire first. Not NOT_FOUND (the blob may appear once peers have it) and not
 * transient in the retry sense: retrying at once only ties up one of the portal's few slots again.
 * The retry policy and circuit breaker ignore it; retry later.
 */
export class BlobNotAvailableError extends S5ChatError {
  override name = 'BlobNotAvailableError';
  readonly status?: number;
  constructor(what: string, opts: S5ChatErrorOptions & { status?: number } = {}) {
    super('BLOB_NOT_AVAILABLE', `${what} is not available from the portal yet; retry later.`, opts);
    this.status = opts.status;
  }
}

/** The portal accepts registrations only with an invite token (`inviteCode`), and none or a wrong one was given. */
export class InviteRequiredError extends S5ChatError {
  override name = 'InviteRequiredError';
  readonly status?: number;
  constructor(opts: S5ChatErrorOptions & { status?: number; hadInvite?: boolean } = {}) {
    super(
      'INVITE_REQUIRED',
      opts.hadInvite
        ? 'The portal refused the invite code (inviteCode).'
        : 'The portal needs an invite code (inviteCode) to register.',
      opts,
    );
    this.status = opts.status;
  }
}

/** An upload above the portal's size limit; refused before any byte of the body was sent. */
export class UploadTooLargeError extends S5ChatError {
  override name = 'UploadTooLargeError';
  readonly size: number;
  readonly maxBytes: number;
  constructor(size: number, maxBytes: number, opts: S5ChatErrorOptions = {}) {
    super('UPLOAD_TOO_LARGE', `Upload of ${size} bytes is over the portal's limit of ${maxBytes}.`, opts);
    this.size = size;
    this.maxBytes = maxBytes;
  }
}

/**
 * A definite refusal from the portal that is neither bad input we could have caught nor a fault
 * (e.g. Dart's `No store configured, uploads not possible`, `This is not a raw CID`, a Dart type
 * error for a request it could not parse). Never retried: the same request gets the same answer.
 */
export class PortalRejectedError extends S5ChatError {
  override name = 'PortalRejectedError';
  readonly status?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number } = {}) {
    super('PORTAL_REJECTED', shortMessage, opts);
    this.status = opts.status;
  }
}

/**
 * The portal accepted the login but its token is unreadable here: cookie-only portals (Dart ≤ v0.14.1,
 * LumeWeb) send it only as an HttpOnly `Set-Cookie`, which browsers hide from `fetch`. Use a
 * `tokenProvider` (e.g. `proxiedLogin` with a same-origin login route) instead.
 */
export class AuthTokenUnreadableError extends S5ChatError {
  override name = 'AuthTokenUnreadableError';
  constructor(opts: S5ChatErrorOptions = {}) {
    super('AUTH_TOKEN_UNREADABLE', 'The auth token is in an HttpOnly cookie this runtime cannot read; pass a tokenProvider (see proxiedLogin).', opts);
  }
}
