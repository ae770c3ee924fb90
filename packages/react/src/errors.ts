/**
 * Errors of @s5chat/react. They extend the SDK's S5ChatError (brand, `code`, `details`, `cause`),
 * so an app handles every error of the stack with one `switch (error.code)`, and `XError.is(e)` /
 * `instanceof` hold across module copies (they compare the static `code`).
 */
import { S5ChatError } from '@s5chat/sdk-core';

/** This package's codes (listed in the SDK's S5ChatErrorCode union under "@s5chat/react"). */
const code = <C extends 'NO_PROVIDER' | 'NO_SESSION' | 'OUTBOX_FAILED'>(c: C): C => c;

/** A hook that needs an SDK ran outside <S5ChatProvider> (or the provider was given no sdk). */
export class MissingProviderError extends S5ChatError {
  static override readonly code = code('NO_PROVIDER');
  override name = 'MissingProviderError';
  constructor(hook: string) {
    super(MissingProviderError.code, `${hook} needs an SDK: render it inside <S5ChatProvider sdk={sdk}>.`);
  }
}

/** A session call (send, stream, end) was made before start() or after reset(). */
export class NoSessionError extends S5ChatError {
  static override readonly code = code('NO_SESSION');
  override name = 'NoSessionError';
  constructor(action: string) {
    super(NoSessionError.code, `Cannot ${action}: no session is running. Call start() first.`);
  }
}

/** The outbox gave up on a queued write (the portal refused it for good; `cause` says why). */
export class OutboxFailedError extends S5ChatError {
  static override readonly code = code('OUTBOX_FAILED');
  override name = 'OutboxFailedError';
  readonly operationId: string;
  constructor(operationId: string, cause?: unknown) {
    super(OutboxFailedError.code, 'The queued message could not be sent.', {
      details: { operationId },
      ...(cause !== undefined ? { cause } : {}),
    });
    this.operationId = operationId;
  }
}
