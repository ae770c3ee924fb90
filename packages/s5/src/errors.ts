/**
 * Typed errors. Every error thrown by @s5chat/s5 extends {@link S5ChatError} and carries a stable
 * `code`; callers switch on `code`, never on message text. Modelled on viem: a one-line
 * `shortMessage`, optional `details` (e.g. the server's body), the original `cause`.
 */

export interface S5ChatErrorOptions {
  details?: string;
  cause?: unknown;
}

export class S5ChatError extends Error {
  override name = 'S5ChatError';
  readonly code: string;
  readonly shortMessage: string;
  readonly details?: string;
  override readonly cause?: unknown;

  constructor(code: string, shortMessage: string, options: S5ChatErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage);
    this.code = code;
    this.shortMessage = shortMessage;
    if (options.details !== undefined) this.details = options.details;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

/** True for any error produced by this library (or sdk-core errors built on {@link S5ChatError}). */
export function isS5ChatError(e: unknown): e is S5ChatError {
  return e instanceof S5ChatError;
}

/** The node already holds this or a newer revision for the key (PROTOCOL §6.2). Not transient. */
export class RevisionTooLowError extends S5ChatError {
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
    if (opts.currentRevision !== undefined) this.currentRevision = opts.currentRevision;
  }
}

export class NotFoundError extends S5ChatError {
  override name = 'NotFoundError';
  constructor(what: string, opts: S5ChatErrorOptions = {}) {
    super('NOT_FOUND', `${what} was not found.`, opts);
  }
}

export class HashMismatchError extends S5ChatError {
  override name = 'HashMismatchError';
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, opts: S5ChatErrorOptions = {}) {
    super('HASH_MISMATCH', 'Content hash does not match the requested identifier.', {
      details: `expected ${expected}, got ${actual}`,
      ...opts,
    });
    this.expected = expected;
    this.actual = actual;
  }
}

export class InvalidSignatureError extends S5ChatError {
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
  override name = 'AuthError';
  readonly status?: number;
  readonly reason?: AuthFailureReason;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number; reason?: AuthFailureReason } = {}) {
    super('AUTH_FAILED', shortMessage, opts);
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.reason !== undefined) this.reason = opts.reason;
  }
}

/** Transient: 5xx (other than a revision conflict), 429, network failure, open circuit. */
export class PortalUnavailableError extends S5ChatError {
  override name = 'PortalUnavailableError';
  readonly status?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number } = {}) {
    super('PORTAL_UNAVAILABLE', shortMessage, opts);
    if (opts.status !== undefined) this.status = opts.status;
  }
}

/** Transient: the call did not finish within its time budget. */
export class TimeoutError extends S5ChatError {
  override name = 'TimeoutError';
  readonly timeoutMs?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { timeoutMs?: number } = {}) {
    super('TIMEOUT', shortMessage, opts);
    if (opts.timeoutMs !== undefined) this.timeoutMs = opts.timeoutMs;
  }
}

export class InvalidSeedPhraseError extends S5ChatError {
  override name = 'InvalidSeedPhraseError';
  constructor(shortMessage: string, opts: S5ChatErrorOptions = {}) {
    super('INVALID_SEED_PHRASE', shortMessage, opts);
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Bad input: lists every offending field. Nothing was written. */
export class ValidationError extends S5ChatError {
  override name = 'ValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[] | string, opts: S5ChatErrorOptions & { shortMessage?: string } = {}) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues;
    super(
      'VALIDATION',
      opts.shortMessage ?? (list.length === 1 ? `Invalid input: ${fmtIssue(list[0]!)}` : `Invalid input (${list.length} issues).`),
      { details: opts.details ?? list.map(fmtIssue).join('; '), cause: opts.cause },
    );
    this.issues = list;
  }
}

function fmtIssue(i: ValidationIssue): string {
  return i.path ? `${i.path}: ${i.message}` : i.message;
}

export class DecryptionError extends S5ChatError {
  override name = 'DecryptionError';
  constructor(shortMessage: string, opts: S5ChatErrorOptions = {}) {
    super('DECRYPTION_FAILED', shortMessage, opts);
  }
}

export class AbortError extends S5ChatError {
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
    super('BLOB_NOT_AVAILABLE', `${what} is not available from the portal right now.`, opts);
    if (opts.status !== undefined) this.status = opts.status;
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
        ? 'The portal refused the invite code for registering a new account.'
        : 'The portal needs an invite code (inviteCode) to register a new account.',
      opts,
    );
    if (opts.status !== undefined) this.status = opts.status;
  }
}

/** An upload above the portal's size limit; refused before any byte of the body was sent. */
export class UploadTooLargeError extends S5ChatError {
  override name = 'UploadTooLargeError';
  readonly size: number;
  readonly maxBytes: number;
  constructor(size: number, maxBytes: number, opts: S5ChatErrorOptions = {}) {
    super('UPLOAD_TOO_LARGE', `Upload of ${size} bytes exceeds the portal limit of ${maxBytes} bytes.`, opts);
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
    if (opts.status !== undefined) this.status = opts.status;
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
    super(
      'AUTH_TOKEN_UNREADABLE',
      'The portal sent its auth token only as an HttpOnly cookie, which this runtime cannot read; pass a tokenProvider (see proxiedLogin).',
      opts,
    );
  }
}
