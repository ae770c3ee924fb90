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

export class AuthError extends S5ChatError {
  override name = 'AuthError';
  readonly status?: number;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { status?: number } = {}) {
    super('AUTH_FAILED', shortMessage, opts);
    if (opts.status !== undefined) this.status = opts.status;
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
