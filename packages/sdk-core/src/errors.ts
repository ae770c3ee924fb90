/**
 * Typed errors of @s5chat/sdk-core. Every error extends the s5 client's {@link S5ChatError}, so a
 * caller handles the whole stack with one `switch (error.code)`; nobody matches on message text.
 */
import { S5ChatError, type S5ChatErrorOptions } from '@s5chat/s5';

export {
  S5ChatError,
  ValidationError,
  InvalidSeedPhraseError,
  RevisionTooLowError,
  NotFoundError,
  AuthError,
  PortalUnavailableError,
  TimeoutError,
  DecryptionError,
  AbortError,
  isS5ChatError,
  S5CHAT_ERROR_BRAND,
  type S5ChatErrorCode,
  type S5ChatErrorDetails,
  type S5ChatErrorOptions,
  type SeedPhraseProblem,
  type ValidationIssue,
} from '@s5chat/s5';

/**
 * The write could not be committed: every attempt lost the registry race (`attempts` of them), or
 * (with `onConflict: 'fail'`) the stored revision is not the expected one — then nothing was written
 * and `currentRevision` says what the node holds, like an HTTP 409.
 */
export class RevisionConflictError extends S5ChatError {
  static override readonly code = 'REVISION_CONFLICT' as const;
  override name = 'RevisionConflictError';
  readonly conversationId: string;
  readonly attempts: number;
  readonly lastSeenRevision: number;
  readonly currentRevision?: number;
  readonly expectedRevision?: number;
  constructor(args: {
    conversationId: string;
    attempts: number;
    lastSeenRevision: number;
    currentRevision?: number;
    expectedRevision?: number;
    cause?: unknown;
  }) {
    const short =
      args.expectedRevision !== undefined
        ? `Conversation "${args.conversationId}" is at revision ${args.currentRevision ?? args.lastSeenRevision}, expected ${args.expectedRevision}.`
        : `Conversation "${args.conversationId}" could not be written after ${args.attempts} attempts (revision conflict).`;
    const opts: S5ChatErrorOptions = { details: { lastSeenRevision: args.lastSeenRevision } };
    if (args.cause !== undefined) opts.cause = args.cause;
    super('REVISION_CONFLICT', short, opts);
    this.conversationId = args.conversationId;
    this.attempts = args.attempts;
    this.lastSeenRevision = args.lastSeenRevision;
    if (args.currentRevision !== undefined) this.currentRevision = args.currentRevision;
    if (args.expectedRevision !== undefined) this.expectedRevision = args.expectedRevision;
  }
}

/** A lock waiter gave up after `timeoutMs`; it never runs and never holds the lock afterwards. */
export class LockTimeoutError extends S5ChatError {
  static override readonly code = 'LOCK_TIMEOUT' as const;
  override name = 'LockTimeoutError';
  readonly key: string;
  readonly timeoutMs: number;
  readonly holder?: string;
  constructor(key: string, timeoutMs: number, holder?: string) {
    super('LOCK_TIMEOUT', `Timed out after ${timeoutMs} ms waiting for the lock on "${key}".`, holder ? { details: { holder } } : {});
    this.key = key;
    this.timeoutMs = timeoutMs;
    if (holder !== undefined) this.holder = holder;
  }
}

/**
 * Stored data exists but is not what it claims to be: a head or segment that belongs to another
 * conversation, an unknown format, a plaintext blob posing as encrypted, a head that lists a
 * segment whose count does not match. Never silently repaired.
 */
export class IntegrityError extends S5ChatError {
  static override readonly code = 'INTEGRITY' as const;
  override name = 'IntegrityError';
  readonly conversationId?: string;
  constructor(shortMessage: string, opts: S5ChatErrorOptions & { conversationId?: string } = {}) {
    super('INTEGRITY', shortMessage, opts);
    if (opts.conversationId !== undefined) this.conversationId = opts.conversationId;
  }
}

/**
 * The registry points at a head or segment blob the node cannot serve. "Could not read" is never
 * turned into "empty": the read (and any write that needed it) fails with this error.
 */
export class DataMissingError extends S5ChatError {
  static override readonly code = 'DATA_MISSING' as const;
  override name = 'DataMissingError';
  readonly conversationId: string;
  readonly blob: string;
  constructor(conversationId: string, what: 'head' | 'segment' | 'index', blob: string, cause?: unknown) {
    super('DATA_MISSING', `The ${what} blob of "${conversationId}" could not be read.`, {
      details: { blob },
      cause,
    });
    this.conversationId = conversationId;
    this.blob = blob;
  }
}

/** A metadata update addressed a conversation that was deleted (it is not silently resurrected). */
export class ConversationDeletedError extends S5ChatError {
  static override readonly code = 'CONVERSATION_DELETED' as const;
  override name = 'ConversationDeletedError';
  readonly conversationId: string;
  constructor(conversationId: string) {
    super('CONVERSATION_DELETED', `Conversation "${conversationId}" was deleted.`);
    this.conversationId = conversationId;
  }
}

/** The StorageManager was closed; no new writes are accepted. */
export class ClosedError extends S5ChatError {
  static override readonly code = 'CLOSED' as const;
  override name = 'ClosedError';
  constructor() {
    super('CLOSED', 'The storage manager is closed.');
  }
}
