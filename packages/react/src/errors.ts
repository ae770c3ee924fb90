/**
 * Errors of @s5chat/react. They extend the SDK's S5ChatError, so an app handles every error of
 * the stack with one `switch (error.code)`.
 */
import { S5ChatError } from '@s5chat/sdk-core';

/**
 * This package's codes: NO_PROVIDER, NO_SESSION, OUTBOX_FAILED. Widened through `string` so this
 * compiles whether S5ChatError's code is `string` or the S5ChatErrorCode union (which should list them).
 */
const code = (c: 'NO_PROVIDER' | 'NO_SESSION' | 'OUTBOX_FAILED') => c as string as ConstructorParameters<typeof S5ChatError>[0];

/** A hook that needs an SDK ran outside <S5ChatProvider> (or the provider was given no sdk). */
export class MissingProviderError extends S5ChatError {
  override name = 'MissingProviderError';
  constructor(hook: string) {
    super(code('NO_PROVIDER'), `${hook} needs an SDK: render it inside <S5ChatProvider sdk={sdk}>.`);
  }
}

/** A session call (send, stream, end) was made before start() or after the session was dropped. */
export class NoSessionError extends S5ChatError {
  override name = 'NoSessionError';
  constructor(action: string) {
    super(code('NO_SESSION'), `Cannot ${action}: no session is running. Call start() first.`);
  }
}

/** The outbox gave up on a queued write (it reported state 'failed'). */
export class OutboxFailedError extends S5ChatError {
  override name = 'OutboxFailedError';
  readonly operationId: string;
  constructor(operationId: string, cause?: unknown) {
    super(code('OUTBOX_FAILED'), 'The queued message could not be sent.', {
      details: `operation ${operationId}`,
      ...(cause !== undefined ? { cause } : {}),
    });
    this.operationId = operationId;
  }
}
