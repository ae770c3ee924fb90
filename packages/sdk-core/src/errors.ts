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
  /** The operation that was not applied, and the ids of its messages (re-submit them as they are). */
  readonly operationId?: string;
  readonly messageIds?: string[];
  constructor(args: {
    conversationId: string;
    attempts: number;
    lastSeenRevision: number;
    currentRevision?: number;
    expectedRevision?: number;
    cause?: unknown;
    operationId?: string;
    messageIds?: string[];
  }) {
    const short =
      args.expectedRevision !== undefined
        ? `"${args.conversationId}" is at revision ${args.currentRevision ?? args.lastSeenRevision}, expected ${args.expectedRevision}.`
        : `"${args.conversationId}" lost the revision race ${args.attempts} times (retries used up).`;
    const details: Record<string, unknown> = { lastSeenRevision: args.lastSeenRevision };
    if (args.operationId !== undefined) details.operationId = args.operationId;
    if (args.messageIds !== undefined) details.messageIds = args.messageIds;
    const opts: S5ChatErrorOptions = { details };
    if (args.cause !== undefined) opts.cause = args.cause;
    super('REVISION_CONFLICT', short, opts);
    this.conversationId = args.conversationId;
    this.attempts = args.attempts;
    this.lastSeenRevision = args.lastSeenRevision;
    // Declared fields (ES2022): an absent fact is an own `undefined` property either way.
    this.currentRevision = args.currentRevision;
    this.expectedRevision = args.expectedRevision;
    this.operationId = args.operationId;
    this.messageIds = args.messageIds;
  }

  /** The same conflict, naming one operation of the batch that carried it. */
  forOperation(operationId: string | undefined, messageIds: string[]): RevisionConflictError {
    // The same facts, the operation named; the constructor copies each (absent ones as undefined).
    return new RevisionConflictError({
      conversationId: this.conversationId,
      attempts: this.attempts,
      lastSeenRevision: this.lastSeenRevision,
      currentRevision: this.currentRevision,
      expectedRevision: this.expectedRevision,
      cause: this.cause,
      operationId,
      messageIds,
    });
  }

}

/**
 * The error one operation of a failed write gets, naming it: the original error (same class, code
 * and cause — a transport fault stays transient for the outbox), copied per operation, with
 * `details.operationId` and `details.messageIds` added; `details.outcome: 'unknown'` when a
 * registry set had been sent (the write may or may not have been applied). Re-submitting the same
 * operationId (and message ids) applies it exactly once.
 */
export function withOperation(error: unknown, facts: { operationId: string; messageIds: string[]; outcomeUnknown: boolean }): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Record<string, unknown>;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  const details = { ...((error as { details?: object }).details ?? {}), operationId: facts.operationId, messageIds: facts.messageIds };
  if (facts.outcomeUnknown) Object.assign(details, { outcome: 'unknown' });
  Object.defineProperty(copy, 'details', { value: details, enumerable: true, configurable: true, writable: false });
  return copy;
}

/**
 * A save of a loaded snapshot (it carries `revision`) whose conversation changed since, when the
 * state at that revision is not known to this manager: what the caller changed cannot be told
 * from what others wrote. Nothing was written; load again and re-apply the change.
 */
export class StaleSnapshotError extends S5ChatError {
  static override readonly code = 'STALE_SNAPSHOT' as const;
  override name = 'StaleSnapshotError';
  readonly conversationId: string;
  readonly snapshotRevision: number;
  readonly currentRevision: number;
  constructor(conversationId: string, snapshotRevision: number, currentRevision: number) {
    super('STALE_SNAPSHOT', `Snapshot of "${conversationId}" is from revision ${snapshotRevision}, it is at ${currentRevision} now.`, {
      details: 'load it again and re-apply the change (or use editMessage / updateMetadata)',
    });
    this.conversationId = conversationId;
    this.snapshotRevision = snapshotRevision;
    this.currentRevision = currentRevision;
  }
}

/** editMessage / deleteMessage addressed a message the conversation does not hold (or deleted). */
export class MessageNotFoundError extends S5ChatError {
  static override readonly code = 'MESSAGE_NOT_FOUND' as const;
  override name = 'MessageNotFoundError';
  readonly conversationId: string;
  readonly messageId: string;
  readonly deleted: boolean;
  constructor(conversationId: string, messageId: string, deleted: boolean) {
    super('MESSAGE_NOT_FOUND', `Message "${messageId}" of "${conversationId}" ${deleted ? 'was deleted' : 'does not exist'}.`);
    this.conversationId = conversationId;
    this.messageId = messageId;
    this.deleted = deleted;
  }
}

/**
 * An explicitly plaintext write (saveConversationPlaintext) to a conversation stored encrypted:
 * its head would carry the earlier (encrypted) metadata in the clear. Refused; nothing written.
 * Use onConflict 'overwrite' to replace the conversation by a plaintext one.
 */
export class EncryptionDowngradeError extends S5ChatError {
  static override readonly code = 'ENCRYPTION_DOWNGRADE' as const;
  override name = 'EncryptionDowngradeError';
  readonly conversationId: string;
  constructor(conversationId: string) {
    super('ENCRYPTION_DOWNGRADE', `"${conversationId}" is stored encrypted; a plaintext write would expose it.`);
    this.conversationId = conversationId;
  }
}

/**
 * streamAssistant stopped because its token source produced something that is not a string. The
 * text so far was saved as message `messageId` with metadata.partial = true (that is the only
 * write); `cause` says what was wrong.
 */
export class StreamFailedError extends S5ChatError {
  static override readonly code = 'STREAM_FAILED' as const;
  override name = 'StreamFailedError';
  readonly conversationId: string;
  readonly messageId: string;
  constructor(conversationId: string, messageId: string, cause: unknown) {
    super('STREAM_FAILED', `Token stream of "${messageId}" failed; the text so far was saved as partial.`, { cause });
    this.conversationId = conversationId;
    this.messageId = messageId;
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
    super('LOCK_TIMEOUT', `Lock on "${key}" not acquired in ${timeoutMs} ms.`, holder ? { details: { holder } } : {});
    this.key = key;
    this.timeoutMs = timeoutMs;
    this.holder = holder;
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
    this.conversationId = opts.conversationId;
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
